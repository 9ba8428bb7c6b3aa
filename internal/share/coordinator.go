package share

import (
	"sync"
	"time"

	"github.com/gofka/gofka/internal/group"
)

// Config are the share-group settings (group.share.* broker properties).
type Config struct {
	// HeartbeatInterval is group.share.heartbeat.interval.ms.
	HeartbeatInterval time.Duration
	// SessionTimeout is group.share.session.timeout.ms.
	SessionTimeout time.Duration
	// MaxSize is group.share.max.size.
	MaxSize int
	// Limits are the record lock duration, delivery count limit and
	// partition max record locks.
	Limits Limits
	// MaxSessions is group.share.max.share.sessions.
	MaxSessions int
	// AutoOffsetReset is where a new share partition starts: "latest"
	// (Kafka's default for share.auto.offset.reset), "earliest" or
	// "by_duration:<ISO-8601 duration>".
	AutoOffsetReset string
	// Isolation is "read_uncommitted" or "read_committed".
	Isolation string
	// Group, when set, gives a group's settings (its group configs over
	// the broker's); the fields above are the settings otherwise.
	Group func(id string) GroupSettings
}

// GroupSettings are what a share group's configs set.
type GroupSettings struct {
	HeartbeatInterval, SessionTimeout time.Duration
	Limits                            Limits
	AutoOffsetReset, Isolation        string
}

// Settings are a group's settings.
func (c *Coordinator) Settings(groupID string) GroupSettings {
	if c.cfg.Group != nil {
		return c.cfg.Group(groupID)
	}
	return GroupSettings{HeartbeatInterval: c.cfg.HeartbeatInterval, SessionTimeout: c.cfg.SessionTimeout,
		Limits: c.cfg.Limits, AutoOffsetReset: c.cfg.AutoOffsetReset, Isolation: c.cfg.Isolation}
}

// TP is a topic partition by topic id.
type TP struct {
	TopicID   [16]byte
	Partition int32
}

// Coordinator owns share groups (membership and assignment), share
// sessions and the share partitions of this node, with their durable
// state in a StateStore. It does no I/O of its own beyond the store;
// the broker reads the logs and calls Tick for timeouts.
//
// Locks: mu guards the maps and groups; each share partition has its own
// mutex, taken after mu is released, or under mu but never the other way
// round; the StateStore's mutex is innermost.
type Coordinator struct {
	cfg   Config
	state *StateStore
	meta  func() group.Metadata
	now   func() time.Time

	mu struct {
		sync.Mutex
		groups   map[string]*shareGroup
		parts    map[Key]*sharePart
		sessions map[sessionKey]*session
	}
}

// New returns a coordinator over a loaded state store.
func New(cfg Config, state *StateStore, meta func() group.Metadata, now func() time.Time) *Coordinator {
	c := &Coordinator{cfg: cfg, state: state, meta: meta, now: now}
	c.mu.groups = map[string]*shareGroup{}
	c.mu.parts = map[Key]*sharePart{}
	c.mu.sessions = map[sessionKey]*session{}
	return c
}

// State is the coordinator's durable store (the share coordinator APIs
// 83-87 serve it directly).
func (c *Coordinator) State() *StateStore { return c.state }

// Config returns the settings.
func (c *Coordinator) Config() Config { return c.cfg }

// Tick expires member sessions and record locks; the broker calls it
// periodically.
func (c *Coordinator) Tick() {
	now := c.now()
	c.expireMembers(now)
	c.dropIdleSessions(now)
	for _, sp := range c.partsOf("") {
		sp.expire(now.UnixMilli())
	}
}

// partsOf lists the share partitions of a group, or every one.
func (c *Coordinator) partsOf(groupID string) []*sharePart {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []*sharePart
	for k, sp := range c.mu.parts {
		if groupID == "" || k.Group == groupID {
			out = append(out, sp)
		}
	}
	return out
}

// releaseMember gives back every record member holds in a group.
func (c *Coordinator) releaseMember(groupID, member string) {
	for _, sp := range c.partsOf(groupID) {
		sp.releaseMember(member)
	}
}

// IsShareGroup reports whether a share group of this name exists: live
// members or durable state.
func (c *Coordinator) IsShareGroup(id string) bool {
	c.mu.Lock()
	_, live := c.mu.groups[id]
	c.mu.Unlock()
	return live || len(c.state.Keys(id)) > 0
}
