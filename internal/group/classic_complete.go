package group

import (
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// completeJoin ends the join phase: members that did not rejoin leave
// (static members stay, KIP-345), the generation advances, a protocol and a
// leader are chosen and every waiting member gets its JoinGroup answer.
func (c *Coordinator) completeJoin(g *group) {
	cg := &g.classic
	cg.delaying = false
	for _, m := range cg.sortedMembers() {
		if m.joinCB == nil && m.instanceID == "" {
			c.removeMemberOnly(g, m)
		}
	}
	cg.generation++
	if len(cg.members) == 0 {
		cg.protocol, cg.leader = "", ""
		c.setClassicState(g, StateEmpty)
		if err := c.storeGroup(g); err != nil {
			c.logWriteError(g, err)
		}
		return
	}
	cg.protocol = cg.selectProtocol()
	if _, ok := cg.members[cg.leader]; !ok {
		cg.leader = cg.sortedMembers()[0].id
	}
	c.setClassicState(g, StateCompletingRebalance)
	for _, m := range cg.sortedMembers() {
		m.assignment = nil
		if m.joinCB == nil {
			continue
		}
		resp := c.joinResponse(g, m, m.joinVer)
		cb := m.joinCB
		m.joinCB = nil
		c.replyJoin(g, cb, resp)
		c.resetHeartbeat(g, m)
	}
}

// joinResponse is the JoinGroup answer for m in the current generation;
// the leader gets every member's metadata.
func (c *Coordinator) joinResponse(g *group, m *member, version int16) *kmsg.JoinGroupResponse {
	cg := &g.classic
	resp := kmsg.NewPtrJoinGroupResponse()
	resp.Generation = cg.generation
	pt, p := cg.protocolType, cg.protocol
	resp.ProtocolType, resp.Protocol = &pt, &p
	resp.LeaderID = cg.leader
	resp.MemberID = m.id
	if m.id != cg.leader {
		return resp
	}
	for _, o := range cg.sortedMembers() {
		jm := kmsg.NewJoinGroupResponseMember()
		jm.MemberID = o.id
		if o.instanceID != "" {
			iid := o.instanceID
			jm.InstanceID = &iid
		}
		jm.ProtocolMetadata = o.metadataFor(cg.protocol)
		resp.Members = append(resp.Members, jm)
	}
	return resp
}

// resetHeartbeat re-arms m's session timeout.
func (c *Coordinator) resetHeartbeat(g *group, m *member) {
	m.heartbeat.stop()
	m.heartbeat = c.after(m.sessionTimeout, func() { c.expireMember(g, m) })
}

// expireMember removes a member whose session timed out.
func (c *Coordinator) expireMember(g *group, m *member) {
	if g.classic.members[m.id] != m || m.joinCB != nil {
		return
	}
	c.removeMember(g, m)
}

// removeMember removes m and rebalances the rest.
func (c *Coordinator) removeMember(g *group, m *member) {
	c.removeMemberOnly(g, m)
	switch g.classic.state {
	case StateStable, StateCompletingRebalance:
		c.prepareRebalance(g)
	case StatePreparingRebalance:
		c.maybeCompleteJoin(g)
	}
}

func (c *Coordinator) removeMemberOnly(g *group, m *member) {
	cg := &g.classic
	m.heartbeat.stop()
	if cb := m.joinCB; cb != nil {
		resp := joinError(m.id, kerr.UnknownMemberID)
		c.later(func() { cb(resp) })
		m.joinCB = nil
	}
	if cb := m.syncCB; cb != nil {
		resp := syncError(kerr.UnknownMemberID)
		c.later(func() { cb(resp) })
		m.syncCB = nil
	}
	delete(cg.members, m.id)
	if m.instanceID != "" && cg.statics[m.instanceID] == m.id {
		delete(cg.statics, m.instanceID)
	}
}

// failSyncs answers every parked SyncGroup with err and clears the
// assignments of the generation being abandoned.
func (c *Coordinator) failSyncs(g *group, err *kerr.Error) {
	for _, m := range g.classic.members {
		m.assignment = nil
		if cb := m.syncCB; cb != nil {
			resp := syncError(err)
			c.later(func() { cb(resp) })
			m.syncCB = nil
		}
	}
}

// logWriteError notes a failed group write. The state in memory stays;
// the next change writes the group again.
func (c *Coordinator) logWriteError(g *group, err error) {
	if c.cfg.OnWriteError != nil {
		c.cfg.OnWriteError(g.id, err)
	}
}
