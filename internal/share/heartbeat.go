package share

import (
	"maps"
	"slices"
	"sort"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// shareGroup is one share group's membership. Membership lives in
// memory: after a restart members rejoin (UNKNOWN_MEMBER_ID answers
// their old epoch), while the share partitions' state is durable.
type shareGroup struct {
	id      string
	epoch   int32
	members map[string]*member
	target  map[string][]TP // the simple assignor's result by member
}

type member struct {
	id, clientID, host string
	rack               *string
	epoch              int32
	topics             []string
	lastSeen           time.Time
	sent               []TP // assignment last sent
}

// Member is the client identity of a heartbeat.
type Member struct{ ClientID, Host string }

// Heartbeat serves ShareGroupHeartbeat (KIP-932).
func (c *Coordinator) Heartbeat(r *kmsg.ShareGroupHeartbeatRequest, who Member) *kmsg.ShareGroupHeartbeatResponse {
	resp := r.ResponseKind().(*kmsg.ShareGroupHeartbeatResponse)
	resp.HeartbeatIntervalMillis = int32(c.Settings(r.GroupID).HeartbeatInterval.Milliseconds())
	if err := c.heartbeat(r, who, resp); err != nil {
		resp.ErrorCode = err.Code
		msg := err.Message
		resp.ErrorMessage = &msg
		resp.Assignment = nil
	}
	return resp
}

func (c *Coordinator) heartbeat(r *kmsg.ShareGroupHeartbeatRequest, who Member, resp *kmsg.ShareGroupHeartbeatResponse) *kerr.Error {
	switch {
	case r.GroupID == "" || r.MemberID == "":
		return kerr.InvalidRequest
	case r.MemberEpoch == 0 && len(r.SubscribedTopicNames) == 0:
		return kerr.InvalidRequest
	case r.MemberEpoch < -1:
		return kerr.InvalidRequest
	}
	id := r.MemberID
	resp.MemberID = &id
	if r.MemberEpoch == -1 {
		c.leave(r.GroupID, r.MemberID)
		resp.MemberEpoch = -1
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	g, m, err := c.memberLocked(r, who)
	if err != nil {
		return err
	}
	m.lastSeen = c.now()
	if r.SubscribedTopicNames != nil {
		m.topics = slices.Sorted(slices.Values(r.SubscribedTopicNames))
	}
	c.reassignLocked(g)
	resp.MemberEpoch = c.answerLocked(g, m, resp)
	return nil
}

// memberLocked finds or creates the heartbeat's group and member.
func (c *Coordinator) memberLocked(r *kmsg.ShareGroupHeartbeatRequest, who Member) (*shareGroup, *member, *kerr.Error) {
	g := c.mu.groups[r.GroupID]
	if r.MemberEpoch > 0 {
		if g == nil || g.members[r.MemberID] == nil {
			return nil, nil, kerr.UnknownMemberID
		}
		m := g.members[r.MemberID]
		if m.epoch != r.MemberEpoch {
			return nil, nil, kerr.FencedMemberEpoch
		}
		return g, m, nil
	}
	if g == nil {
		g = &shareGroup{id: r.GroupID, members: map[string]*member{}}
		c.mu.groups[r.GroupID] = g
	}
	m := g.members[r.MemberID]
	if m == nil {
		if len(g.members) >= c.cfg.MaxSize {
			return nil, nil, kerr.GroupMaxSizeReached
		}
		m = &member{id: r.MemberID}
		g.members[r.MemberID] = m
	}
	m.clientID, m.host, m.rack, m.epoch, m.sent = who.ClientID, who.Host, r.RackID, 0, nil
	return g, m, nil
}

// answerLocked brings the member to the group epoch and fills in its
// assignment when it changed since the last one sent.
func (c *Coordinator) answerLocked(g *shareGroup, m *member, resp *kmsg.ShareGroupHeartbeatResponse) int32 {
	m.epoch = g.epoch
	want := g.target[m.id]
	if m.sent != nil && slices.Equal(m.sent, want) {
		return m.epoch
	}
	m.sent = append([]TP{}, want...)
	a := &kmsg.ShareGroupHeartbeatResponseAssignment{TopicPartitions: []kmsg.ShareGroupHeartbeatResponseAssignmentTopicPartition{}}
	for _, tp := range want {
		n := len(a.TopicPartitions)
		if n == 0 || a.TopicPartitions[n-1].TopicID != tp.TopicID {
			a.TopicPartitions = append(a.TopicPartitions, kmsg.ShareGroupHeartbeatResponseAssignmentTopicPartition{TopicID: tp.TopicID})
			n++
		}
		a.TopicPartitions[n-1].Partitions = append(a.TopicPartitions[n-1].Partitions, tp.Partition)
	}
	resp.Assignment = a
	return m.epoch
}

// leave removes a member and gives back what it holds.
func (c *Coordinator) leave(groupID, memberID string) {
	c.mu.Lock()
	if g := c.mu.groups[groupID]; g != nil && g.members[memberID] != nil {
		delete(g.members, memberID)
		c.reassignLocked(g)
	}
	c.mu.Unlock()
	c.closeSessions(groupID, memberID)
	c.releaseMember(groupID, memberID)
}

// expireMembers removes members silent for the session timeout.
func (c *Coordinator) expireMembers(now time.Time) {
	type gm struct{ g, m string }
	var gone []gm
	c.mu.Lock()
	ids := make([]string, 0, len(c.mu.groups))
	for id := range c.mu.groups {
		ids = append(ids, id)
	}
	c.mu.Unlock()
	timeouts := make(map[string]time.Duration, len(ids))
	for _, id := range ids { // settings read the metadata: not under mu
		timeouts[id] = c.Settings(id).SessionTimeout
	}
	c.mu.Lock()
	for _, g := range c.mu.groups {
		for id, m := range g.members {
			if t, ok := timeouts[g.id]; ok && now.Sub(m.lastSeen) > t {
				gone = append(gone, gm{g.id, id})
			}
		}
	}
	c.mu.Unlock()
	for _, x := range gone {
		c.leave(x.g, x.m)
	}
}

// reassignLocked runs the simple assignor and bumps the group epoch when
// the assignment changed.
func (c *Coordinator) reassignLocked(g *shareGroup) {
	target := c.assign(g)
	if assignmentsEqual(target, g.target) {
		return
	}
	g.target = target
	g.epoch++
}

func assignmentsEqual(a, b map[string][]TP) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || !slices.Equal(v, w) {
			return false
		}
	}
	return true
}

// assign is the simple assignor: every subscribed partition goes to one
// of its topic's subscribers in turn; members left with nothing share a
// partition of their topics, so every member has work when there are
// more members than partitions.
func (c *Coordinator) assign(g *shareGroup) map[string][]TP {
	ids := make([]string, 0, len(g.members))
	for id := range g.members {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	subs := map[string][]string{} // topic -> subscribers
	for _, id := range ids {
		for _, t := range g.members[id].topics {
			subs[t] = append(subs[t], id)
		}
	}
	meta := c.meta()
	out := map[string][]TP{}
	for _, id := range ids {
		out[id] = []TP{}
	}
	var all []TP
	tpSubs := map[TP][]string{}
	for _, t := range slices.Sorted(maps.Keys(subs)) {
		tid, n, ok := meta.Topic(t)
		if !ok {
			continue
		}
		for p := int32(0); p < n; p++ {
			tp := TP{tid, p}
			all = append(all, tp)
			tpSubs[tp] = subs[t]
		}
	}
	for i, tp := range all {
		s := tpSubs[tp]
		out[s[i%len(s)]] = append(out[s[i%len(s)]], tp)
	}
	fillIdle(ids, out, all, tpSubs)
	for id := range out {
		sortTPs(out[id])
	}
	return out
}

// fillIdle gives each member without partitions one partition it is
// subscribed to, spreading them in turn.
func fillIdle(ids []string, out map[string][]TP, all []TP, tpSubs map[TP][]string) {
	next := 0
	for _, id := range ids {
		if len(out[id]) > 0 || len(all) == 0 {
			continue
		}
		for tries := 0; tries < len(all); tries++ {
			tp := all[(next+tries)%len(all)]
			if slices.Contains(tpSubs[tp], id) {
				out[id] = append(out[id], tp)
				next += tries + 1
				break
			}
		}
	}
}

func sortTPs(tps []TP) {
	sort.Slice(tps, func(i, j int) bool {
		if tps[i].TopicID != tps[j].TopicID {
			return string(tps[i].TopicID[:]) < string(tps[j].TopicID[:])
		}
		return tps[i].Partition < tps[j].Partition
	})
}
