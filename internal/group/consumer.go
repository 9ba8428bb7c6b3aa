package group

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// consumerGroup is a KIP-848 consumer group: the coordinator computes the
// target assignment (server-side assignor) whenever the group epoch moves,
// and each member reconciles towards it through its heartbeats, revoking
// before partitions move to another member.
type consumerGroup struct {
	epoch, targetEpoch int32
	assignor           string
	members            map[string]*cmember
	target             map[string]assignment
	subsKey            string // resolved subscriptions and partition counts
	// persisted is the group's records as last written, by key; a change
	// writes the records that differ (see consumer_store.go).
	persisted map[string][]byte
	// pendingTombs are records of a previous incarnation of the group
	// (a converted classic group) to delete with the next write.
	pendingTombs []kv
}

// cmember is one member of a consumer group.
type cmember struct {
	id, instanceID, rackID, clientID, clientHost string
	names                                        []string
	regex                                        string
	re                                           *regexp.Regexp
	assignorName                                 string
	rebalanceTimeout                             time.Duration
	epoch, prevEpoch                             int32
	topics                                       []string // resolved subscription
	assigned, revoking                           assignment
	session                                      *timer
	// revokeTimer fences a member that does not finish revoking within
	// its rebalance timeout (Kafka's rebalance timeout of KIP-848).
	revokeTimer *timer
	// left is set by a static member's temporary leave (epoch -2): its
	// assignment is kept for its return within the session timeout.
	left bool
	// classic is set for a member using the classic protocol
	// (JoinGroup/SyncGroup/Heartbeat) inside a consumer group.
	classic *classicMeta
}

// classicMeta is what a classic member of a consumer group adds:
// Kafka's ClassicMemberMetadata and the join and sync timeouts.
type classicMeta struct {
	sessionTimeout time.Duration
	protocols      []protocol
	joinTimer      *timer // armed when told to rejoin
	syncTimer      *timer // armed after a join until its SyncGroup
}

// sessionTimeout is the member's session timeout: the classic one for
// classic members.
func (c *Coordinator) sessionTimeout(m *cmember) time.Duration {
	if m.classic != nil {
		return m.classic.sessionTimeout
	}
	return c.cfg.ConsumerSessionTimeout
}

func (m *cmember) stopTimers() {
	m.session.stop()
	m.revokeTimer.stop()
	if m.classic != nil {
		m.classic.joinTimer.stop()
		m.classic.syncTimer.stop()
	}
}

func newConsumerGroup() *consumerGroup {
	return &consumerGroup{members: map[string]*cmember{}, target: map[string]assignment{}}
}

func (cg *consumerGroup) state() string {
	switch {
	case len(cg.members) == 0:
		return StateEmpty
	case cg.epoch != cg.targetEpoch:
		return StateAssigning
	}
	for _, m := range cg.members {
		if m.epoch != cg.targetEpoch || m.revoking.size() > 0 {
			return StateReconciling
		}
	}
	return StateStable
}

func (cg *consumerGroup) stopTimers() {
	for _, m := range cg.members {
		m.stopTimers()
	}
}

func (cg *consumerGroup) subscribed(topic string) bool {
	for _, m := range cg.members {
		if contains(m.topics, topic) {
			return true
		}
	}
	return false
}

func (c *Coordinator) sortedCMembers(cg *consumerGroup) []*cmember {
	out := make([]*cmember, 0, len(cg.members))
	for _, m := range cg.members {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

// resolve computes each member's subscribed topics from names and regex
// against the metadata, and a key that changes when they or partition
// counts change.
func (c *Coordinator) resolve(cg *consumerGroup, meta Metadata) (string, map[string]int32) {
	parts := map[string]int32{}
	var key strings.Builder
	all := meta.TopicNames()
	for _, m := range c.sortedCMembers(cg) {
		var ts []string
		for _, n := range m.names {
			if _, p, ok := meta.Topic(n); ok {
				ts = append(ts, n)
				parts[n] = p
			}
		}
		if m.re != nil {
			for _, n := range all {
				if m.re.MatchString(n) && !contains(ts, n) {
					_, p, _ := meta.Topic(n)
					ts = append(ts, n)
					parts[n] = p
				}
			}
		}
		sort.Strings(ts)
		m.topics = ts
		key.WriteString(m.id + "=" + strings.Join(ts, ",") + ";")
	}
	var names []string
	for n := range parts {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		key.WriteString(n + ":" + strconv.Itoa(int(parts[n])) + ";")
	}
	return key.String(), parts
}

// refreshTarget bumps the group epoch when subscriptions or topics
// changed and recomputes the target assignment.
func (c *Coordinator) refreshTarget(g *group, force bool) {
	cg := g.consumer
	key, parts := c.resolve(cg, c.meta())
	if key != cg.subsKey || force {
		cg.subsKey = key
		cg.epoch++
	}
	if cg.epoch == cg.targetEpoch {
		return
	}
	var subs []subscriber
	for _, m := range c.sortedCMembers(cg) {
		subs = append(subs, subscriber{id: m.id, topics: m.topics})
	}
	fn := assignors[cg.assignor]
	if fn == nil {
		fn = uniformAssign
	}
	cg.target = fn(subs, parts, cg.target)
	cg.targetEpoch = cg.epoch
	g.stateMs = c.now().UnixMilli()
}

// reconcile moves m towards its target: partitions leaving it are revoked
// first (its epoch holds until the member acknowledges); partitions still
// owned by others are added once they are released.
func (cg *consumerGroup) reconcile(m *cmember, owned assignment) {
	if owned != nil && m.revoking.size() > 0 {
		still := false
		m.revoking.each(func(x tp) { still = still || owned.has(x) })
		if !still {
			m.revoking = nil
		}
	}
	if m.revoking.size() > 0 {
		return
	}
	tgt := cg.target[m.id]
	if m.epoch != cg.targetEpoch {
		revoke := m.assigned.filter(func(x tp) bool { return !tgt.has(x) })
		if revoke.size() > 0 {
			m.assigned = m.assigned.filter(tgt.has)
			m.revoking = revoke
			return
		}
		m.prevEpoch, m.epoch = m.epoch, cg.targetEpoch
	}
	tgt.each(func(x tp) {
		if !m.assigned.has(x) && !cg.ownedByOther(m, x) {
			m.assigned = addPartition(m.assigned, x)
		}
	})
}

func (cg *consumerGroup) ownedByOther(m *cmember, x tp) bool {
	for _, o := range cg.members {
		if o != m && (o.assigned.has(x) || o.revoking.has(x)) {
			return true
		}
	}
	return false
}

// validateConsumerCommit fences commits by member epoch (KIP-848).
func (c *Coordinator) validateConsumerCommit(g *group, memberID string, epoch int32, version int16) *kerr.Error {
	if epoch < 0 && memberID == "" && len(g.consumer.members) == 0 {
		return nil
	}
	m := g.consumer.members[memberID]
	switch {
	case m == nil:
		return kerr.UnknownMemberID
	case m.classic != nil && epoch != m.epoch:
		return kerr.IllegalGeneration
	case m.classic != nil:
		return nil
	case version < 9:
		return kerr.UnsupportedVersion
	case epoch != m.epoch:
		return kerr.StaleMemberEpoch
	}
	return nil
}

func (c *Coordinator) validateConsumerFetch(g *group, memberID string, epoch int32) *kerr.Error {
	if memberID == "" && epoch < 0 {
		return nil
	}
	m := g.consumer.members[memberID]
	switch {
	case m == nil:
		return kerr.UnknownMemberID
	case epoch != m.epoch:
		return kerr.StaleMemberEpoch
	}
	return nil
}

func (c *Coordinator) describeConsumerAsClassic(g *group, out *kmsg.DescribeGroupsResponseGroup) {
	out.State, out.ProtocolType = g.state(), "consumer"
	for _, m := range c.sortedCMembers(g.consumer) {
		dm := kmsg.NewDescribeGroupsResponseGroupMember()
		dm.MemberID, dm.ClientID, dm.ClientHost = m.id, m.clientID, m.clientHost
		if m.instanceID != "" {
			iid := m.instanceID
			dm.InstanceID = &iid
		}
		ca := kmsg.NewConsumerMemberAssignment()
		for _, t := range sortedTopics(m.assigned) {
			ca.Topics = append(ca.Topics, kmsg.ConsumerMemberAssignmentTopic{Topic: t, Partitions: m.assigned[t]})
		}
		dm.MemberAssignment = ca.AppendTo(nil)
		dm.ProtocolMetadata = (&kmsg.ConsumerMemberMetadata{Version: 3, Topics: m.topics}).AppendTo(nil)
		out.Members = append(out.Members, dm)
	}
}

func sortedTopics(a assignment) []string {
	var out []string
	for t := range a {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}
