package group

import (
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// subscription is a ConsumerProtocolSubscription of topic t owning ps.
func subscription(owned ...int32) string {
	m := kmsg.NewConsumerMemberMetadata()
	m.Version, m.Topics = 3, []string{"t"}
	if len(owned) > 0 {
		m.OwnedPartitions = []kmsg.ConsumerMemberMetadataOwnedPartition{{Topic: "t", Partitions: owned}}
	}
	return string(m.AppendTo(nil))
}

func assignmentBytes(ps ...int32) string {
	a := kmsg.NewConsumerMemberAssignment()
	a.Topics = []kmsg.ConsumerMemberAssignmentTopic{{Topic: "t", Partitions: ps}}
	return string(a.AppendTo(nil))
}

func decodeAssigned(t *testing.T, b []byte) []int32 {
	t.Helper()
	var a kmsg.ConsumerMemberAssignment
	if err := a.ReadFrom(b); err != nil {
		t.Fatal(err)
	}
	var out []int32
	for _, at := range a.Topics {
		out = append(out, at.Partitions...)
	}
	return out
}

// classicMember forms a one-member classic group "cg" owning all of t.
func classicMember(t *testing.T, h *harness) (string, int32) {
	t.Helper()
	first := h.join(joinRequest("cg", "", subscription()))()
	id := first.MemberID
	j := h.join(joinRequest("cg", id, subscription()))()
	if j == nil || j.ErrorCode != 0 {
		t.Fatalf("classic join: %+v", j)
	}
	if s := h.sync("cg", id, j.Generation, map[string]string{id: assignmentBytes(0, 1, 2, 3)})(); s == nil || s.ErrorCode != 0 {
		t.Fatalf("classic sync: %+v", s)
	}
	return id, j.Generation
}

// TestMixedGroupUpgradeAndDowngrade: a KIP-848 member joining a live
// classic group converts it; the classic member rejoins, revokes and keeps
// half; the KIP-848 member gets the other half only once released; the
// group goes back to classic when the KIP-848 member leaves.
func TestMixedGroupUpgradeAndDowngrade(t *testing.T) {
	h := newHarness(nil)
	cid, gen := classicMember(t, h)
	b := h.cgHeartbeat("b", 0, nil)
	if b.ErrorCode != 0 || owns(b) != 0 || b.MemberEpoch != gen+1 {
		t.Fatalf("KIP-848 join: %v epoch %d owns %d", kerr.ErrorForCode(b.ErrorCode), b.MemberEpoch, owns(b))
	}
	if code := h.heartbeat("cg", cid, gen); code != kerr.RebalanceInProgress.Code {
		t.Fatalf("classic heartbeat after upgrade: %v", kerr.ErrorForCode(code))
	}
	j := h.join(joinRequest("cg", cid, subscription(0, 1, 2, 3)))()
	if j.ErrorCode != 0 || j.Generation != gen || j.LeaderID != "" {
		t.Fatalf("classic rejoin: %+v", j)
	}
	s := h.sync("cg", cid, j.Generation, nil)()
	kept := decodeAssigned(t, s.MemberAssignment)
	if s.ErrorCode != 0 || len(kept) != 2 {
		t.Fatalf("classic sync: %v %v", kerr.ErrorForCode(s.ErrorCode), kept)
	}
	if b = h.cgHeartbeat("b", b.MemberEpoch, nil); owns(b) != 0 {
		t.Fatalf("KIP-848 member got partitions still owned: %d", owns(b))
	}
	if code := h.heartbeat("cg", cid, gen); code != kerr.RebalanceInProgress.Code {
		t.Fatalf("classic heartbeat while revoking: %v", kerr.ErrorForCode(code))
	}
	j = h.join(joinRequest("cg", cid, subscription(kept...)))()
	if j.ErrorCode != 0 || j.Generation != b.MemberEpoch {
		t.Fatalf("classic rejoin after revoking: %+v", j)
	}
	if b = h.cgHeartbeat("b", b.MemberEpoch, nil); owns(b) != 2 {
		t.Fatalf("KIP-848 member after release owns %d", owns(b))
	}
	if code := h.heartbeat("cg", cid, j.Generation); code != 0 {
		t.Fatalf("classic heartbeat when reconciled: %v", kerr.ErrorForCode(code))
	}
	h.cgHeartbeat("b", -1, nil)
	lg := h.c.ListGroups(kmsg.NewPtrListGroupsRequest())
	if lg.Groups[0].GroupType != TypeClassic || lg.Groups[0].GroupState != StatePreparingRebalance {
		t.Fatalf("after the KIP-848 member left: %+v", lg.Groups[0])
	}
	if code := h.heartbeat("cg", cid, j.Generation); code != kerr.RebalanceInProgress.Code {
		t.Fatalf("classic heartbeat after downgrade: %v", kerr.ErrorForCode(code))
	}
}

func TestMigrationPolicy(t *testing.T) {
	for _, tc := range []struct {
		policy string
		code   int16
	}{{"disabled", kerr.GroupIDNotFound.Code}, {"downgrade", kerr.GroupIDNotFound.Code}, {"Upgrade", 0}} {
		h := newHarness(func(c *Config) { c.MigrationPolicy = tc.policy })
		classicMember(t, h)
		if b := h.cgHeartbeat("b", 0, nil); b.ErrorCode != tc.code {
			t.Errorf("%s: KIP-848 join to a classic group: %v", tc.policy, kerr.ErrorForCode(b.ErrorCode))
		}
	}
}

// TestRevocationTimeout: a member that does not revoke within its
// rebalance timeout is fenced and its partitions move on.
func TestRevocationTimeout(t *testing.T) {
	h := newHarness(nil)
	h.cgHeartbeat("a", 0, nil)
	b := h.cgHeartbeat("b", 0, nil)
	if a := h.cgHeartbeat("a", 1, nil); owns(a) != 2 {
		t.Fatalf("a revoking owns %d", owns(a))
	}
	h.cgHeartbeat("b", b.MemberEpoch, nil)
	h.clock.Advance(1100 * time.Millisecond) // rebalance timeout 1000ms
	if a := h.cgHeartbeat("a", 1, nil); a.ErrorCode != kerr.UnknownMemberID.Code {
		t.Fatalf("a after revocation timeout: %v", kerr.ErrorForCode(a.ErrorCode))
	}
	if b = h.cgHeartbeat("b", b.MemberEpoch, nil); owns(b) != 4 {
		t.Fatalf("b after a was fenced owns %d", owns(b))
	}
}

func (h *harness) staticHeartbeat(member, iid string, epoch int32) *kmsg.ConsumerGroupHeartbeatResponse {
	r := kmsg.NewPtrConsumerGroupHeartbeatRequest()
	r.Version = 1
	r.Group, r.MemberID, r.MemberEpoch, r.InstanceID = "cg", member, epoch, &iid
	r.RebalanceTimeoutMillis = 1000
	if epoch == 0 {
		r.SubscribedTopicNames = []string{"t"}
	}
	return h.c.ConsumerGroupHeartbeat(r, "client", "/127.0.0.1")
}

// TestStaticMemberTemporaryLeave: epoch -2 keeps the assignment for the
// static member's return; a second instance with the id is refused while
// the first is active.
func TestStaticMemberTemporaryLeave(t *testing.T) {
	h := newHarness(nil)
	a := h.staticHeartbeat("a", "i1", 0)
	h.cgHeartbeat("b", 0, nil)
	a = h.staticHeartbeat("a", "i1", a.MemberEpoch)
	a = h.staticHeartbeat("a", "i1", a.MemberEpoch)
	if dup := h.staticHeartbeat("a2", "i1", 0); dup.ErrorCode != kerr.UnreleasedInstanceID.Code {
		t.Fatalf("second instance: %v", kerr.ErrorForCode(dup.ErrorCode))
	}
	before := owns(a)
	if r := h.staticHeartbeat("a", "i1", -2); r.ErrorCode != 0 || r.MemberEpoch != -2 {
		t.Fatalf("static leave: %+v", r)
	}
	back := h.staticHeartbeat("a3", "i1", 0)
	if back.ErrorCode != 0 || owns(back) != before || before == 0 {
		t.Fatalf("static return: %v owns %d, had %d", kerr.ErrorForCode(back.ErrorCode), owns(back), before)
	}
}

// TestConsumerGroupSurvivesRestart: members keep their ids, epochs and
// assignments across a reload of __consumer_offsets.
func TestConsumerGroupSurvivesRestart(t *testing.T) {
	h := newHarness(nil)
	a := h.cgHeartbeat("a", 0, nil)
	b := h.cgHeartbeat("b", 0, nil)
	a = h.cgHeartbeat("a", a.MemberEpoch, nil)
	a = h.cgHeartbeat("a", a.MemberEpoch, map[string][]int32{"t": a.Assignment.Topics[0].Partitions})
	b = h.cgHeartbeat("b", b.MemberEpoch, nil)
	h.c.Close()
	h2 := &harness{clock: h.clock, store: h.store, meta: h.meta}
	h2.c = New(h.c.cfg, h2.clock, h2.store, func() Metadata { return h2.meta })
	if err := h2.c.Load(); err != nil {
		t.Fatal(err)
	}
	for _, prev := range []*kmsg.ConsumerGroupHeartbeatResponse{a, b} {
		r := h2.cgHeartbeat(*prev.MemberID, prev.MemberEpoch, nil)
		if r.ErrorCode != 0 || r.MemberEpoch != prev.MemberEpoch || owns(r) != 2 {
			t.Fatalf("%s after reload: %v epoch %d owns %d", *prev.MemberID, kerr.ErrorForCode(r.ErrorCode), r.MemberEpoch, owns(r))
		}
	}
	d := h2.c.ConsumerGroupDescribe(&kmsg.ConsumerGroupDescribeRequest{Groups: []string{"cg"}})
	if g := d.Groups[0]; g.State != StateStable || g.Epoch != a.MemberEpoch || len(g.Members) != 2 {
		t.Fatalf("describe after reload: %+v", g)
	}
	// Deleting the empty group leaves nothing to replay.
	h2.cgHeartbeat("a", a.MemberEpoch, nil)
	h2.cgHeartbeat("a", -1, nil)
	h2.cgHeartbeat("b", -1, nil)
	if r := h2.c.DeleteGroups(&kmsg.DeleteGroupsRequest{Groups: []string{"cg"}}); r.Groups[0].ErrorCode != 0 {
		t.Fatal(kerr.ErrorForCode(r.Groups[0].ErrorCode))
	}
	h3 := New(h.c.cfg, h.clock, h.store, func() Metadata { return h.meta })
	if err := h3.Load(); err != nil {
		t.Fatal(err)
	}
	if lg := h3.ListGroups(kmsg.NewPtrListGroupsRequest()); len(lg.Groups) != 0 {
		t.Fatalf("groups after delete and reload: %+v", lg.Groups)
	}
}

func TestDeletedTopicOffsetsPurged(t *testing.T) {
	h := newHarness(nil)
	h.commit("simple", "", -1, "t", 1, "")
	h.commit("simple", "", -1, "u", 0, "")
	h.c.TopicsDeleted([]string{"t"})
	r := kmsg.NewPtrOffsetFetchRequest()
	r.Version = 8
	r.Groups = []kmsg.OffsetFetchRequestGroup{{Group: "simple"}}
	resp := h.c.OffsetFetch(r)
	if ts := resp.Groups[0].Topics; len(ts) != 1 || ts[0].Topic != "u" {
		t.Fatalf("offsets after deleting t: %+v", ts)
	}
}

// TestConsumerGroupBadInput: Kafka's error codes for bad KIP-848 and
// mixed-group requests, and the coordinator goes on serving other groups.
func TestConsumerGroupBadInput(t *testing.T) {
	h := newHarness(func(c *Config) { c.ConsumerMaxSize = 2 })
	a := h.cgHeartbeat("a", 0, nil)
	h.cgHeartbeat("b", 0, nil)
	sync := kmsg.NewPtrSyncGroupRequest()
	sync.Group, sync.MemberID, sync.Generation = "cg", "a", a.MemberEpoch
	var syncResp *kmsg.SyncGroupResponse
	h.c.SyncGroup(sync, func(r *kmsg.SyncGroupResponse) { syncResp = r })
	for _, tc := range []struct {
		name string
		got  int16
		want *kerr.Error
	}{
		{"group.consumer.max.size", h.cgHeartbeat("c", 0, nil).ErrorCode, kerr.GroupMaxSizeReached},
		{"classic join over max size", h.join(joinRequest("cg", "", subscription()))().ErrorCode, kerr.GroupMaxSizeReached},
		{"bad member epoch", h.cgHeartbeat("a", -3, nil).ErrorCode, kerr.InvalidRequest},
		{"fenced member epoch", h.cgHeartbeat("a", a.MemberEpoch+5, nil).ErrorCode, kerr.FencedMemberEpoch},
		{"unknown member", h.cgHeartbeat("zz", 1, nil).ErrorCode, kerr.UnknownMemberID},
		{"classic heartbeat for a KIP-848 member", h.heartbeat("cg", "a", a.MemberEpoch), kerr.UnknownMemberID},
		{"classic sync for a KIP-848 member", syncResp.ErrorCode, kerr.UnknownMemberID},
	} {
		if tc.got != tc.want.Code {
			t.Errorf("%s: %v, want %v", tc.name, kerr.ErrorForCode(tc.got), tc.want)
		}
	}
	if code := h.commit("other", "", -1, "t", 0, ""); code != 0 {
		t.Fatalf("other group: %v", kerr.ErrorForCode(code))
	}
}
