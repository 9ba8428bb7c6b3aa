package group

import (
	"regexp"
	"slices"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// ConsumerGroupHeartbeat handles the KIP-848 heartbeat: member epoch 0
// joins, -1 leaves (-2 a static member's temporary leave, treated as a
// leave), a positive epoch heartbeats and reconciles. Every answer
// carries the member's current assignment.
func (c *Coordinator) ConsumerGroupHeartbeat(r *kmsg.ConsumerGroupHeartbeatRequest, clientID, clientHost string) *kmsg.ConsumerGroupHeartbeatResponse {
	resp := kmsg.NewPtrConsumerGroupHeartbeatResponse()
	c.doOr(func() {
		if err := c.cgHeartbeatLocked(r, clientID, clientHost, resp); err != nil {
			resp.ErrorCode = err.Code
			msg := err.Message
			resp.ErrorMessage = &msg
		}
	}, func(failed func(string) bool) {
		if failed(r.Group) {
			*resp = kmsg.NewConsumerGroupHeartbeatResponse()
			resp.ErrorCode = kerr.NotCoordinator.Code
			msg := kerr.NotCoordinator.Message
			resp.ErrorMessage = &msg
		}
	})
	return resp
}

func (c *Coordinator) cgHeartbeatLocked(r *kmsg.ConsumerGroupHeartbeatRequest, clientID, clientHost string, resp *kmsg.ConsumerGroupHeartbeatResponse) *kerr.Error {
	if err := c.checkCGHeartbeat(r); err != nil {
		return err
	}
	g, err := c.consumerGroupFor(r)
	if err != nil {
		return err
	}
	cg := g.consumer
	if r.MemberEpoch < 0 {
		return c.cgLeave(g, r, resp)
	}
	m, err := c.cgMember(g, r)
	if err != nil {
		return err
	}
	changed, err := m.update(r, clientID, clientHost)
	if err != nil {
		return err
	}
	if r.ServerAssignor != nil {
		cg.assignor = *r.ServerAssignor
	}
	c.refreshTarget(g, changed)
	cg.reconcile(m, c.owned(r.Topics))
	c.armRevocation(g, m)
	c.resetSession(g, m)
	c.persistConsumer(g)
	c.fillHeartbeat(resp, m)
	return nil
}

// cgLeave handles member epoch -1 (leave) and -2 (a static member's
// temporary leave: its assignment is kept until it returns or its session
// times out).
func (c *Coordinator) cgLeave(g *group, r *kmsg.ConsumerGroupHeartbeatRequest, resp *kmsg.ConsumerGroupHeartbeatResponse) *kerr.Error {
	m := g.consumer.members[r.MemberID]
	if m == nil || m.classic != nil {
		return kerr.UnknownMemberID
	}
	id := r.MemberID
	resp.MemberID, resp.MemberEpoch = &id, r.MemberEpoch
	if r.MemberEpoch == -2 && m.instanceID != "" {
		m.left = true
		c.persistConsumer(g)
		return nil
	}
	c.leaveCMember(g, m)
	return nil
}

func (c *Coordinator) checkCGHeartbeat(r *kmsg.ConsumerGroupHeartbeatRequest) *kerr.Error {
	switch err := c.availLocked(r.Group); {
	case !c.cfg.protocolEnabled(TypeConsumer):
		return kerr.UnsupportedVersion
	case r.Group == "":
		return kerr.InvalidGroupID
	case err != nil:
		return err
	case r.MemberEpoch < -2, r.MemberEpoch == -2 && r.InstanceID == nil:
		return kerr.InvalidRequest
	case r.MemberEpoch == 0 && r.SubscribedTopicNames == nil && r.SubscribedTopicRegex == nil:
		return kerr.InvalidRequest
	case r.ServerAssignor != nil && assignors[*r.ServerAssignor] == nil:
		return kerr.UnsupportedAssignor
	}
	if r.SubscribedTopicRegex != nil {
		if _, err := regexp.Compile(*r.SubscribedTopicRegex); err != nil {
			return kerr.InvalidRegularExpression
		}
	}
	return nil
}

// consumerGroupFor finds or creates the consumer group; an empty classic
// group is converted, keeping its offsets.
func (c *Coordinator) consumerGroupFor(r *kmsg.ConsumerGroupHeartbeatRequest) (*group, *kerr.Error) {
	g := c.groupLocked(r.Group)
	switch {
	case g != nil && g.typ == TypeConsumer:
		return g, nil
	case g != nil && !g.isEmpty() && r.MemberEpoch == 0 && c.canUpgrade(g):
		return c.upgradeToConsumer(g), nil
	case g != nil && !g.isEmpty():
		return nil, kerr.GroupIDNotFound
	case g == nil && r.MemberEpoch != 0:
		return nil, kerr.UnknownMemberID
	}
	ng := newGroup(r.Group, TypeConsumer, c.now().UnixMilli())
	if g != nil {
		ng.offsets = g.offsets
		g.stopTimers()
		if g.classic.generation > 0 || g.classic.protocolType != "" {
			ng.consumer.pendingTombs = []kv{{key: groupMetadataKey(g.id)}}
		}
	}
	ng.consumer.assignor = c.cfg.Assignors[0]
	c.mu.groups[r.Group] = ng
	return ng, nil
}

// cgMember returns the heartbeating member, creating it on join and
// fencing stale epochs.
func (c *Coordinator) cgMember(g *group, r *kmsg.ConsumerGroupHeartbeatRequest) (*cmember, *kerr.Error) {
	cg := g.consumer
	if r.MemberEpoch == 0 {
		if old := cg.members[r.MemberID]; old != nil && r.MemberID != "" {
			c.removeCMember(g, old)
		}
		if r.InstanceID != nil {
			if o := cg.staticMember(*r.InstanceID); o != nil && o.id != r.MemberID {
				if !o.left {
					return nil, kerr.UnreleasedInstanceID
				}
				id := r.MemberID
				if id == "" {
					id = newMemberID("")[1:]
				}
				m := c.replaceStaticCMember(g, o, id)
				m.epoch, m.classic = 0, nil
				return m, nil
			}
		}
		if len(cg.members) >= c.cfg.ConsumerMaxSize {
			return nil, kerr.GroupMaxSizeReached
		}
		id := r.MemberID
		if id == "" {
			id = newMemberID("")[1:]
		}
		m := &cmember{id: id}
		cg.members[id] = m
		return m, nil
	}
	m := cg.members[r.MemberID]
	switch {
	case m == nil || m.classic != nil:
		return nil, kerr.UnknownMemberID
	case m.left:
		return nil, kerr.FencedMemberEpoch
	case r.MemberEpoch != m.epoch && r.MemberEpoch != m.prevEpoch:
		return nil, kerr.FencedMemberEpoch
	}
	return m, nil
}

// update applies the request's fields that are set; it reports whether
// the subscription changed.
func (m *cmember) update(r *kmsg.ConsumerGroupHeartbeatRequest, clientID, clientHost string) (bool, *kerr.Error) {
	m.clientID, m.clientHost = clientID, clientHost
	changed := false
	if r.InstanceID != nil {
		m.instanceID = *r.InstanceID
	}
	if r.RackID != nil {
		m.rackID = *r.RackID
	}
	if r.RebalanceTimeoutMillis > 0 {
		m.rebalanceTimeout = ms(r.RebalanceTimeoutMillis)
	}
	if r.ServerAssignor != nil {
		m.assignorName = *r.ServerAssignor
	}
	if r.SubscribedTopicNames != nil {
		names := slices.Clone(r.SubscribedTopicNames)
		slices.Sort(names)
		changed = !slices.Equal(names, m.names)
		m.names = names
	}
	if r.SubscribedTopicRegex != nil && *r.SubscribedTopicRegex != m.regex {
		m.regex = *r.SubscribedTopicRegex
		m.re = nil
		if m.regex != "" {
			re, err := regexp.Compile(m.regex)
			if err != nil {
				return false, kerr.InvalidRegularExpression
			}
			m.re = re
		}
		changed = true
	}
	return changed, nil
}

// owned converts the partitions a member reports owning; nil means the
// member did not report them.
func (c *Coordinator) owned(ts []kmsg.ConsumerGroupHeartbeatRequestTopic) assignment {
	if ts == nil {
		return nil
	}
	meta := c.meta()
	out := assignment{}
	for _, t := range ts {
		name, _, ok := meta.TopicByID(t.TopicID)
		if !ok {
			continue
		}
		for _, p := range t.Partitions {
			out = addPartition(out, tp{name, p})
		}
	}
	return out
}

func (c *Coordinator) fillHeartbeat(resp *kmsg.ConsumerGroupHeartbeatResponse, m *cmember) {
	id := m.id
	resp.MemberID, resp.MemberEpoch = &id, m.epoch
	resp.HeartbeatIntervalMillis = int32(c.cfg.ConsumerHeartbeatInterval.Milliseconds())
	meta := c.meta()
	a := kmsg.NewConsumerGroupHeartbeatResponseAssignment()
	a.Topics = []kmsg.ConsumerGroupHeartbeatResponseAssignmentTopic{}
	for _, t := range sortedTopics(m.assigned) {
		tid, _, ok := meta.Topic(t)
		if !ok {
			continue
		}
		a.Topics = append(a.Topics, kmsg.ConsumerGroupHeartbeatResponseAssignmentTopic{TopicID: tid, Partitions: m.assigned[t]})
	}
	resp.Assignment = &a
}

func (c *Coordinator) resetSession(g *group, m *cmember) {
	m.session.stop()
	m.session = c.after(c.sessionTimeout(m), func() { c.fenceCMember(g, m) })
}

// removeCMember removes a member and recomputes the target so the others
// pick up its partitions.
func (c *Coordinator) removeCMember(g *group, m *cmember) {
	m.stopTimers()
	delete(g.consumer.members, m.id)
	delete(g.consumer.target, m.id)
	c.refreshTarget(g, true)
}

// leaveCMember removes a member that left or was fenced; a group left
// with classic members only may go back to the classic protocol.
func (c *Coordinator) leaveCMember(g *group, m *cmember) {
	if c.maybeDowngrade(g, m) {
		return
	}
	c.removeCMember(g, m)
	c.persistConsumer(g)
}

// ConsumerGroupDescribe describes consumer groups: members with their
// current and target assignments.
func (c *Coordinator) ConsumerGroupDescribe(r *kmsg.ConsumerGroupDescribeRequest) *kmsg.ConsumerGroupDescribeResponse {
	resp := kmsg.NewPtrConsumerGroupDescribeResponse()
	c.doOr(func() {
		for _, id := range r.Groups {
			resp.Groups = append(resp.Groups, c.cgDescribeLocked(id))
		}
	}, func(failed func(string) bool) {
		for i, g := range resp.Groups {
			if failed(g.Group) {
				resp.Groups[i] = kmsg.NewConsumerGroupDescribeResponseGroup()
				resp.Groups[i].Group, resp.Groups[i].ErrorCode = g.Group, kerr.NotCoordinator.Code
				resp.Groups[i].AuthorizedOperations = -2147483648
			}
		}
	})
	return resp
}

func (c *Coordinator) cgDescribeLocked(id string) kmsg.ConsumerGroupDescribeResponseGroup {
	out := kmsg.NewConsumerGroupDescribeResponseGroup()
	out.Group = id
	out.AuthorizedOperations = -2147483648
	g := c.groupLocked(id)
	if err := c.availLocked(id); err != nil {
		out.ErrorCode = err.Code
		return out
	}
	if g == nil || g.typ != TypeConsumer {
		out.ErrorCode = kerr.GroupIDNotFound.Code
		return out
	}
	cg := g.consumer
	out.State, out.Epoch, out.AssignmentEpoch, out.AssignorName = g.state(), cg.epoch, cg.targetEpoch, cg.assignor
	meta := c.meta()
	for _, m := range c.sortedCMembers(cg) {
		dm := kmsg.NewConsumerGroupDescribeResponseGroupMember()
		dm.MemberID, dm.MemberEpoch, dm.ClientID, dm.ClientHost = m.id, m.epoch, m.clientID, m.clientHost
		dm.SubscribedTopics = m.names
		if m.regex != "" {
			re := m.regex
			dm.SubscribedTopicRegex = &re
		}
		if m.instanceID != "" {
			iid := m.instanceID
			dm.InstanceID = &iid
		}
		dm.Assignment = toKAssignment(m.assigned, meta)
		dm.TargetAssignment = toKAssignment(cg.target[m.id], meta)
		dm.MemberType = 1
		if m.classic != nil {
			dm.MemberType = 0
		}
		if m.left {
			dm.MemberEpoch = -2
		}
		out.Members = append(out.Members, dm)
	}
	return out
}

func toKAssignment(a assignment, meta Metadata) kmsg.Assignment {
	var out kmsg.Assignment
	for _, t := range sortedTopics(a) {
		tid, _, _ := meta.Topic(t)
		out.TopicPartitions = append(out.TopicPartitions, kmsg.AssignmentTopicPartition{TopicID: tid, Topic: t, Partitions: a[t]})
	}
	return out
}
