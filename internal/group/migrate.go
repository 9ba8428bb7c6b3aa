package group

import (
	"slices"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Online migration between the classic and the consumer protocol, as
// Kafka's group.consumer.migration.policy: a live classic group becomes a
// consumer group when a KIP-848 member joins (upgrade), and a consumer
// group whose remaining members all use the classic protocol becomes a
// classic group again when a member leaves (downgrade).

// migrationAllows reports whether the policy permits an upgrade or a
// downgrade ("upgrade" or "downgrade").
func (c *Coordinator) migrationAllows(dir string) bool {
	p := strings.ToLower(c.cfg.MigrationPolicy)
	return p == "bidirectional" || p == dir
}

// canUpgrade is Kafka's validateOnlineUpgrade.
func (c *Coordinator) canUpgrade(g *group) bool {
	return c.migrationAllows("upgrade") && g.classic.protocolType == "consumer" &&
		len(g.classic.members) <= c.cfg.ConsumerMaxSize
}

// upgradeToConsumer converts a classic group into a consumer group: each
// member keeps its subscription and assignment at the classic generation,
// which becomes the group epoch; parked JoinGroup and SyncGroup requests
// are answered REBALANCE_IN_PROGRESS so their members rejoin.
func (c *Coordinator) upgradeToConsumer(g *group) *group {
	old := &g.classic
	for _, m := range old.members {
		c.fenceCallbacksWith(m, kerr.RebalanceInProgress)
	}
	g.stopTimers()
	ng := newGroup(g.id, TypeConsumer, c.now().UnixMilli())
	ng.offsets = g.offsets
	cg := ng.consumer
	cg.assignor = c.cfg.Assignors[0]
	cg.epoch, cg.targetEpoch = old.generation, old.generation
	cg.pendingTombs = append(cg.pendingTombs, kv{key: groupMetadataKey(g.id)})
	meta := c.meta()
	for _, om := range old.sortedMembers() {
		m := c.fromClassicMember(old, om, meta)
		cg.members[m.id] = m
		cg.target[m.id] = m.assigned.filter(func(tp) bool { return true })
	}
	cg.subsKey, _ = c.resolve(cg, meta)
	c.mu.groups[g.id] = ng
	for _, m := range cg.members {
		c.resetSession(ng, m)
	}
	return ng
}

// fromClassicMember is a classic member as a consumer group member.
func (c *Coordinator) fromClassicMember(old *classicGroup, om *member, meta Metadata) *cmember {
	md := om.metadataFor(old.protocol)
	if md == nil && len(om.protocols) > 0 {
		md = om.protocols[0].metadata
	}
	var sub kmsg.ConsumerMemberMetadata
	_ = sub.ReadFrom(md)
	names := slices.Clone(sub.Topics)
	slices.Sort(names)
	m := &cmember{id: om.id, instanceID: om.instanceID, clientID: om.clientID, clientHost: om.clientHost,
		names: slices.Compact(names), rebalanceTimeout: om.rebalanceTimeout,
		epoch: old.generation, prevEpoch: old.generation,
		classic: &classicMeta{sessionTimeout: om.sessionTimeout, protocols: om.protocols}}
	var asg kmsg.ConsumerMemberAssignment
	if len(om.assignment) > 0 && asg.ReadFrom(om.assignment) == nil {
		for _, t := range asg.Topics {
			if _, _, ok := meta.Topic(t.Topic); !ok {
				continue
			}
			for _, p := range t.Partitions {
				m.assigned = addPartition(m.assigned, tp{t.Topic, p})
			}
		}
	}
	return m
}

// fenceCallbacksWith answers a classic member's parked requests with err.
func (c *Coordinator) fenceCallbacksWith(m *member, err *kerr.Error) {
	if cb := m.joinCB; cb != nil {
		resp := joinError(m.id, err)
		c.later(func() { cb(resp) })
		m.joinCB = nil
	}
	if cb := m.syncCB; cb != nil {
		resp := syncError(err)
		c.later(func() { cb(resp) })
		m.syncCB = nil
	}
}

// maybeDowngrade converts a consumer group whose members all use the
// classic protocol back to a classic group (Kafka's
// validateOnlineDowngradeWithFencedMember, called as a member leaves):
// the group epoch becomes the generation, the members keep their target
// assignments and a rebalance starts so the classic leader assigns again.
func (c *Coordinator) maybeDowngrade(g *group, leaving *cmember) bool {
	cg := g.consumer
	n := len(cg.members) - 1
	if n <= 0 || !c.migrationAllows("downgrade") || n > c.cfg.MaxSize {
		return false
	}
	for _, m := range cg.members {
		if m.classic == nil && m != leaving {
			return false
		}
	}
	tombs := c.consumerTombstones(g)
	leaving.stopTimers()
	delete(cg.members, leaving.id)
	delete(cg.target, leaving.id)
	cg.stopTimers()
	ng := newGroup(g.id, TypeClassic, c.now().UnixMilli())
	ng.offsets = g.offsets
	k := &ng.classic
	k.protocolType, k.generation = "consumer", cg.epoch
	for _, m := range c.sortedCMembers(cg) {
		k.seq++
		om := &member{id: m.id, instanceID: m.instanceID, clientID: m.clientID, clientHost: m.clientHost,
			sessionTimeout: m.classic.sessionTimeout, rebalanceTimeout: m.rebalanceTimeout,
			protocols: m.classic.protocols, seq: k.seq}
		om.assignment = classicAssignment(&cmember{classic: m.classic, assigned: cg.target[m.id]})
		if om.instanceID != "" {
			k.statics[om.instanceID] = om.id
		}
		k.members[om.id] = om
	}
	k.protocol = k.selectProtocol()
	k.leader = k.sortedMembers()[0].id
	k.state = StateStable
	c.mu.groups[g.id] = ng
	recs := append(tombs, kv{groupMetadataKey(g.id), classicValue(ng)})
	if err := c.write(g.id, recs); err != nil {
		c.logWriteError(ng, err)
	}
	for _, m := range k.members {
		c.resetHeartbeat(ng, m)
	}
	c.prepareRebalance(ng)
	return true
}

// replaceWithClassic turns an empty consumer group into an empty classic
// group that keeps its offsets.
func (c *Coordinator) replaceWithClassic(g *group) *group {
	tombs := c.consumerTombstones(g)
	if len(tombs) > 0 {
		if err := c.write(g.id, tombs); err != nil {
			c.logWriteError(g, err)
		}
	}
	g.stopTimers()
	ng := newGroup(g.id, TypeClassic, c.now().UnixMilli())
	ng.offsets = g.offsets
	c.mu.groups[g.id] = ng
	return ng
}

// defaultRebalanceTimeout stands in for a member that sent none (the
// Java consumer's max.poll.interval.ms default).
const defaultRebalanceTimeout = 5 * time.Minute

// armRevocation arms the revocation timeout while m has partitions to
// revoke and disarms it when it has none: a member that does not revoke
// within its rebalance timeout is fenced, as Kafka does.
func (c *Coordinator) armRevocation(g *group, m *cmember) {
	if m.revoking.size() == 0 {
		m.revokeTimer.stop()
		m.revokeTimer = nil
		return
	}
	if m.revokeTimer != nil && !m.revokeTimer.dead {
		return
	}
	d := m.rebalanceTimeout
	if d <= 0 {
		d = defaultRebalanceTimeout
	}
	m.revokeTimer = c.after(d, func() { c.fenceCMember(g, m) })
}
