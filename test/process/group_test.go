package process

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// TestGroupOffsetsSurviveKill commits offsets through a consumer group,
// kills the server with SIGKILL, restarts it and requires the committed
// offsets back and a new member of the group to resume right after them.
func TestGroupOffsetsSurviveKill(t *testing.T) {
	s := newServer(t)
	opts := []string{"--set", "group.initial.rebalance.delay.ms=0", "--set", "offsets.topic.num.partitions=3",
		"--set", "group.min.session.timeout.ms=500"}
	s.start(opts...)
	admin(t, s.addr, func(adm *kadm.Client) {
		if _, err := adm.CreateTopic(context.Background(), 2, 1, nil, "gk"); err != nil {
			t.Fatal(err)
		}
	})
	produceKeys(t, s.addr, 0, 20)
	if got := consumeGroup(t, s.addr, 20); len(got) != 20 {
		t.Fatalf("first member read %d records, want 20", len(got))
	}
	var before kadm.OffsetResponses
	admin(t, s.addr, func(adm *kadm.Client) { before = fetchOffsets(t, adm) })
	s.kill()
	s.start(opts...)
	admin(t, s.addr, func(adm *kadm.Client) {
		after := fetchOffsets(t, adm)
		before.Each(func(o kadm.OffsetResponse) {
			a, ok := after.Lookup(o.Topic, o.Partition)
			if !ok || a.At != o.At {
				t.Errorf("%s/%d: committed %d before the kill, %d (found %v) after", o.Topic, o.Partition, o.At, a.At, ok)
			}
		})
	})
	produceKeys(t, s.addr, 20, 10)
	got := consumeGroup(t, s.addr, 10)
	for k := 20; k < 30; k++ {
		if !got[fmt.Sprint(k)] {
			t.Errorf("record %d not read after restart", k)
		}
	}
	if len(got) != 10 {
		t.Errorf("read %d records after restart, want the 10 new ones", len(got))
	}
}

func fetchOffsets(t *testing.T, adm *kadm.Client) kadm.OffsetResponses {
	t.Helper()
	os, err := adm.FetchOffsets(context.Background(), "gk-group")
	if err != nil {
		t.Fatal(err)
	}
	if len(os) == 0 {
		t.Fatal("no committed offsets")
	}
	return os
}

func produceKeys(t *testing.T, addr string, from, n int) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.RecordPartitioner(kgo.RoundRobinPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	for i := from; i < from+n; i++ {
		r := &kgo.Record{Topic: "gk", Key: []byte(fmt.Sprint(i))}
		if err := cl.ProduceSync(context.Background(), r).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
}

// consumeGroup reads want records as a member of gk-group, commits them
// and leaves; it then waits briefly for extra records that should not come.
func consumeGroup(t *testing.T, addr string, want int) map[string]bool {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.ConsumerGroup("gk-group"), kgo.ConsumeTopics("gk"),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.DisableAutoCommit(),
		kgo.SessionTimeout(2*time.Second), kgo.HeartbeatInterval(300*time.Millisecond), kgo.FetchMaxWait(200*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	got := map[string]bool{}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for len(got) < want && ctx.Err() == nil {
		cl.PollFetches(ctx).EachRecord(func(r *kgo.Record) { got[string(r.Key)] = true })
	}
	extra, cancelExtra := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancelExtra()
	cl.PollFetches(extra).EachRecord(func(r *kgo.Record) { got[string(r.Key)] = true })
	if err := cl.CommitUncommittedOffsets(context.Background()); err != nil {
		t.Fatal(err)
	}
	return got
}

// cgBeat sends one ConsumerGroupHeartbeat for topic "gk848" and returns
// the error code, the member epoch and the partitions assigned.
func cgBeat(t *testing.T, addr, member string, epoch int32) (int16, int32, int) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	r := kmsg.NewPtrConsumerGroupHeartbeatRequest()
	r.Group, r.MemberID, r.MemberEpoch, r.RebalanceTimeoutMillis = "kill848", member, epoch, 5000
	r.SubscribedTopicNames = []string{"gk848"}
	r.Topics = []kmsg.ConsumerGroupHeartbeatRequestTopic{}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := r.RequestWith(ctx, cl)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	if resp.Assignment != nil {
		for _, tp := range resp.Assignment.Topics {
			n += len(tp.Partitions)
		}
	}
	return resp.ErrorCode, resp.MemberEpoch, n
}

// TestKIP848MemberSurvivesKill: a KIP-848 member's id, epoch and
// assignment are back after SIGKILL and restart, so its next heartbeat
// carries on without rejoining.
func TestKIP848MemberSurvivesKill(t *testing.T) {
	s := newServer(t)
	opts := []string{"--set", "offsets.topic.num.partitions=3"}
	s.start(opts...)
	admin(t, s.addr, func(adm *kadm.Client) {
		if _, err := adm.CreateTopic(context.Background(), 2, 1, nil, "gk848"); err != nil {
			t.Fatal(err)
		}
	})
	code, epoch, n := cgBeat(t, s.addr, "k1", 0)
	if code != 0 || n != 2 {
		t.Fatalf("join: code %d assigned %d", code, n)
	}
	s.kill()
	s.start(opts...)
	code, again, n := cgBeat(t, s.addr, "k1", epoch)
	if code != 0 || again != epoch || n != 2 {
		t.Fatalf("after kill: code %d epoch %d (was %d) assigned %d", code, again, epoch, n)
	}
}
