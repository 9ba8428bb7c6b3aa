package group

import (
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func (h *harness) cgHeartbeat(member string, epoch int32, owned map[string][]int32) *kmsg.ConsumerGroupHeartbeatResponse {
	r := kmsg.NewPtrConsumerGroupHeartbeatRequest()
	r.Version = 1
	r.Group, r.MemberID, r.MemberEpoch = "cg", member, epoch
	r.RebalanceTimeoutMillis = 1000
	if epoch == 0 {
		r.SubscribedTopicNames = []string{"t"}
	}
	if owned != nil {
		r.Topics = []kmsg.ConsumerGroupHeartbeatRequestTopic{}
		for t, ps := range owned {
			r.Topics = append(r.Topics, kmsg.ConsumerGroupHeartbeatRequestTopic{TopicID: idOf(t), Partitions: ps})
		}
	}
	return h.c.ConsumerGroupHeartbeat(r, "client", "/127.0.0.1")
}

func owns(resp *kmsg.ConsumerGroupHeartbeatResponse) int {
	n := 0
	for _, t := range resp.Assignment.Topics {
		n += len(t.Partitions)
	}
	return n
}

func TestConsumerGroupRevokeBeforeReassign(t *testing.T) {
	h := newHarness(nil)
	a := h.cgHeartbeat("a", 0, nil)
	if a.ErrorCode != 0 || a.MemberEpoch != 1 || owns(a) != 4 {
		t.Fatalf("first member: %+v", a)
	}
	b := h.cgHeartbeat("b", 0, nil)
	if b.MemberEpoch != 2 || owns(b) != 0 {
		t.Fatalf("second member before revocation: epoch %d owns %d", b.MemberEpoch, owns(b))
	}
	// a must revoke two partitions; its epoch holds until it does.
	a = h.cgHeartbeat("a", 1, nil)
	if a.MemberEpoch != 1 || owns(a) != 2 {
		t.Fatalf("a revoking: epoch %d owns %d", a.MemberEpoch, owns(a))
	}
	kept := map[string][]int32{"t": a.Assignment.Topics[0].Partitions}
	a = h.cgHeartbeat("a", 1, kept)
	if a.MemberEpoch != 2 || owns(a) != 2 {
		t.Fatalf("a after revocation: epoch %d owns %d", a.MemberEpoch, owns(a))
	}
	b = h.cgHeartbeat("b", 2, nil)
	if owns(b) != 2 {
		t.Fatalf("b after release: owns %d", owns(b))
	}
	// Fencing: a stale heartbeat epoch and a stale commit epoch.
	if r := h.cgHeartbeat("b", 7, nil); r.ErrorCode != kerr.FencedMemberEpoch.Code {
		t.Fatalf("stale heartbeat: %v", kerr.ErrorForCode(r.ErrorCode))
	}
	if r := h.cgHeartbeat("ghost", 2, nil); r.ErrorCode != kerr.UnknownMemberID.Code {
		t.Fatalf("unknown member: %v", kerr.ErrorForCode(r.ErrorCode))
	}
	if code := h.commit("cg", "b", 1, "t", 0, ""); code != kerr.StaleMemberEpoch.Code {
		t.Fatalf("stale commit: %v", kerr.ErrorForCode(code))
	}
	if code := h.commit("cg", "b", 2, "t", 0, ""); code != 0 {
		t.Fatalf("commit: %v", kerr.ErrorForCode(code))
	}
	// A classic member cannot join the live consumer group.
	if r := h.join(joinRequest("cg", "", "m"))(); r.ErrorCode != kerr.InconsistentGroupProtocol.Code {
		t.Fatalf("classic join: %v", kerr.ErrorForCode(r.ErrorCode))
	}
	// Leaving hands a's partitions to b.
	h.cgHeartbeat("a", -1, nil)
	if b = h.cgHeartbeat("b", 2, nil); b.MemberEpoch != 3 || owns(b) != 4 {
		t.Fatalf("b after a left: epoch %d owns %d", b.MemberEpoch, owns(b))
	}
}
