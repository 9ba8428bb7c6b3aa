package integration

import (
	"errors"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// TestParkedFetchAnswersOnLeaderMove: a consumer's fetch parked at the
// log end of its leader (a ten-minute MaxWait) is answered once
// leadership moves to the other replica, with FENCED_LEADER_EPOCH (its
// epoch is old) or NOT_LEADER, not when the wait ends: the former leader,
// now a follower, wakes its parked fetches when it applies its first
// fetch from the new leader.
func TestParkedFetchAnswersOnLeaderMove(t *testing.T) {
	c := startBrokers(t, 2)
	ctx := ctxT(t, 2*time.Minute)
	cl := clusterClient(t, c.Addrs()...)
	adm := kadm.NewClient(cl)
	createAssigned(t, ctx, cl, "parkmove", []int32{2, 3})
	produceValues(t, ctx, cl, "parkmove", "v", 10)
	dp, err := describedPartition(ctx, cl, "parkmove", 0)
	if err != nil || dp.LeaderID != 2 {
		t.Fatalf("describe: %v, leader %d, want 2", err, dp.LeaderID)
	}
	end := endOffsets(t, ctx, adm, "parkmove")

	req := kmsg.NewPtrFetchRequest()
	req.MaxWaitMillis, req.MinBytes, req.MaxBytes = int32((10 * time.Minute).Milliseconds()), 1, 1<<20
	rt := kmsg.NewFetchRequestTopic()
	rt.Topic, rt.TopicID = "parkmove", describedTopicID(t, ctx, cl, "parkmove")
	rp := kmsg.NewFetchRequestTopicPartition()
	rp.FetchOffset, rp.PartitionMaxBytes, rp.CurrentLeaderEpoch = end, 1<<20, dp.LeaderEpoch
	rt.Partitions = []kmsg.FetchRequestTopicPartition{rp}
	req.Topics = []kmsg.FetchRequestTopic{rt}
	answered := make(chan int16, 1)
	go func() {
		resp, err := cl.Broker(2).Request(ctx, req)
		switch {
		case err != nil:
			t.Errorf("fetch: %v", err)
			answered <- -1
		case len(resp.(*kmsg.FetchResponse).Topics) != 1:
			t.Errorf("fetch response: %+v", resp)
			answered <- -1
		default:
			answered <- resp.(*kmsg.FetchResponse).Topics[0].Partitions[0].ErrorCode
		}
	}()
	time.Sleep(300 * time.Millisecond) // most likely parked by now; answered the same way if not

	var move kadm.AlterPartitionAssignmentsReq
	move.Assign("parkmove", 0, []int32{3, 2})
	if _, err := adm.AlterPartitionAssignments(ctx, move); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 60*time.Second, "3 to lead parkmove", func() bool {
		res, err := adm.ElectLeaders(ctx, kadm.ElectPreferredReplica, kadm.TopicsSet{"parkmove": {0: {}}})
		if err != nil {
			return false
		}
		r := res["parkmove"][0]
		return r.Err == nil || errors.Is(r.Err, kerr.ElectionNotNeeded)
	})
	select {
	case code := <-answered:
		if code != kerr.FencedLeaderEpoch.Code && code != kerr.NotLeaderForPartition.Code {
			t.Fatalf("parked fetch across the leader move: %v, want FENCED_LEADER_EPOCH or NOT_LEADER", kerr.ErrorForCode(code))
		}
	case <-ctx.Done():
		t.Fatal("the parked fetch was not answered when its leader moved")
	}
}
