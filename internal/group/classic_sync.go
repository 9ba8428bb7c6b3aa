package group

import (
	"bytes"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func syncError(err *kerr.Error) *kmsg.SyncGroupResponse {
	resp := kmsg.NewPtrSyncGroupResponse()
	resp.ErrorCode = err.Code
	return resp
}

// SyncGroup handles a classic SyncGroup: the leader's assignment is
// stored and handed to every member. respond may be called later.
func (c *Coordinator) SyncGroup(r *kmsg.SyncGroupRequest, respond func(*kmsg.SyncGroupResponse)) {
	c.do(func() {
		if err := c.syncLocked(r, respond); err != nil {
			resp := syncError(err)
			c.later(func() { respond(resp) })
		}
	})
}

func (c *Coordinator) syncLocked(r *kmsg.SyncGroupRequest, respond func(*kmsg.SyncGroupResponse)) *kerr.Error {
	if err := c.availLocked(r.Group); err != nil {
		return err
	}
	g := c.groupLocked(r.Group)
	if g == nil {
		return kerr.UnknownMemberID
	}
	if g.typ == TypeConsumer {
		return c.classicSyncConsumerGroup(g, r, respond)
	}
	cg := &g.classic
	m := cg.members[r.MemberID]
	if err := cg.checkMember(r.MemberID, r.InstanceID, m); err != nil {
		return err
	}
	if r.Generation != cg.generation {
		return kerr.IllegalGeneration
	}
	if (r.ProtocolType != nil && *r.ProtocolType != cg.protocolType) || (r.Protocol != nil && *r.Protocol != cg.protocol) {
		return kerr.InconsistentGroupProtocol
	}
	switch cg.state {
	case StatePreparingRebalance:
		return kerr.RebalanceInProgress
	case StateStable:
		c.resetHeartbeat(g, m)
		resp := c.syncResponse(g, m)
		c.replySync(g, respond, resp)
		return nil
	case StateCompletingRebalance:
		c.resetHeartbeat(g, m)
		m.syncCB = respond
		if m.id == cg.leader {
			c.applyAssignment(g, r.GroupAssignment)
		}
		return nil
	}
	return kerr.UnknownMemberID
}

func (c *Coordinator) syncResponse(g *group, m *member) *kmsg.SyncGroupResponse {
	resp := kmsg.NewPtrSyncGroupResponse()
	pt, p := g.classic.protocolType, g.classic.protocol
	resp.ProtocolType, resp.Protocol = &pt, &p
	resp.MemberAssignment = m.assignment
	if resp.MemberAssignment == nil {
		resp.MemberAssignment = []byte{}
	}
	return resp
}

// applyAssignment stores the leader's assignment, makes the group stable
// and answers every member waiting in SyncGroup. A failed write fails the
// generation: the members get the error and rejoin.
func (c *Coordinator) applyAssignment(g *group, as []kmsg.SyncGroupRequestGroupAssignment) {
	cg := &g.classic
	for _, m := range cg.members {
		m.assignment = nil
	}
	for _, a := range as {
		if m := cg.members[a.MemberID]; m != nil {
			m.assignment = bytes.Clone(a.MemberAssignment)
		}
	}
	if err := c.storeGroup(g); err != nil {
		c.logWriteError(g, err)
		c.failSyncs(g, writeErrCode(err, kerr.UnknownServerError))
		c.prepareRebalance(g)
		return
	}
	c.setClassicState(g, StateStable)
	for _, m := range cg.members {
		if cb := m.syncCB; cb != nil {
			resp := c.syncResponse(g, m)
			m.syncCB = nil
			c.replySync(g, cb, resp)
		}
	}
}

// Heartbeat handles a classic Heartbeat.
func (c *Coordinator) Heartbeat(r *kmsg.HeartbeatRequest) *kmsg.HeartbeatResponse {
	resp := kmsg.NewPtrHeartbeatResponse()
	c.doOr(func() {
		if err := c.heartbeatLocked(r); err != nil {
			resp.ErrorCode = err.Code
		}
	}, func(failed func(string) bool) {
		if failed(r.Group) {
			resp.ErrorCode = kerr.NotCoordinator.Code
		}
	})
	return resp
}

func (c *Coordinator) heartbeatLocked(r *kmsg.HeartbeatRequest) *kerr.Error {
	if err := c.availLocked(r.Group); err != nil {
		return err
	}
	g := c.groupLocked(r.Group)
	if g == nil {
		return kerr.UnknownMemberID
	}
	if g.typ == TypeConsumer {
		return c.classicHeartbeatConsumerGroup(g, r)
	}
	cg := &g.classic
	m := cg.members[r.MemberID]
	if err := cg.checkMember(r.MemberID, r.InstanceID, m); err != nil {
		return err
	}
	if r.Generation != cg.generation {
		return kerr.IllegalGeneration
	}
	switch cg.state {
	case StateCompletingRebalance, StateStable:
		c.resetHeartbeat(g, m)
		return nil
	case StatePreparingRebalance:
		if m.joinCB == nil {
			c.resetHeartbeat(g, m)
		}
		return kerr.RebalanceInProgress
	}
	return kerr.UnknownMemberID
}

// LeaveGroup handles LeaveGroup: v0-2 name one member, v3+ a batch of
// members by member id or group instance id (KIP-345).
func (c *Coordinator) LeaveGroup(r *kmsg.LeaveGroupRequest) *kmsg.LeaveGroupResponse {
	resp := kmsg.NewPtrLeaveGroupResponse()
	c.doOr(func() { c.leaveLocked(r, resp) }, func(failed func(string) bool) {
		if failed(r.Group) {
			resp.ErrorCode, resp.Members = kerr.NotCoordinator.Code, nil
		}
	})
	return resp
}

func (c *Coordinator) leaveLocked(r *kmsg.LeaveGroupRequest, resp *kmsg.LeaveGroupResponse) {
	if r.Version < 3 {
		r.Members = []kmsg.LeaveGroupRequestMember{{MemberID: r.MemberID}}
	}
	g := c.groupLocked(r.Group)
	switch err := c.availLocked(r.Group); {
	case err != nil:
		resp.ErrorCode = err.Code
		return
	case g == nil:
		resp.ErrorCode = kerr.UnknownMemberID.Code
		return
	}
	for _, lm := range r.Members {
		var err *kerr.Error
		if g.typ == TypeConsumer {
			err = c.consumerLeaveClassic(g, lm.MemberID, lm.InstanceID)
		} else {
			err = c.leaveOne(g, lm.MemberID, lm.InstanceID)
		}
		out := kmsg.NewLeaveGroupResponseMember()
		out.MemberID, out.InstanceID = lm.MemberID, lm.InstanceID
		if err != nil {
			out.ErrorCode = err.Code
		}
		resp.Members = append(resp.Members, out)
	}
	if r.Version < 3 {
		resp.ErrorCode = resp.Members[0].ErrorCode
		resp.Members = nil
	}
}

func (c *Coordinator) leaveOne(g *group, memberID string, iid *string) *kerr.Error {
	cg := &g.classic
	if iid != nil {
		cur, ok := cg.statics[*iid]
		if !ok {
			return kerr.UnknownMemberID
		}
		if memberID != "" && memberID != cur {
			return kerr.FencedInstanceID
		}
		memberID = cur
	} else if t, ok := cg.pending[memberID]; ok {
		t.stop()
		delete(cg.pending, memberID)
		c.maybeCompleteJoin(g)
		return nil
	}
	m := cg.members[memberID]
	if m == nil {
		return kerr.UnknownMemberID
	}
	c.removeMember(g, m)
	return nil
}
