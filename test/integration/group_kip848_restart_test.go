package integration

import (
	"testing"
	"time"

	"github.com/gofka/gofka/pkg/gofkatest"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// cgBeat sends one ConsumerGroupHeartbeat for topic "kr".
func cgBeat(t *testing.T, addr, member string, epoch int32) *kmsg.ConsumerGroupHeartbeatResponse {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	r := kmsg.NewPtrConsumerGroupHeartbeatRequest()
	r.Group, r.MemberID, r.MemberEpoch, r.RebalanceTimeoutMillis = "kip848-restart", member, epoch, 5000
	r.SubscribedTopicNames = []string{"kr"}
	r.Topics = []kmsg.ConsumerGroupHeartbeatRequestTopic{}
	resp, err := r.RequestWith(ctxT(t, 10*time.Second), cl)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func assigned(r *kmsg.ConsumerGroupHeartbeatResponse) int {
	if r.Assignment == nil {
		return -1
	}
	n := 0
	for _, tp := range r.Assignment.Topics {
		n += len(tp.Partitions)
	}
	return n
}

// TestKIP848MemberSurvivesRestart: a KIP-848 member heartbeats with its
// member id and epoch after the node restarts and keeps its assignment,
// without rejoining.
func TestKIP848MemberSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	opts := groupOpts(gofkatest.WithDir(dir), gofkatest.WithConfig("group.consumer.session.timeout.ms", "10000"))
	c, err := gofkatest.StartE(dir, opts...)
	if err != nil {
		t.Fatal(err)
	}
	adm := newAdmin(t, c.Addr())
	if _, err := adm.CreateTopic(ctxT(t, time.Minute), 3, 1, nil, "kr"); err != nil {
		t.Fatal(err)
	}
	first := cgBeat(t, c.Addr(), "m1", 0)
	if first.ErrorCode != 0 || assigned(first) != 3 {
		t.Fatalf("join: %v assigned %d", kerr.ErrorForCode(first.ErrorCode), assigned(first))
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	c, err = gofkatest.StartE(dir, opts...)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	again := cgBeat(t, c.Addr(), "m1", first.MemberEpoch)
	if again.ErrorCode != 0 || again.MemberEpoch != first.MemberEpoch || assigned(again) != 3 {
		t.Fatalf("after restart: %v epoch %d (was %d) assigned %d", kerr.ErrorForCode(again.ErrorCode), again.MemberEpoch, first.MemberEpoch, assigned(again))
	}
}
