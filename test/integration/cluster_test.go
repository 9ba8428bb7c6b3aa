package integration

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/gofka/gofka/pkg/gofkatest"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// TestClusterMetadataQuorum: three nodes (broker and controller each)
// create topics through any node; every node serves the same metadata;
// when the active controller stops, another takes over and admin requests
// keep succeeding; the stopped node catches up when it comes back.
func TestClusterMetadataQuorum(t *testing.T) {
	c := gofkatest.StartCluster(t, gofkatest.Nodes(3))
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	adm := clusterAdmin(t, c.Addrs()...)
	if _, err := adm.CreateTopic(ctx, 3, 3, nil, "t1"); err != nil {
		t.Fatal(err)
	}
	for _, addr := range c.Addrs() {
		expectTopics(t, ctx, addr, map[string]bool{"t1": true})
	}
	md, err := adm.Metadata(ctx, "t1")
	if err != nil {
		t.Fatal(err)
	}
	if len(md.Brokers) != 3 {
		t.Fatalf("metadata lists %d brokers, want 3", len(md.Brokers))
	}
	for _, p := range md.Topics["t1"].Partitions {
		if p.Leader < 1 || p.Leader > 3 || len(p.Replicas) != 3 {
			t.Fatalf("partition %d: leader %d replicas %v", p.Partition, p.Leader, p.Replicas)
		}
	}

	old := waitLeader(t, c)
	c.Stop(old)
	adm = clusterAdmin(t, c.Addrs()...)
	start := time.Now()
	if _, err := adm.CreateTopic(ctx, 1, 1, nil, "t2"); err != nil {
		t.Fatalf("create after the leader stopped: %v", err)
	}
	t.Logf("first change after the leader stopped took %v", time.Since(start))
	if _, err := adm.DeleteTopic(ctx, "t1"); err != nil {
		t.Fatal(err)
	}
	if rs, err := adm.AlterTopicConfigs(ctx, []kadm.AlterConfig{{Name: "retention.ms", Value: kadm.StringPtr("60000")}}, "t2"); err != nil || rs[0].Err != nil {
		t.Fatalf("alter configs: %v %v", err, rs)
	}
	if l := waitLeader(t, c); l == old {
		t.Fatalf("stopped node %d still leads", old)
	}
	c.Restart(old)
	expectTopics(t, ctx, c.Node(old).Addr(), map[string]bool{"t2": true})

	// Records go to each partition's leader, wherever it is.
	if _, err := adm.CreateTopic(ctx, 6, 1, nil, "data"); err != nil {
		t.Fatal(err)
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.Addrs()...), kgo.DefaultProduceTopic("data"))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	for i := 0; i < 60; i++ {
		if err := cl.ProduceSync(ctx, kgo.StringRecord(fmt.Sprint(i))).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	if got := consumeAll(t, ctx, c.Addrs()[0], "data", 60); len(got) != 60 {
		t.Fatalf("consumed %d of 60", len(got))
	}
}

func clusterAdmin(t *testing.T, addrs ...string) *kadm.Client {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addrs...))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return kadm.NewClient(cl)
}

// expectTopics waits until the node at addr lists exactly want.
func expectTopics(t *testing.T, ctx context.Context, addr string, want map[string]bool) {
	t.Helper()
	adm := clusterAdmin(t, addr)
	waitFor(t, 30*time.Second, "topics on "+addr, func() bool {
		ts, err := adm.ListTopics(ctx)
		if err != nil {
			return false
		}
		if len(ts.Names()) != len(want) {
			return false
		}
		for _, n := range ts.Names() {
			if !want[n] {
				return false
			}
		}
		return true
	})
}

func waitLeader(t *testing.T, c *gofkatest.MultiCluster) int32 {
	t.Helper()
	var l int32 = -1
	waitFor(t, 30*time.Second, "a quorum leader", func() bool {
		l = c.Leader()
		return l >= 0
	})
	return l
}
