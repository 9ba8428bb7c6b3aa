package controller

import (
	"slices"
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func reassignReq(topic string, part int32, replicas []int32) *kmsg.AlterPartitionAssignmentsRequest {
	r := kmsg.NewPtrAlterPartitionAssignmentsRequest()
	r.Topics = []kmsg.AlterPartitionAssignmentsRequestTopic{{Topic: topic,
		Partitions: []kmsg.AlterPartitionAssignmentsRequestTopicPartition{{Partition: part, Replicas: replicas}}}}
	return r
}

func reassignCode(r *kmsg.AlterPartitionAssignmentsResponse) *kerr.Error {
	if c := r.Topics[0].Partitions[0].ErrorCode; c != 0 {
		return kerr.ErrorForCode(c).(*kerr.Error)
	}
	return nil
}

func TestReassignmentErrors(t *testing.T) {
	e := newReplEnv(t, 4, false)
	e.topic("t", nil, []int32{1, 2, 3})
	e.fence(4)
	v1 := func(r *kmsg.AlterPartitionAssignmentsRequest) *kmsg.AlterPartitionAssignmentsRequest {
		r.SetVersion(1)
		r.AllowReplicationFactorChange = false
		return r
	}
	tests := []struct {
		name string
		req  *kmsg.AlterPartitionAssignmentsRequest
		want *kerr.Error
	}{
		{"unknown topic", reassignReq("nope", 0, []int32{1}), kerr.UnknownTopicOrPartition},
		{"unknown partition", reassignReq("t", 3, []int32{1}), kerr.UnknownTopicOrPartition},
		{"cancel without reassignment", reassignReq("t", 0, nil), kerr.NoReassignmentInProgress},
		{"empty", reassignReq("t", 0, []int32{}), kerr.InvalidReplicaAssignment},
		{"duplicate", reassignReq("t", 0, []int32{1, 1, 2}), kerr.InvalidReplicaAssignment},
		{"unknown broker", reassignReq("t", 0, []int32{1, 2, 9}), kerr.InvalidReplicaAssignment},
		{"fenced broker", reassignReq("t", 0, []int32{1, 2, 4}), kerr.InvalidReplicaAssignment},
		{"rf change refused", v1(reassignReq("t", 0, []int32{1, 2})), kerr.InvalidReplicationFactor},
		{"same replicas", reassignReq("t", 0, []int32{1, 2, 3}), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := reassignCode(e.c.AlterPartitionAssignments(tc.req)); got != tc.want {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
	if p := e.part("t", 0); p.PartitionEpoch != 0 {
		t.Fatalf("partition changed: %+v", p)
	}
}

// A reassignment adds the target's new replicas, completes once the leader
// reports them in sync, and then drops the old ones (electing a new leader
// when the old one goes).
func TestReassignmentCompletes(t *testing.T) {
	e := newReplEnv(t, 4, false)
	e.topic("t", nil, []int32{1, 2, 3})
	if got := reassignCode(e.c.AlterPartitionAssignments(reassignReq("t", 0, []int32{4, 2, 3}))); got != nil {
		t.Fatal(got)
	}
	p := e.part("t", 0)
	if !slices.Equal(p.Replicas, []int32{4, 2, 3, 1}) || !slices.Equal(p.AddingReplicas, []int32{4}) ||
		!slices.Equal(p.RemovingReplicas, []int32{1}) || p.Leader != 1 || !slices.Equal(p.ISR, []int32{1, 2, 3}) {
		t.Fatalf("reassigning: %+v", p)
	}
	list := e.c.ListPartitionReassignments(nil)
	if len(list) != 1 || list[0].Topic != "t" || !slices.Equal(list[0].Partitions[0].AddingReplicas, []int32{4}) {
		t.Fatalf("list: %+v", list)
	}
	if named := e.c.ListPartitionReassignments([]kmsg.ListPartitionReassignmentsRequestTopic{{Topic: "nope", Partitions: []int32{0}}}); len(named) != 0 {
		t.Fatalf("unknown topic listed: %+v", named)
	}
	// The leader (1, being removed) reports 4 in sync: the reassignment
	// completes, 1 leaves and the first replica in sync (4) leads.
	resp := e.c.AlterPartition(e.alter("t", 0, 1, 2, 3, 4))
	if got := partitionCode(resp); got != kerr.NewLeaderElected {
		t.Fatalf("completing AlterPartition: %v", got)
	}
	p = e.part("t", 0)
	if !slices.Equal(p.Replicas, []int32{4, 2, 3}) || len(p.AddingReplicas) != 0 || len(p.RemovingReplicas) != 0 ||
		p.Leader != 4 || !slices.Equal(p.ISR, []int32{2, 3, 4}) {
		t.Fatalf("after completion: %+v", p)
	}
	if list := e.c.ListPartitionReassignments(nil); len(list) != 0 {
		t.Fatalf("list after completion: %+v", list)
	}
	// Shrinking to replicas already in sync completes at once.
	if got := reassignCode(e.c.AlterPartitionAssignments(reassignReq("t", 0, []int32{4, 2}))); got != nil {
		t.Fatal(got)
	}
	p = e.part("t", 0)
	if !slices.Equal(p.Replicas, []int32{4, 2}) || !slices.Equal(p.ISR, []int32{2, 4}) || len(p.RemovingReplicas) != 0 {
		t.Fatalf("shrink: %+v", p)
	}
}

func TestReassignmentCancel(t *testing.T) {
	e := newReplEnv(t, 5, false)
	e.topic("t", nil, []int32{1, 2, 3})
	if got := reassignCode(e.c.AlterPartitionAssignments(reassignReq("t", 0, []int32{1, 4, 5}))); got != nil {
		t.Fatal(got)
	}
	// A new target starts from the original replicas: 5 is no longer added.
	if got := reassignCode(e.c.AlterPartitionAssignments(reassignReq("t", 0, []int32{1, 2, 4}))); got != nil {
		t.Fatal(got)
	}
	p := e.part("t", 0)
	if !slices.Equal(p.Replicas, []int32{1, 2, 4, 3}) || !slices.Equal(p.AddingReplicas, []int32{4}) || !slices.Equal(p.RemovingReplicas, []int32{3}) {
		t.Fatalf("second target: %+v", p)
	}
	if got := reassignCode(e.c.AlterPartitionAssignments(reassignReq("t", 0, nil))); got != nil {
		t.Fatal(got)
	}
	p = e.part("t", 0)
	if !slices.Equal(p.Replicas, []int32{1, 2, 3}) || len(p.AddingReplicas) != 0 || len(p.RemovingReplicas) != 0 ||
		!slices.Equal(p.ISR, []int32{1, 2, 3}) || p.Leader != 1 {
		t.Fatalf("cancelled: %+v", p)
	}
	if got := reassignCode(e.c.AlterPartitionAssignments(reassignReq("t", 0, nil))); got != kerr.NoReassignmentInProgress {
		t.Fatalf("second cancel: %v", got)
	}
}

// A new target that drops the only in-sync replicas (added by the
// reassignment in progress) is refused.
func TestReassignmentKeepsAnISR(t *testing.T) {
	e := newReplEnv(t, 4, false)
	e.topic("t", nil, []int32{1, 2})
	if got := reassignCode(e.c.AlterPartitionAssignments(reassignReq("t", 0, []int32{3, 4}))); got != nil {
		t.Fatal(got)
	}
	// 3 and 4 caught up but 1 and 2 were lost from the ISR meanwhile.
	e.set("t", 0, 1, 1, 3, 4)
	e.set("t", 0, 3, 3, 4)
	p := e.part("t", 0)
	if !slices.Equal(p.ISR, []int32{3, 4}) || len(p.AddingReplicas) == 0 {
		t.Fatalf("setup: %+v", p)
	}
	if got := reassignCode(e.c.AlterPartitionAssignments(reassignReq("t", 0, []int32{1, 2}))); got != kerr.InvalidReplicaAssignment {
		t.Fatalf("target without an in-sync replica: %v", got)
	}
}
