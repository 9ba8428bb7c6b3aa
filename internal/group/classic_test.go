package group

import (
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// joinReq builds a JoinGroup v9 for the consumer protocol.
func joinRequest(group, member string, meta string) *kmsg.JoinGroupRequest {
	r := kmsg.NewPtrJoinGroupRequest()
	r.Version = 9
	r.Group, r.MemberID = group, member
	r.SessionTimeoutMillis, r.RebalanceTimeoutMillis = 1000, 2000
	r.ProtocolType = "consumer"
	r.Protocols = []kmsg.JoinGroupRequestProtocol{{Name: "range", Metadata: []byte(meta)}}
	return r
}

// join sends a JoinGroup and returns a function that reports its answer
// (nil while parked).
func (h *harness) join(r *kmsg.JoinGroupRequest) func() *kmsg.JoinGroupResponse {
	var got *kmsg.JoinGroupResponse
	h.c.JoinGroup(r, "client", "/127.0.0.1", func(resp *kmsg.JoinGroupResponse) { got = resp })
	return func() *kmsg.JoinGroupResponse { return got }
}

// joinNew joins with the KIP-394 two-step and returns the answer getter.
func (h *harness) joinNew(t *testing.T, group string) (string, func() *kmsg.JoinGroupResponse) {
	t.Helper()
	first := h.join(joinRequest(group, "", "m"))()
	if first == nil || first.ErrorCode != kerr.MemberIDRequired.Code || first.MemberID == "" {
		t.Fatalf("first join: %+v", first)
	}
	return first.MemberID, h.join(joinRequest(group, first.MemberID, "m"))
}

func (h *harness) sync(group, member string, gen int32, as map[string]string) func() *kmsg.SyncGroupResponse {
	r := kmsg.NewPtrSyncGroupRequest()
	r.Version = 5
	r.Group, r.MemberID, r.Generation = group, member, gen
	for m, a := range as {
		r.GroupAssignment = append(r.GroupAssignment, kmsg.SyncGroupRequestGroupAssignment{MemberID: m, MemberAssignment: []byte(a)})
	}
	var got *kmsg.SyncGroupResponse
	h.c.SyncGroup(r, func(resp *kmsg.SyncGroupResponse) { got = resp })
	return func() *kmsg.SyncGroupResponse { return got }
}

func (h *harness) heartbeat(group, member string, gen int32) int16 {
	r := kmsg.NewPtrHeartbeatRequest()
	r.Group, r.MemberID, r.Generation = group, member, gen
	return h.c.Heartbeat(r).ErrorCode
}

// stableGroup forms a group of two members and returns their ids, the
// leader first, and the generation.
func stableGroup(t *testing.T, h *harness, group string) (leader, follower string, gen int32) {
	t.Helper()
	a, aj := h.joinNew(t, group)
	if aj() == nil || aj().Generation != 1 {
		t.Fatalf("single member join: %+v", aj())
	}
	b, bj := h.joinNew(t, group)
	if bj() != nil {
		t.Fatal("second member answered before the first rejoined")
	}
	if code := h.heartbeat(group, a, 1); code != kerr.RebalanceInProgress.Code {
		t.Fatalf("heartbeat during rebalance: %d", code)
	}
	aj2 := h.join(joinRequest(group, a, "m"))
	ra, rb := aj2(), bj()
	if ra == nil || rb == nil || ra.Generation != 2 || rb.Generation != 2 || ra.LeaderID != a || len(ra.Members) != 2 || len(rb.Members) != 0 {
		t.Fatalf("rejoin answers: %+v %+v", ra, rb)
	}
	fs := h.sync(group, b, 2, nil)
	if fs() != nil {
		t.Fatal("follower sync answered before the leader's")
	}
	ls := h.sync(group, a, 2, map[string]string{a: "A", b: "B"})
	if string(ls().MemberAssignment) != "A" || string(fs().MemberAssignment) != "B" {
		t.Fatalf("assignments: %q %q", ls().MemberAssignment, fs().MemberAssignment)
	}
	return a, b, 2
}

func TestClassicRebalanceAndSessionTimeout(t *testing.T) {
	h := newHarness(nil)
	a, b, gen := stableGroup(t, h, "g")
	if code := h.heartbeat("g", b, gen); code != 0 {
		t.Fatalf("heartbeat: %d", code)
	}
	// b stops heartbeating: after its session timeout the group rebalances
	// and a, rejoining, becomes the only member.
	h.clock.Advance(500 * time.Millisecond)
	if code := h.heartbeat("g", a, gen); code != 0 {
		t.Fatalf("heartbeat: %d", code)
	}
	h.clock.Advance(600 * time.Millisecond)
	if code := h.heartbeat("g", a, gen); code != kerr.RebalanceInProgress.Code {
		t.Fatalf("after b expired: %d", code)
	}
	rj := h.join(joinRequest("g", a, "m"))
	if rj() == nil || rj().Generation != 3 || len(rj().Members) != 1 {
		t.Fatalf("rejoin: %+v", rj())
	}
}

func TestClassicBadInput(t *testing.T) {
	for _, tc := range []struct {
		name string
		mod  func(*Config)
		run  func(t *testing.T, h *harness, leader, follower string, gen int32) int16
		want *kerr.Error
	}{
		{"heartbeat unknown member", nil, func(t *testing.T, h *harness, _, _ string, gen int32) int16 {
			return h.heartbeat("g", "nobody", gen)
		}, kerr.UnknownMemberID},
		{"heartbeat stale generation", nil, func(t *testing.T, h *harness, l, _ string, gen int32) int16 {
			return h.heartbeat("g", l, gen-1)
		}, kerr.IllegalGeneration},
		{"sync stale generation", nil, func(t *testing.T, h *harness, l, _ string, gen int32) int16 {
			return h.sync("g", l, gen+1, nil)().ErrorCode
		}, kerr.IllegalGeneration},
		{"join other protocol type", nil, func(t *testing.T, h *harness, _, _ string, _ int32) int16 {
			r := joinRequest("g", "", "m")
			r.ProtocolType = "connect"
			return h.join(r)().ErrorCode
		}, kerr.InconsistentGroupProtocol},
		{"join unknown member id", nil, func(t *testing.T, h *harness, _, _ string, _ int32) int16 {
			return h.join(joinRequest("g", "ghost", "m"))().ErrorCode
		}, kerr.UnknownMemberID},
		{"join bad session timeout", nil, func(t *testing.T, h *harness, _, _ string, _ int32) int16 {
			r := joinRequest("g", "", "m")
			r.SessionTimeoutMillis = 1
			return h.join(r)().ErrorCode
		}, kerr.InvalidSessionTimeout},
		{"group.max.size", func(c *Config) { c.MaxSize = 2 }, func(t *testing.T, h *harness, _, _ string, _ int32) int16 {
			return h.join(joinRequest("g", "", "m"))().ErrorCode
		}, kerr.GroupMaxSizeReached},
		{"oversized member metadata", func(c *Config) { c.MaxRecordBytes = 4096 }, func(t *testing.T, h *harness, l, f string, gen int32) int16 {
			big := string(make([]byte, 8192))
			rf := h.join(joinRequest("g", f, big)) // changed metadata: rebalance
			rl := h.join(joinRequest("g", l, "m"))
			if rf() == nil || rl() == nil {
				t.Fatal("rejoin parked")
			}
			return h.sync("g", l, rl().Generation, nil)().ErrorCode
		}, kerr.UnknownServerError},
		{"commit stale generation", nil, func(t *testing.T, h *harness, l, _ string, gen int32) int16 {
			return h.commit("g", l, gen-1, "t", 0, "")
		}, kerr.IllegalGeneration},
		{"commit unknown member", nil, func(t *testing.T, h *harness, _, _ string, gen int32) int16 {
			return h.commit("g", "ghost", gen, "t", 0, "")
		}, kerr.UnknownMemberID},
		{"commit metadata too large", nil, func(t *testing.T, h *harness, l, _ string, gen int32) int16 {
			return h.commit("g", l, gen, "t", 0, string(make([]byte, 5000)))
		}, kerr.OffsetMetadataTooLarge},
		{"commit unknown topic", nil, func(t *testing.T, h *harness, l, _ string, gen int32) int16 {
			return h.commit("g", l, gen, "nope", 0, "")
		}, kerr.UnknownTopicOrPartition},
		{"simple commit to live group", nil, func(t *testing.T, h *harness, _, _ string, _ int32) int16 {
			return h.commit("g", "", -1, "t", 0, "")
		}, kerr.UnknownMemberID},
		{"delete live group", nil, func(t *testing.T, h *harness, _, _ string, _ int32) int16 {
			return h.c.DeleteGroups(&kmsg.DeleteGroupsRequest{Groups: []string{"g"}}).Groups[0].ErrorCode
		}, kerr.NonEmptyGroup},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(tc.mod)
			l, f, gen := stableGroup(t, h, "g")
			if got := tc.run(t, h, l, f, gen); got != tc.want.Code {
				t.Fatalf("error %v, want %v", kerr.ErrorForCode(got), tc.want)
			}
			// The coordinator goes on serving other groups.
			stableGroup(t, h, "other")
			if code := h.commit("other", "", -1, "t", 0, ""); code != kerr.UnknownMemberID.Code {
				t.Fatalf("other group: %v", kerr.ErrorForCode(code))
			}
		})
	}
}

func (h *harness) commit(group, member string, gen int32, topic string, p int32, md string) int16 {
	r := kmsg.NewPtrOffsetCommitRequest()
	r.Version = 9
	r.Group, r.MemberID, r.Generation = group, member, gen
	rt := kmsg.NewOffsetCommitRequestTopic()
	rt.Topic = topic
	rt.Partitions = []kmsg.OffsetCommitRequestTopicPartition{{Partition: p, Offset: 42, LeaderEpoch: -1, Metadata: &md}}
	r.Topics = append(r.Topics, rt)
	return h.c.OffsetCommit(r).Topics[0].Partitions[0].ErrorCode
}

func TestStaticMemberRejoinKeepsAssignment(t *testing.T) {
	h := newHarness(nil)
	iid := "static"
	r := joinRequest("s", "", "m")
	r.InstanceID = &iid
	first := h.join(r)()
	if first.ErrorCode != 0 || first.Generation != 1 {
		t.Fatalf("static join: %+v", first)
	}
	h.sync("s", first.MemberID, 1, map[string]string{first.MemberID: "A"})
	// The process restarts: same instance id, no member id.
	again := h.join(r)()
	if again.ErrorCode != 0 || again.Generation != 1 || again.MemberID == first.MemberID {
		t.Fatalf("static rejoin: %+v", again)
	}
	if code := h.heartbeat("s", first.MemberID, 1); code != kerr.UnknownMemberID.Code {
		t.Fatalf("old id heartbeat: %v", kerr.ErrorForCode(code))
	}
	if a := h.sync("s", again.MemberID, 1, nil)(); string(a.MemberAssignment) != "A" {
		t.Fatalf("assignment after static rejoin: %+v", a)
	}
}

func TestOffsetsReplay(t *testing.T) {
	h := newHarness(nil)
	l, _, gen := stableGroup(t, h, "g")
	if code := h.commit("g", l, gen, "t", 2, "x"); code != 0 {
		t.Fatal(kerr.ErrorForCode(code))
	}
	if code := h.commit("simple", "", -1, "u", 1, ""); code != 0 {
		t.Fatal(kerr.ErrorForCode(code))
	}
	h.c.Close()
	h2 := &harness{clock: h.clock, store: h.store, meta: h.meta}
	h2.c = New(h.c.cfg, h2.clock, h2.store, func() Metadata { return h2.meta })
	if err := h2.c.Load(); err != nil {
		t.Fatal(err)
	}
	r := kmsg.NewPtrOffsetFetchRequest()
	r.Version = 8
	r.Groups = []kmsg.OffsetFetchRequestGroup{{Group: "g"}, {Group: "simple"}}
	resp := h2.c.OffsetFetch(r)
	if p := resp.Groups[0].Topics[0].Partitions[0]; p.Offset != 42 || *p.Metadata != "x" || p.Partition != 2 {
		t.Fatalf("g offsets after replay: %+v", p)
	}
	if p := resp.Groups[1].Topics[0].Partitions[0]; p.Offset != 42 || p.Partition != 1 {
		t.Fatalf("simple offsets after replay: %+v", p)
	}
	if code := h2.heartbeat("g", l, gen); code != 0 {
		t.Fatalf("loaded member heartbeat: %v", kerr.ErrorForCode(code))
	}
	lg := h2.c.ListGroups(&kmsg.ListGroupsRequest{StatesFilter: []string{"stable"}})
	if len(lg.Groups) != 1 || lg.Groups[0].Group != "g" {
		t.Fatalf("stable groups: %+v", lg.Groups)
	}
}

func TestOffsetExpiry(t *testing.T) {
	h := newHarness(func(c *Config) {
		c.OffsetsRetention = time.Hour
		c.RetentionCheckInterval = time.Minute
	})
	if code := h.commit("simple", "", -1, "t", 0, ""); code != 0 {
		t.Fatal(kerr.ErrorForCode(code))
	}
	h.clock.Advance(59 * time.Minute)
	if len(h.c.ListGroups(&kmsg.ListGroupsRequest{}).Groups) != 1 {
		t.Fatal("group expired early")
	}
	h.clock.Advance(2 * time.Minute)
	if n := len(h.c.ListGroups(&kmsg.ListGroupsRequest{}).Groups); n != 0 {
		t.Fatalf("%d groups after retention", n)
	}
}

func TestPartitionFor(t *testing.T) {
	// Java: "a".hashCode() == 97; "polygenelubricants".hashCode() == Integer.MIN_VALUE.
	for _, tc := range []struct {
		id   string
		want int32
	}{{"a", 47}, {"polygenelubricants", 0}, {"", 0}} {
		if got := partitionFor(tc.id, 50); got != tc.want {
			t.Errorf("partitionFor(%q) = %d, want %d", tc.id, got, tc.want)
		}
	}
}
