package group

import (
	"crypto/rand"
	"encoding/hex"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// JoinGroup handles a classic JoinGroup (v2+). respond is called once,
// possibly later (when the rebalance completes), without the lock held.
func (c *Coordinator) JoinGroup(r *kmsg.JoinGroupRequest, clientID, clientHost string, respond func(*kmsg.JoinGroupResponse)) {
	c.do(func() { c.joinLocked(r, clientID, clientHost, respond) })
}

func joinError(memberID string, err *kerr.Error) *kmsg.JoinGroupResponse {
	resp := kmsg.NewPtrJoinGroupResponse()
	resp.ErrorCode = err.Code
	resp.MemberID = memberID
	resp.Generation = -1
	return resp
}

func (c *Coordinator) joinLocked(r *kmsg.JoinGroupRequest, clientID, clientHost string, respond func(*kmsg.JoinGroupResponse)) {
	fail := func(err *kerr.Error) {
		resp := joinError(r.MemberID, err)
		c.later(func() { respond(resp) })
	}
	if err := c.checkJoin(r); err != nil {
		fail(err)
		return
	}
	g := c.groupLocked(r.Group)
	if g != nil && g.typ == TypeConsumer {
		if err := c.classicJoinConsumerGroup(g, r, clientID, clientHost, respond); err != nil {
			fail(err)
		}
		return
	}
	if g == nil {
		if r.MemberID != "" {
			fail(kerr.UnknownMemberID)
			return
		}
		g = newGroup(r.Group, TypeClassic, c.now().UnixMilli())
		c.mu.groups[r.Group] = g
	}
	ps := protocolsOf(r.Protocols)
	if !g.classic.supportsProtocols(r.ProtocolType, ps) {
		c.dropIfUnused(g)
		fail(kerr.InconsistentGroupProtocol)
		return
	}
	j := &joinReq{r: r, ps: ps, clientID: clientID, clientHost: clientHost, respond: respond}
	var err *kerr.Error
	if r.MemberID == "" {
		err = c.joinUnknown(g, j)
	} else {
		err = c.joinKnown(g, j)
	}
	if err != nil {
		c.dropIfUnused(g)
		fail(err)
	}
}

// joinReq is a JoinGroup in progress.
type joinReq struct {
	r                    *kmsg.JoinGroupRequest
	ps                   []protocol
	clientID, clientHost string
	respond              func(*kmsg.JoinGroupResponse)
}

func (c *Coordinator) checkJoin(r *kmsg.JoinGroupRequest) *kerr.Error {
	st := ms(r.SessionTimeoutMillis)
	switch err := c.availLocked(r.Group); {
	case r.Group == "":
		return kerr.InvalidGroupID
	case err != nil:
		return err
	case st < c.cfg.MinSessionTimeout || st > c.cfg.MaxSessionTimeout:
		return kerr.InvalidSessionTimeout
	case r.ProtocolType == "" || len(r.Protocols) == 0:
		return kerr.InconsistentGroupProtocol
	case !c.cfg.protocolEnabled(TypeClassic):
		return kerr.UnsupportedVersion
	}
	return nil
}

// dropIfUnused forgets a classic group with no members, no offsets and
// no generation (one created by a failed request).
func (c *Coordinator) dropIfUnused(g *group) {
	if g.typ == TypeClassic && g.isEmpty() && len(g.offsets) == 0 && g.classic.generation == 0 {
		delete(c.mu.groups, g.id)
	}
}

func newMemberID(clientID string) string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	u := hex.EncodeToString(b[:])
	return clientID + "-" + u[:8] + "-" + u[8:12] + "-" + u[12:16] + "-" + u[16:20] + "-" + u[20:]
}

// joinUnknown admits a member without a member id: a static member is
// matched by its instance id; a dynamic one at v4+ gets an id and must
// rejoin with it (KIP-394).
func (c *Coordinator) joinUnknown(g *group, j *joinReq) *kerr.Error {
	cg := &g.classic
	iid := j.r.InstanceID
	if iid != nil {
		if old, ok := cg.statics[*iid]; ok {
			return c.replaceStatic(g, old, j)
		}
	}
	if len(cg.members)+len(cg.pending) >= c.cfg.MaxSize {
		return kerr.GroupMaxSizeReached
	}
	id := newMemberID(j.clientID)
	if iid == nil && j.r.Version >= 4 {
		c.addPending(g, id, ms(j.r.SessionTimeoutMillis))
		resp := joinError(id, kerr.MemberIDRequired)
		c.later(func() { j.respond(resp) })
		return nil
	}
	c.addMember(g, id, j)
	return nil
}

func (c *Coordinator) addPending(g *group, id string, timeout time.Duration) {
	g.classic.pending[id] = c.after(timeout, func() {
		delete(g.classic.pending, id)
		if g.classic.state == StatePreparingRebalance {
			c.maybeCompleteJoin(g)
		}
	})
}

// joinKnown handles a join from a member with an id.
func (c *Coordinator) joinKnown(g *group, j *joinReq) *kerr.Error {
	cg := &g.classic
	if t, ok := cg.pending[j.r.MemberID]; ok {
		t.stop()
		delete(cg.pending, j.r.MemberID)
		c.addMember(g, j.r.MemberID, j)
		return nil
	}
	m := cg.members[j.r.MemberID]
	if err := cg.checkMember(j.r.MemberID, j.r.InstanceID, m); err != nil {
		return err
	}
	switch cg.state {
	case StatePreparingRebalance:
		c.updateMember(g, m, j)
		c.maybeCompleteJoin(g)
	case StateCompletingRebalance:
		if m.sameProtocols(j.ps) {
			c.resendJoin(g, m, j)
			return nil
		}
		c.updateMember(g, m, j)
		c.prepareRebalance(g)
	case StateStable:
		if m.id != cg.leader && m.sameProtocols(j.ps) {
			c.resendJoin(g, m, j)
			return nil
		}
		c.updateMember(g, m, j)
		c.prepareRebalance(g)
	default:
		return kerr.UnknownMemberID
	}
	return nil
}

// checkMember validates a known member id and its instance id.
func (cg *classicGroup) checkMember(memberID string, iid *string, m *member) *kerr.Error {
	if iid != nil {
		if cur, ok := cg.statics[*iid]; ok && cur != memberID {
			return kerr.FencedInstanceID
		}
	}
	if m == nil {
		return kerr.UnknownMemberID
	}
	if iid != nil && m.instanceID != *iid {
		return kerr.FencedInstanceID
	}
	return nil
}

// resendJoin answers a rejoin that changes nothing with the current
// generation.
func (c *Coordinator) resendJoin(g *group, m *member, j *joinReq) {
	c.resetHeartbeat(g, m)
	resp := c.joinResponse(g, m, j.r.Version)
	c.replyJoin(g, j.respond, resp)
}

func (c *Coordinator) addMember(g *group, id string, j *joinReq) {
	cg := &g.classic
	cg.seq++
	m := &member{id: id, seq: cg.seq}
	if j.r.InstanceID != nil {
		m.instanceID = *j.r.InstanceID
		cg.statics[m.instanceID] = id
	}
	if len(cg.members) == 0 {
		cg.protocolType = j.r.ProtocolType
	}
	cg.members[id] = m
	c.updateMember(g, m, j)
	if cg.delaying {
		cg.newMemberInDelay = true
	}
	if cg.state == StatePreparingRebalance {
		c.maybeCompleteJoin(g)
		return
	}
	c.prepareRebalance(g)
}

func (c *Coordinator) updateMember(g *group, m *member, j *joinReq) {
	m.clientID, m.clientHost = j.clientID, j.clientHost
	m.sessionTimeout = ms(j.r.SessionTimeoutMillis)
	m.rebalanceTimeout = ms(j.r.RebalanceTimeoutMillis)
	if j.r.Version == 0 || m.rebalanceTimeout <= 0 {
		m.rebalanceTimeout = m.sessionTimeout
	}
	m.protocols = j.ps
	if m.joinCB != nil { // a duplicate join: the older one learns it lost
		old := m.joinCB
		resp := joinError(m.id, kerr.UnknownMemberID)
		c.later(func() { old(resp) })
	}
	m.joinCB, m.joinVer = j.respond, j.r.Version
	m.heartbeat.stop() // rebalance timeout governs a joining member
}

// replaceStatic gives a known static member a new member id (KIP-345):
// the old id is fenced; a stable group keeps its assignment.
func (c *Coordinator) replaceStatic(g *group, oldID string, j *joinReq) *kerr.Error {
	cg := &g.classic
	m := cg.members[oldID]
	newID := newMemberID(j.clientID)
	c.fenceCallbacks(m)
	delete(cg.members, oldID)
	m.id = newID
	cg.members[newID] = m
	cg.statics[m.instanceID] = newID
	if cg.leader == oldID {
		cg.leader = newID
	}
	switch cg.state {
	case StateStable:
		if m.sameProtocols(j.ps) {
			m.clientID, m.clientHost = j.clientID, j.clientHost
			if err := c.storeGroup(g); err != nil {
				return writeErrCode(err, kerr.UnknownServerError)
			}
			c.resetHeartbeat(g, m)
			resp := c.joinResponse(g, m, j.r.Version)
			resp.Members = nil
			resp.SkipAssignment = false
			c.replyJoin(g, j.respond, resp)
			return nil
		}
		c.updateMember(g, m, j)
		c.prepareRebalance(g)
	case StatePreparingRebalance:
		c.updateMember(g, m, j)
		c.maybeCompleteJoin(g)
	default:
		c.updateMember(g, m, j)
		c.prepareRebalance(g)
	}
	return nil
}

// fenceCallbacks answers a replaced static member's parked requests.
func (c *Coordinator) fenceCallbacks(m *member) {
	if cb := m.joinCB; cb != nil {
		resp := joinError(m.id, kerr.FencedInstanceID)
		c.later(func() { cb(resp) })
		m.joinCB = nil
	}
	if cb := m.syncCB; cb != nil {
		resp := syncError(kerr.FencedInstanceID)
		c.later(func() { cb(resp) })
		m.syncCB = nil
	}
}

// prepareRebalance moves the group to PreparingRebalance and arms the
// join timeout (or the initial delay for a group that was empty).
func (c *Coordinator) prepareRebalance(g *group) {
	cg := &g.classic
	if cg.state == StateCompletingRebalance {
		c.failSyncs(g, kerr.RebalanceInProgress)
	}
	initial := cg.state == StateEmpty
	c.setClassicState(g, StatePreparingRebalance)
	cg.joinTimer.stop()
	rt := cg.maxRebalanceTimeout()
	if initial && c.cfg.InitialRebalanceDelay > 0 {
		delay := min(c.cfg.InitialRebalanceDelay, rt)
		cg.delaying, cg.delayRemaining, cg.newMemberInDelay = true, rt-delay, false
		cg.joinTimer = c.after(delay, func() { c.initialDelayDone(g) })
		return
	}
	cg.joinTimer = c.after(rt, func() { c.completeJoin(g) })
	c.maybeCompleteJoin(g)
}

// initialDelayDone extends the initial delay while members keep
// arriving, up to the rebalance timeout, as Kafka's InitialDelayedJoin.
func (c *Coordinator) initialDelayDone(g *group) {
	cg := &g.classic
	if cg.newMemberInDelay && cg.delayRemaining > 0 {
		delay := min(c.cfg.InitialRebalanceDelay, cg.delayRemaining)
		cg.delayRemaining -= delay
		cg.newMemberInDelay = false
		cg.joinTimer = c.after(delay, func() { c.initialDelayDone(g) })
		return
	}
	cg.delaying = false
	c.completeJoin(g)
}

func (c *Coordinator) maybeCompleteJoin(g *group) {
	cg := &g.classic
	if cg.state == StatePreparingRebalance && !cg.delaying && cg.allJoined() {
		cg.joinTimer.stop()
		c.completeJoin(g)
	}
}

func (c *Coordinator) setClassicState(g *group, s string) {
	g.classic.state = s
	g.stateMs = c.now().UnixMilli()
}
