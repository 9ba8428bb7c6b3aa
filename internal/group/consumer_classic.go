package group

import (
	"slices"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Classic members of a consumer group, as Kafka's GroupMetadataManager
// serves them: a JoinGroup updates the member's subscription (decoded from
// its ConsumerProtocolSubscription) and reconciles it towards the
// server-side target assignment at once; SyncGroup hands back the member's
// assigned partitions as a ConsumerProtocolAssignment; Heartbeat answers
// REBALANCE_IN_PROGRESS when the member must rejoin to make progress
// (group epoch moved, partitions to revoke, or partitions freed for it).

// classicJoinConsumerGroup handles a JoinGroup to a consumer group. An
// empty consumer group becomes a classic group.
func (c *Coordinator) classicJoinConsumerGroup(g *group, r *kmsg.JoinGroupRequest, clientID, clientHost string, respond func(*kmsg.JoinGroupResponse)) *kerr.Error {
	if g.isEmpty() {
		c.replaceWithClassic(g)
		c.joinLocked(r, clientID, clientHost, respond)
		return nil
	}
	cg := g.consumer
	sub, err := c.checkClassicJoin(g, r)
	if err != nil {
		return err
	}
	id := r.MemberID
	if id == "" {
		id = newMemberID(clientID)
		if r.InstanceID == nil && r.Version >= 4 {
			resp := joinError(id, kerr.MemberIDRequired)
			c.later(func() { respond(resp) })
			return nil
		}
	}
	m, err := c.classicCMember(g, id, r.MemberID == "", r.InstanceID)
	if err != nil {
		return err
	}
	ps := protocolsOf(r.Protocols)
	m.clientID, m.clientHost = clientID, clientHost
	m.rebalanceTimeout = ms(r.RebalanceTimeoutMillis)
	if m.classic == nil {
		m.classic = &classicMeta{}
	}
	m.classic.sessionTimeout, m.classic.protocols = ms(r.SessionTimeoutMillis), ps
	names := slices.Clone(sub.Topics)
	slices.Sort(names)
	names = slices.Compact(names)
	changed := !slices.Equal(names, m.names)
	m.names = names
	c.refreshTarget(g, changed)
	owned := c.ownedFromSubscription(sub)
	cg.reconcile(m, owned)
	cg.reconcile(m, owned) // a revocation the join already shows done
	c.armRevocation(g, m)
	m.classic.joinTimer.stop()
	c.resetSession(g, m)
	c.armSyncTimeout(g, m)
	c.persistConsumer(g)
	resp := kmsg.NewPtrJoinGroupResponse()
	resp.MemberID, resp.Generation = m.id, m.epoch
	pt, pn := "consumer", ps[0].name
	resp.ProtocolType, resp.Protocol = &pt, &pn
	c.replyJoin(g, respond, resp)
	return nil
}

// checkClassicJoin validates a classic JoinGroup against a consumer group
// and decodes its subscription (the first protocol's metadata).
func (c *Coordinator) checkClassicJoin(g *group, r *kmsg.JoinGroupRequest) (*kmsg.ConsumerMemberMetadata, *kerr.Error) {
	cg := g.consumer
	if r.MemberID == "" && len(cg.members) >= c.cfg.ConsumerMaxSize {
		return nil, kerr.GroupMaxSizeReached
	}
	if r.ProtocolType != "consumer" || !cg.supportsClassicProtocols(r.Protocols) {
		return nil, kerr.InconsistentGroupProtocol
	}
	var sub kmsg.ConsumerMemberMetadata
	if err := sub.ReadFrom(r.Protocols[0].Metadata); err != nil {
		return nil, kerr.InconsistentGroupProtocol
	}
	return &sub, nil
}

// supportsClassicProtocols reports whether every classic member supports
// one of the protocols offered.
func (cg *consumerGroup) supportsClassicProtocols(ps []kmsg.JoinGroupRequestProtocol) bool {
	for _, p := range ps {
		all := true
		for _, m := range cg.members {
			if m.classic != nil && !(&member{protocols: m.classic.protocols}).supports(p.Name) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}

// classicCMember finds or creates the joining classic member: a static
// member replaces the one with its instance id; a known dynamic member
// must exist.
func (c *Coordinator) classicCMember(g *group, id string, unknown bool, iid *string) (*cmember, *kerr.Error) {
	cg := g.consumer
	if iid != nil {
		old := cg.staticMember(*iid)
		switch {
		case old != nil && unknown:
			return c.replaceStaticCMember(g, old, id), nil
		case old != nil && old.id != id:
			return nil, kerr.FencedInstanceID
		case old != nil:
			return old, nil
		case !unknown:
			return nil, kerr.UnknownMemberID
		}
		m := &cmember{id: id, instanceID: *iid}
		cg.members[id] = m
		return m, nil
	}
	if unknown {
		m := &cmember{id: id}
		cg.members[id] = m
		return m, nil
	}
	m := cg.members[id]
	if m == nil {
		return nil, kerr.UnknownMemberID
	}
	return m, nil
}

func (cg *consumerGroup) staticMember(iid string) *cmember {
	for _, m := range cg.members {
		if m.instanceID == iid {
			return m
		}
	}
	return nil
}

// replaceStaticCMember moves a static member's state and target to a new
// member id (KIP-345); the old id is fenced.
func (c *Coordinator) replaceStaticCMember(g *group, old *cmember, id string) *cmember {
	cg := g.consumer
	old.stopTimers()
	delete(cg.members, old.id)
	cg.target[id] = cg.target[old.id]
	delete(cg.target, old.id)
	nm := *old
	nm.id, nm.left = id, false
	nm.session, nm.revokeTimer = nil, nil
	if nm.classic != nil {
		cm := *nm.classic
		cm.joinTimer, cm.syncTimer = nil, nil
		nm.classic = &cm
	}
	cg.members[id] = &nm
	cg.subsKey = "" // member ids are part of the key
	c.resolveKey(cg)
	return &nm
}

// ownedFromSubscription converts the partitions a classic member reports
// owning (ConsumerProtocolSubscription v1+).
func (c *Coordinator) ownedFromSubscription(sub *kmsg.ConsumerMemberMetadata) assignment {
	out := assignment{}
	for _, t := range sub.OwnedPartitions {
		for _, p := range t.Partitions {
			out = addPartition(out, tp{t.Topic, p})
		}
	}
	return out
}

// classicMemberOf validates a classic request's member in a consumer group.
func (cg *consumerGroup) classicMemberOf(id string, iid *string) (*cmember, *kerr.Error) {
	var m *cmember
	if iid != nil {
		m = cg.staticMember(*iid)
		if m != nil && m.id != id {
			return nil, kerr.FencedInstanceID
		}
	} else {
		m = cg.members[id]
	}
	if m == nil || m.classic == nil {
		return nil, kerr.UnknownMemberID
	}
	return m, nil
}

// classicSyncConsumerGroup answers a classic member's SyncGroup with its
// assigned partitions.
func (c *Coordinator) classicSyncConsumerGroup(g *group, r *kmsg.SyncGroupRequest, respond func(*kmsg.SyncGroupResponse)) *kerr.Error {
	m, err := g.consumer.classicMemberOf(r.MemberID, r.InstanceID)
	if err != nil {
		return err
	}
	if r.Generation != m.epoch {
		return kerr.IllegalGeneration
	}
	if (r.ProtocolType != nil && *r.ProtocolType != "consumer") || (r.Protocol != nil && *r.Protocol != m.classic.protocols[0].name) {
		return kerr.InconsistentGroupProtocol
	}
	if g.consumer.epoch > m.epoch && m.revoking.size() == 0 {
		c.armJoinTimeout(g, m)
		return kerr.RebalanceInProgress
	}
	m.classic.syncTimer.stop()
	c.resetSession(g, m)
	resp := kmsg.NewPtrSyncGroupResponse()
	pt, pn := "consumer", m.classic.protocols[0].name
	resp.ProtocolType, resp.Protocol = &pt, &pn
	resp.MemberAssignment = classicAssignment(m)
	c.replySync(g, respond, resp)
	return nil
}

// classicAssignment encodes a member's assigned partitions as a
// ConsumerProtocolAssignment at the version of its subscription.
func classicAssignment(m *cmember) []byte {
	var sub kmsg.ConsumerMemberMetadata
	_ = sub.ReadFrom(m.classic.protocols[0].metadata)
	a := kmsg.NewConsumerMemberAssignment()
	a.Version = min(max(sub.Version, 0), 3)
	for _, t := range sortedTopics(m.assigned) {
		a.Topics = append(a.Topics, kmsg.ConsumerMemberAssignmentTopic{Topic: t, Partitions: m.assigned[t]})
	}
	return a.AppendTo(nil)
}

// classicHeartbeatConsumerGroup keeps a classic member alive and tells it
// to rejoin when it has reconciliation to do.
func (c *Coordinator) classicHeartbeatConsumerGroup(g *group, r *kmsg.HeartbeatRequest) *kerr.Error {
	cg := g.consumer
	m, err := cg.classicMemberOf(r.MemberID, r.InstanceID)
	if err != nil {
		return err
	}
	if r.Generation != m.epoch {
		return kerr.IllegalGeneration
	}
	c.resetSession(g, m)
	if m.epoch < cg.epoch || m.revoking.size() > 0 || cg.releasedFor(m) {
		c.armJoinTimeout(g, m)
		return kerr.RebalanceInProgress
	}
	return nil
}

// releasedFor reports whether partitions of m's target that it waits for
// have been released by their previous owners.
func (cg *consumerGroup) releasedFor(m *cmember) bool {
	free := false
	cg.target[m.id].each(func(x tp) {
		free = free || (!m.assigned.has(x) && !cg.ownedByOther(m, x))
	})
	return free
}

// consumerLeaveClassic removes a classic member through LeaveGroup.
func (c *Coordinator) consumerLeaveClassic(g *group, id string, iid *string) *kerr.Error {
	m, err := g.consumer.classicMemberOf(id, iid)
	if err != nil {
		if iid != nil && err == kerr.UnknownMemberID && id == "" {
			return kerr.UnknownMemberID
		}
		return err
	}
	c.leaveCMember(g, m)
	return nil
}

// armJoinTimeout removes a classic member that does not rejoin within its
// rebalance timeout after being told to (Kafka's join timeout).
func (c *Coordinator) armJoinTimeout(g *group, m *cmember) {
	if m.classic.joinTimer != nil && !m.classic.joinTimer.dead {
		return
	}
	m.classic.joinTimer = c.after(m.rebalanceTimeout, func() { c.fenceCMember(g, m) })
}

// armSyncTimeout removes a classic member that does not send SyncGroup
// within its rebalance timeout after joining.
func (c *Coordinator) armSyncTimeout(g *group, m *cmember) {
	m.classic.syncTimer.stop()
	m.classic.syncTimer = c.after(m.rebalanceTimeout, func() { c.fenceCMember(g, m) })
}

// fenceCMember removes m if it is still the group's member.
func (c *Coordinator) fenceCMember(g *group, m *cmember) {
	if c.mu.groups[g.id] == g && g.consumer != nil && g.consumer.members[m.id] == m {
		c.leaveCMember(g, m)
	}
}
