package group

import (
	"sort"
	"sync"
	"time"
)

// Coordinator is the group coordinator for every __consumer_offsets
// partition this node leads (with one node: all of them).
type Coordinator struct {
	cfg   Config
	clock Clock
	store Store
	meta  func() Metadata

	mu struct {
		sync.Mutex
		groups map[string]*group
		out    []reply // callbacks to run once mu is released
		// writes is what was appended to each partition and how far the
		// ISR holds it; touched the partitions the running operation
		// waits for before it answers (pending.go).
		writes  map[int32]*partWrites
		touched map[int32]struct{}
		closed  bool
		expiry  *timer
		// loading keeps consumer group records by group and key while
		// __consumer_offsets is replayed (see consumer_replay.go).
		loading map[string]map[string][]byte
		// pending is the offsets of open transactions (txn_offsets.go).
		pending pendingTxns
	}
}

// New returns a coordinator; call Load before serving requests.
func New(cfg Config, clock Clock, store Store, meta func() Metadata) *Coordinator {
	c := &Coordinator{cfg: cfg, clock: clock, store: store, meta: meta}
	c.mu.groups = make(map[string]*group)
	c.mu.pending = pendingTxns{}
	c.mu.writes = map[int32]*partWrites{}
	return c
}

// PartitionFor is the __consumer_offsets partition of a group: Kafka's
// Utils.abs(groupId.hashCode()) % offsets.topic.num.partitions.
func (c *Coordinator) PartitionFor(groupID string) int32 {
	return partitionFor(groupID, c.cfg.NumPartitions)
}

// PartitionFor is the partition of a coordinator log of n partitions
// that holds key: Utils.abs(key.hashCode()) % n, as Kafka computes it for
// groups and share-partition keys.
func PartitionFor(key string, n int32) int32 { return partitionFor(key, n) }

func partitionFor(groupID string, n int32) int32 {
	var h int32
	for _, r := range groupID {
		if r >= 0x10000 { // a UTF-16 surrogate pair, as Java hashes it
			r -= 0x10000
			h = 31*h + int32(0xD800+(r>>10))
			h = 31*h + int32(0xDC00+(r&0x3FF))
			continue
		}
		h = 31*h + int32(r)
	}
	if h == -1<<31 {
		h = 0
	} else if h < 0 {
		h = -h
	}
	return h % n
}

// Close stops every timer; later calls answer COORDINATOR_NOT_AVAILABLE.
func (c *Coordinator) Close() {
	c.do(func() {
		c.mu.closed = true
		c.mu.expiry.stop()
		for _, g := range c.mu.groups {
			g.stopTimers()
		}
	})
}

// do runs fn under the mutex, then, with the mutex released, waits until
// the ISR holds the writes of the partitions fn touched (pending.go) and
// runs the callbacks fn queued.
func (c *Coordinator) do(fn func()) { c.doOr(fn, nil) }

// doOr is do, then fail with the groups whose partition's wait failed
// (before the callbacks run), so the operation answers them
// NOT_COORDINATOR instead of a state the log may not keep.
func (c *Coordinator) doOr(fn func(), fail func(failed func(groupID string) bool)) {
	c.mu.Lock()
	fn()
	waits := c.takeWaitsLocked()
	out := c.mu.out
	c.mu.out = nil
	c.mu.Unlock()
	failed := c.await(waits)
	if len(failed) > 0 && fail != nil {
		fail(c.failedGroups(failed))
	}
	for _, r := range out {
		r.run(r.part >= 0 && failed[r.part])
	}
}

// doNoWait runs fn under the mutex without waiting for the ISR (fn
// answers no one): what it wrote stays pending for the next operation
// that touches the partition.
func (c *Coordinator) doNoWait(fn func()) {
	c.mu.Lock()
	fn()
	clear(c.mu.touched)
	out := c.mu.out
	c.mu.out = nil
	c.mu.Unlock()
	for _, r := range out {
		r.run(false)
	}
}

// later queues f to run after the mutex is released (and the waits of
// the operation are over). Requires c.mu.
func (c *Coordinator) later(f func()) {
	c.mu.out = append(c.mu.out, reply{part: -1, run: func(bool) { f() }})
}

func (c *Coordinator) now() time.Time { return c.clock.Now() }

// timer is an armed timeout; stop and the callback run under c.mu, so a
// stopped timer never fires its function even if the clock already
// started the call.
type timer struct {
	t    Timer
	dead bool
}

// after arms fn to run under c.mu after d. Requires c.mu.
func (c *Coordinator) after(d time.Duration, fn func()) *timer {
	tm := &timer{}
	tm.t = c.clock.AfterFunc(d, func() {
		c.do(func() {
			if tm.dead || c.mu.closed {
				return
			}
			tm.dead = true
			fn()
		})
	})
	return tm
}

func (tm *timer) stop() {
	if tm != nil && !tm.dead {
		tm.dead = true
		tm.t.Stop()
	}
}

// groupLocked returns an existing group or nil. Requires c.mu.
func (c *Coordinator) groupLocked(id string) *group { return c.mu.groups[id] }

// sortedGroupsLocked lists the groups by id. Requires c.mu.
func (c *Coordinator) sortedGroupsLocked() []*group {
	out := make([]*group, 0, len(c.mu.groups))
	for _, g := range c.mu.groups {
		out = append(out, g)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

// NumPartitions is the number of __consumer_offsets partitions in use.
func (c *Coordinator) NumPartitions() int32 { return c.cfg.NumPartitions }
