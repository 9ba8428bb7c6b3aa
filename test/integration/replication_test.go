package integration

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/gofka/gofka/internal/record"
	"github.com/gofka/gofka/pkg/gofkatest"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// startReplicated starts three nodes with fast fencing for failover tests.
func startReplicated(t *testing.T) *gofkatest.MultiCluster {
	return gofkatest.StartCluster(t, gofkatest.Nodes(3), gofkatest.NodeOptions(
		gofkatest.WithConfig("broker.session.timeout.ms", "2000"),
		gofkatest.WithConfig("broker.heartbeat.interval.ms", "200"),
		gofkatest.WithConfig("replica.fetch.backoff.ms", "100"),
		gofkatest.WithConfig("replica.lag.time.max.ms", "3000")))
}

// produceValues writes n values ("<prefix>-<i>") with acks=all and fails
// the test on any error.
func produceValues(t *testing.T, ctx context.Context, cl *kgo.Client, topic, prefix string, n int) {
	t.Helper()
	var rs []*kgo.Record
	for i := range n {
		rs = append(rs, &kgo.Record{Topic: topic, Value: fmt.Appendf(nil, "%s-%d", prefix, i)})
	}
	if err := cl.ProduceSync(ctx, rs...).FirstErr(); err != nil {
		t.Fatalf("produce %s: %v", prefix, err)
	}
}

// consumeValues reads the topic from the start until it has want records.
func consumeValues(t *testing.T, ctx context.Context, addrs []string, topic string, want int) map[string]int {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addrs...), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	seen := map[string]int{}
	n := 0
	for n < want {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("consumed %d of %d records: %v", n, want, ctx.Err())
		}
		fs.EachRecord(func(r *kgo.Record) {
			seen[string(r.Value)]++
			n++
		})
	}
	return seen
}

func partitionLeaders(t *testing.T, ctx context.Context, adm *kadm.Client, topic string) map[int32]kadm.PartitionDetail {
	t.Helper()
	md, err := adm.Metadata(ctx, topic)
	if err != nil {
		t.Fatal(err)
	}
	return md.Topics[topic].Partitions
}

// TestReplicationSurvivesLeaderLoss: an RF=3 topic written with acks=all
// keeps every acknowledged record when its leader stops, the new leader
// serves them all, and the old leader catches up and rejoins the ISR.
func TestReplicationSurvivesLeaderLoss(t *testing.T) {
	c := startReplicated(t)
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	adm := clusterAdmin(t, c.Addrs()...)
	if _, err := adm.CreateTopic(ctx, 1, 3, map[string]*string{"min.insync.replicas": kadm.StringPtr("2")}, "rep"); err != nil {
		t.Fatal(err)
	}
	cl := clusterClient(t, c.Addrs()...)
	produceValues(t, ctx, cl, "rep", "a", 500)

	old := partitionLeaders(t, ctx, adm, "rep")[0].Leader
	c.Stop(old)
	waitFor(t, 30*time.Second, "a new leader", func() bool {
		l := partitionLeaders(t, ctx, adm, "rep")[0].Leader
		return l >= 0 && l != old
	})
	produceValues(t, ctx, cl, "rep", "b", 500)
	seen := consumeValues(t, ctx, c.Addrs(), "rep", 1000)
	for _, prefix := range []string{"a", "b"} {
		for i := range 500 {
			if v := fmt.Sprintf("%s-%d", prefix, i); seen[v] != 1 {
				t.Fatalf("value %s seen %d times", v, seen[v])
			}
		}
	}

	c.Restart(old)
	waitFor(t, 30*time.Second, "the old leader back in the ISR", func() bool {
		return len(partitionLeaders(t, ctx, adm, "rep")[0].ISR) == 3
	})
	// With the two others stopped in turn, the returned node leads and
	// still serves every record.
	cur := partitionLeaders(t, ctx, adm, "rep")[0].Leader
	c.Stop(cur)
	waitFor(t, 30*time.Second, "another leader", func() bool {
		l := partitionLeaders(t, ctx, adm, "rep")[0].Leader
		return l >= 0 && l != cur
	})
	if seen := consumeValues(t, ctx, c.Addrs(), "rep", 1000); len(seen) != 1000 {
		t.Fatalf("%d distinct values after the second failover, want 1000", len(seen))
	}
}

// TestMinInSyncReplicas: with an ISR below min.insync.replicas an acks=all
// produce is refused with NOT_ENOUGH_REPLICAS and nothing is appended,
// while acks=1 is still taken; once the ISR is whole again acks=all works.
func TestMinInSyncReplicas(t *testing.T) {
	c := startReplicated(t)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	adm := clusterAdmin(t, c.Addrs()...)
	if _, err := adm.CreateTopic(ctx, 1, 3, map[string]*string{"min.insync.replicas": kadm.StringPtr("3")}, "minisr"); err != nil {
		t.Fatal(err)
	}
	cl := clusterClient(t, c.Addrs()...)
	produceValues(t, ctx, cl, "minisr", "full", 10)
	p := partitionLeaders(t, ctx, adm, "minisr")[0]
	follower := p.Replicas[0]
	if follower == p.Leader {
		follower = p.Replicas[1]
	}
	c.Stop(follower)
	waitFor(t, 30*time.Second, "an ISR of two", func() bool { return len(partitionLeaders(t, ctx, adm, "minisr")[0].ISR) == 2 })

	md, err := adm.Metadata(ctx, "minisr")
	if err != nil {
		t.Fatal(err)
	}
	// One raw Produce to the leader, so the error is the broker's (kgo
	// would retry NOT_ENOUGH_REPLICAS until its delivery timeout).
	produceOnce := func(acks kgo.Acks, code int16) error {
		opts := []kgo.Opt{kgo.SeedBrokers(c.Addrs()...), kgo.RequiredAcks(acks)}
		if acks != kgo.AllISRAcks() {
			opts = append(opts, kgo.DisableIdempotentWrite())
		}
		pcl, err := kgo.NewClient(opts...)
		if err != nil {
			t.Fatal(err)
		}
		defer pcl.Close()
		b := record.NewBuilder(record.CodecNone, 0, time.Now().UnixMilli())
		b.Add(record.Record{Value: []byte("x")})
		batch, err := b.Build(nil)
		if err != nil {
			t.Fatal(err)
		}
		req := kmsg.NewPtrProduceRequest()
		req.Acks, req.TimeoutMillis = code, 5000
		rt := kmsg.NewProduceRequestTopic()
		rt.Topic, rt.TopicID = "minisr", md.Topics["minisr"].ID
		rp := kmsg.NewProduceRequestTopicPartition()
		rp.Records = batch
		rt.Partitions = append(rt.Partitions, rp)
		req.Topics = append(req.Topics, rt)
		resp, err := req.RequestWith(ctx, pcl)
		if err != nil {
			t.Fatal(err)
		}
		return kerr.ErrorForCode(resp.Topics[0].Partitions[0].ErrorCode)
	}
	// A client's metadata may lag a moment behind: a NOT_LEADER answer
	// appended nothing, so try again.
	produce := func(acks kgo.Acks, code int16) error {
		for range 50 {
			if err := produceOnce(acks, code); !errors.Is(err, kerr.NotLeaderForPartition) {
				return err
			}
			time.Sleep(100 * time.Millisecond)
		}
		return kerr.NotLeaderForPartition
	}
	before := endOffsets(t, ctx, adm, "minisr")
	if err := produce(kgo.AllISRAcks(), -1); !errors.Is(err, kerr.NotEnoughReplicas) {
		t.Fatalf("acks=all with an ISR of 2 < min.insync.replicas 3: %v, want NOT_ENOUGH_REPLICAS", err)
	}
	if endOffsets(t, ctx, adm, "minisr") != before {
		t.Fatal("a refused acks=all record was appended")
	}
	if err := produce(kgo.LeaderAck(), 1); err != nil {
		t.Fatalf("acks=1 with an ISR of 2: %v", err)
	}
	waitFor(t, 10*time.Second, "the acks=1 record below the high watermark", func() bool {
		return endOffsets(t, ctx, adm, "minisr") == before+1
	})

	c.Restart(follower)
	waitFor(t, 30*time.Second, "the ISR whole again", func() bool { return len(partitionLeaders(t, ctx, adm, "minisr")[0].ISR) == 3 })
	produceValues(t, ctx, cl, "minisr", "again", 10)
}
