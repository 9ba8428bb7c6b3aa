package process

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/gofka/gofka/test/faults"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// Process faults other than SIGKILL (quorum_test.go) on three gofka
// processes: each round checks the fault took effect, not only that the
// cluster survived it.

func startFaultQuorum(t *testing.T) *faults.Cluster {
	return faults.Start(t, binary, 3, "broker.session.timeout.ms=2000", "broker.heartbeat.interval.ms=200")
}

// leaderOtherThan waits for a leader other than old.
func leaderOtherThan(t *testing.T, ctx context.Context, c *faults.Cluster, old int32) int32 {
	t.Helper()
	for {
		l, err := c.Leader(ctx)
		if err != nil {
			t.Fatalf("waiting for a leader other than %d: %v", old, err)
		}
		if l != old {
			return l
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestFaultPauseLeaderProcess stops the active controller's process with
// SIGSTOP (even rounds) or blackholes its network (odd rounds) for longer
// than the election timeout: another node leads and changes commit
// through the others; once resumed it serves them too.
func TestFaultPauseLeaderProcess(t *testing.T) {
	c := startFaultQuorum(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	want := map[string]bool{}
	for round := 0; round < 2*iterations(); round++ {
		old, err := c.Leader(ctx)
		if err != nil {
			t.Fatal(err)
		}
		how := "SIGSTOP"
		if round%2 == 0 {
			c.Pause(old)
		} else {
			how = "blackhole"
			c.Blackhole(old)
		}
		start := time.Now()
		l := leaderOtherThan(t, ctx, c, old)
		elected := time.Since(start)
		change(t, ctx, c, round, want)
		t.Logf("round %d: %s of leader %d, leader %d after %v, changes after %v", round, how, old, l, elected, time.Since(start))
		if got := faults.Topics(c.Node(old).Addr()); got != nil {
			t.Fatalf("paused node %d answered a client: %v", old, got)
		}
		c.Resume(old)
		c.Heal()
		start = time.Now()
		for _, n := range c.Nodes() {
			expectNodeTopics(t, ctx, n.Addr(), want)
		}
		t.Logf("round %d: every node caught up after %v", round, time.Since(start))
	}
}

// TestFaultPartitionProcess splits one node from the other two: it never
// leads, misses the majority's changes while split, and catches up when
// healed.
func TestFaultPartitionProcess(t *testing.T) {
	c := startFaultQuorum(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	want := map[string]bool{}
	change(t, ctx, c, 0, want)
	for round := 1; round <= iterations(); round++ {
		l, err := c.Leader(ctx)
		if err != nil {
			t.Fatal(err)
		}
		minority := l%3 + 1
		var majority []int32
		var addrs []string
		for _, n := range c.Nodes() {
			if n.ID != minority {
				majority = append(majority, n.ID)
				addrs = append(addrs, n.Addr())
			}
		}
		expectNodeTopics(t, ctx, c.Node(minority).Addr(), want) // a commit may reach it after the client's answer
		c.Partition(majority, []int32{minority})
		topic := fmt.Sprintf("split-%d", round)
		createThrough(t, ctx, addrs, topic)
		want[topic] = true
		time.Sleep(3 * time.Second) // three election timeouts for the minority to try
		if got := faults.Topics(c.Node(minority).Addr()); got == nil || slices.Contains(got, topic) {
			t.Fatalf("node %d, split from the majority, serves %v", minority, got)
		}
		if l2, err := c.LeaderVia(ctx, addrs...); err != nil || l2 == minority {
			t.Fatalf("after the split the leader is %d (%v): the minority took over", l2, err)
		}
		c.Heal()
		for _, n := range c.Nodes() {
			expectNodeTopics(t, ctx, n.Addr(), want)
		}
	}
}

func createThrough(t *testing.T, ctx context.Context, addrs []string, topic string) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addrs...), kgo.RequestTimeoutOverhead(2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	retry(t, ctx, "create "+topic, func() error {
		_, err := adm.CreateTopic(ctx, 1, 1, nil, topic)
		return err
	})
}
