package gofkatest_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gofka/gofka/pkg/gofkatest"
	"github.com/gofka/gofka/test/faults"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// The fault harness against the real metadata quorum: each test checks
// the fault took effect (a new leader, a node that misses changes), not
// only that the cluster survives it.

// electionBound is how long an election may take once a leader is gone:
// the election timeout (1s), randomized up to twice, plus PreVote.
const electionBound = 10 * time.Second

func faultIters() int {
	if n, err := strconv.Atoi(os.Getenv("GOFKA_FAULT_ITERS")); err == nil && n > 0 {
		return n
	}
	return 1
}

func startFaultCluster(t *testing.T) *gofkatest.MultiCluster {
	return gofkatest.StartCluster(t, gofkatest.Nodes(3), gofkatest.NodeOptions(
		gofkatest.WithConfig("broker.session.timeout.ms", "2000"),
		gofkatest.WithConfig("broker.heartbeat.interval.ms", "200")))
}

func waitUntil(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(d); !cond(); time.Sleep(25 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
	}
}

// newLeader waits for a leader other than old (-1: any).
func newLeader(t *testing.T, c *gofkatest.MultiCluster, old int32) int32 {
	t.Helper()
	var l int32
	waitUntil(t, electionBound, fmt.Sprintf("a leader other than %d", old), func() bool {
		l = c.Leader()
		return l >= 0 && l != old
	})
	return l
}

// create creates topic through the nodes at addrs, retrying while the
// quorum fails over, and returns how long it took.
func create(t *testing.T, addrs []string, topic string) time.Duration {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addrs...), kgo.RequestTimeoutOverhead(2*time.Second),
		kgo.RetryTimeout(2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for {
		_, err := adm.CreateTopic(ctx, 1, 1, nil, topic)
		if err == nil || strings.Contains(err.Error(), "TOPIC_ALREADY_EXISTS") {
			return time.Since(start)
		}
		if ctx.Err() != nil {
			t.Fatalf("create %s through %v: %v", topic, addrs, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// expectTopics waits until node id serves exactly want.
func expectTopics(t *testing.T, c *gofkatest.MultiCluster, id int32, want []string) {
	t.Helper()
	want = slices.Sorted(slices.Values(want))
	var got []string
	waitUntil(t, 20*time.Second, fmt.Sprintf("node %d to serve %v (has %v)", id, want, &got), func() bool {
		got = faults.Topics(c.Node(id).Addr())
		slices.Sort(got)
		return slices.Equal(got, want)
	})
}

func others(c *gofkatest.MultiCluster, not ...int32) (ids []int32, addrs []string) {
	for id := int32(1); id <= 3; id++ {
		if !slices.Contains(not, id) {
			ids = append(ids, id)
			addrs = append(addrs, c.Node(id).Addr())
		}
	}
	return ids, addrs
}

// TestFaultPauseLeader pauses the active controller for longer than the
// election timeout: another node takes over and admin changes commit
// through the other nodes; once resumed, the paused node serves them too.
func TestFaultPauseLeader(t *testing.T) {
	c := startFaultCluster(t)
	want := []string{"before"}
	create(t, c.Addrs(), "before")
	for i := 0; i < faultIters(); i++ {
		old := newLeader(t, c, -1)
		c.Pause(old)
		l := newLeader(t, c, old)
		_, addrs := others(c, old)
		topic := fmt.Sprintf("paused-%d", i)
		took := create(t, addrs, topic)
		want = append(want, topic)
		t.Logf("round %d: paused leader %d, leader now %d, %s created after %v", i, old, l, topic, took)
		if got := faults.Topics(c.Node(old).Addr()); got != nil {
			t.Fatalf("paused node %d answered a client: %v", old, got)
		}
		c.Resume(old)
		start := time.Now()
		for id := int32(1); id <= 3; id++ {
			expectTopics(t, c, id, want)
		}
		t.Logf("round %d: every node serves %v %v after the resume", i, want, time.Since(start))
	}
}

// neverLeads polls node id's view of the quorum for d and fails if it
// ever sees itself as leader.
func neverLeads(t *testing.T, c *gofkatest.MultiCluster, id int32, d time.Duration) {
	t.Helper()
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if c.Node(id).QuorumLeader() == id {
			t.Fatalf("node %d became leader", id)
		}
	}
}

// TestFaultMinorityPartition splits one follower from the other two: it
// cannot become leader however long it waits, misses the changes the
// majority commits meanwhile, and catches up once healed.
func TestFaultMinorityPartition(t *testing.T) {
	c := startFaultCluster(t)
	want := []string{"before"}
	create(t, c.Addrs(), "before")
	for i := 0; i < faultIters(); i++ {
		l := newLeader(t, c, -1)
		minority := l%3 + 1
		majority, addrs := others(c, minority)
		expectTopics(t, c, minority, want) // a commit may reach it after the client's answer
		c.Partition(majority, []int32{minority})
		topic := fmt.Sprintf("split-%d", i)
		create(t, addrs, topic)
		want = append(want, topic)
		neverLeads(t, c, minority, 3*time.Second) // three election timeouts
		if got := faults.Topics(c.Node(minority).Addr()); slices.Contains(got, topic) || !slices.Contains(got, "before") {
			t.Fatalf("partitioned node %d serves %v: want %v without %s", minority, got, want[:len(want)-1], topic)
		}
		c.Heal()
		expectTopics(t, c, minority, want)
	}
}

// TestFaultCutFromLeader cuts one follower from the leader only: it still
// reaches the third node, which keeps hearing from the leader, so PreVote
// and CheckQuorum keep it from taking over; it misses the changes until
// the link heals.
func TestFaultCutFromLeader(t *testing.T) {
	c := startFaultCluster(t)
	create(t, c.Addrs(), "before")
	l := newLeader(t, c, -1)
	cut := l%3 + 1
	c.Cut(l, cut)
	_, addrs := others(c, cut)
	create(t, addrs, "while-cut")
	neverLeads(t, c, cut, 3*time.Second)
	if c.Leader() != l {
		t.Fatalf("leader changed from %d to %d", l, c.Leader())
	}
	if got := faults.Topics(c.Node(cut).Addr()); slices.Contains(got, "while-cut") {
		t.Fatalf("node %d, cut from the leader, serves %v", cut, got)
	}
	c.Heal()
	expectTopics(t, c, cut, []string{"before", "while-cut"})
}

// TestFaultKillRestart kills (no clean shutdown) the leader, then a
// follower, then every node at once; after each restart every committed
// topic is there.
func TestFaultKillRestart(t *testing.T) {
	c := startFaultCluster(t)
	var want []string
	step := func(what string, kill ...int32) {
		t.Helper()
		for _, id := range kill {
			c.Kill(id)
		}
		topic := fmt.Sprintf("after-%s", what)
		if len(kill) < 2 {
			create(t, c.Addrs(), topic)
			want = append(want, topic)
		}
		c.Restart(kill...)
		for id := int32(1); id <= 3; id++ {
			expectTopics(t, c, id, want)
		}
	}
	for i := 0; i < faultIters(); i++ {
		create(t, c.Addrs(), fmt.Sprint("committed-", i))
		want = append(want, fmt.Sprint("committed-", i))
		l := newLeader(t, c, -1)
		step(fmt.Sprint("leader-", i), l)
		step(fmt.Sprint("follower-", i), newLeader(t, c, -1)%3+1)
		step(fmt.Sprint("all-", i), 1, 2, 3)
	}
}

// TestFaultPauseLeaderMidChange pauses the active controller and at once
// sends a change through another node: it must commit within the session
// timeout plus an election, as after a kill. (A forwarded request used to
// wait on the paused controller for the whole forward timeout.)
func TestFaultPauseLeaderMidChange(t *testing.T) {
	c := startFaultCluster(t)
	create(t, c.Addrs(), "before")
	old := newLeader(t, c, -1)
	c.Pause(old)
	_, addrs := others(c, old)
	took := create(t, addrs, "right-after")
	t.Logf("leader %d paused: the change committed after %v", old, took)
	const bound = 2*time.Second + time.Second + 2*time.Second // session timeout + election timeout + slack
	if took > bound {
		t.Fatalf("the first change after pausing leader %d took %v, more than %v", old, took, bound)
	}
}
