package integration

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/gofka/gofka/pkg/gofkatest"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// franzMember is one franz-go group consumer polling in the background.
type franzMember struct {
	cl   *kgo.Client
	done chan struct{}
}

func startFranzMember(t *testing.T, addr, groupID, topic string, seen func(*kgo.Record), opts ...kgo.Opt) *franzMember {
	t.Helper()
	base := []kgo.Opt{
		kgo.SeedBrokers(addr), kgo.ConsumerGroup(groupID), kgo.ConsumeTopics(topic),
		kgo.SessionTimeout(1500 * time.Millisecond), kgo.HeartbeatInterval(200 * time.Millisecond),
		kgo.RebalanceTimeout(5 * time.Second), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.FetchMaxWait(200 * time.Millisecond),
	}
	cl, err := kgo.NewClient(append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	m := &franzMember{cl: cl, done: make(chan struct{})}
	go func() {
		defer close(m.done)
		for {
			fs := cl.PollFetches(context.Background())
			if fs.IsClientClosed() {
				return
			}
			fs.EachRecord(seen)
		}
	}()
	return m
}

func (m *franzMember) close() {
	m.cl.Close()
	<-m.done
}

// TestFranzGroupBalancers runs three franz-go members with an eager and
// a cooperative balancer: every partition is owned by exactly one member;
// a member that leaves, and a static member that dies without leaving,
// have their partitions moved to the rest.
func TestFranzGroupBalancers(t *testing.T) {
	for _, tc := range []struct {
		name string
		bal  kgo.GroupBalancer
	}{
		{"eager-range", kgo.RangeBalancer()},
		{"cooperative-sticky", kgo.CooperativeStickyBalancer()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := gofkatest.Start(t, groupOpts()...)
			adm := newAdmin(t, c.Addr())
			ctx := ctxT(t, time.Minute)
			const topic, partitions = "g", 6
			if _, err := adm.CreateTopic(ctx, partitions, 1, nil, topic); err != nil {
				t.Fatal(err)
			}
			produceN(t, c.Addr(), topic, 0, 60)
			var mu sync.Mutex
			seen := map[string]int{}
			count := func(r *kgo.Record) { mu.Lock(); seen[string(r.Key)]++; mu.Unlock() }
			a := startFranzMember(t, c.Addr(), "grp", topic, count, kgo.Balancers(tc.bal))
			b := startFranzMember(t, c.Addr(), "grp", topic, count, kgo.Balancers(tc.bal))
			dead := startFranzMember(t, c.Addr(), "grp", topic, count, kgo.Balancers(tc.bal), kgo.InstanceID("static-1"))
			defer a.close()
			waitBalanced(t, adm, "grp", topic, partitions, 3, 20*time.Second)
			waitFor(t, 20*time.Second, "all records", func() bool { mu.Lock(); defer mu.Unlock(); return len(seen) == 60 })

			b.close() // leaves the group
			waitBalanced(t, adm, "grp", topic, partitions, 2, 10*time.Second)
			dead.close() // a static member does not leave: its session times out
			waitBalanced(t, adm, "grp", topic, partitions, 1, 10*time.Second)
		})
	}
}

// TestFranzCommitNoDuplicates commits cleanly, then a new member of the
// same group resumes exactly after the committed records.
func TestFranzCommitNoDuplicates(t *testing.T) {
	c := gofkatest.Start(t, groupOpts()...)
	adm := newAdmin(t, c.Addr())
	ctx := ctxT(t, time.Minute)
	if _, err := adm.CreateTopic(ctx, 3, 1, nil, "c"); err != nil {
		t.Fatal(err)
	}
	produceN(t, c.Addr(), "c", 0, 90)
	var mu sync.Mutex
	seen := map[string]int{}
	count := func(r *kgo.Record) { mu.Lock(); seen[string(r.Key)]++; mu.Unlock() }
	m := startFranzMember(t, c.Addr(), "commit", "c", count)
	waitFor(t, 20*time.Second, "first 90", func() bool { mu.Lock(); defer mu.Unlock(); return len(seen) == 90 })
	m.close() // autocommit commits on close
	produceN(t, c.Addr(), "c", 90, 30)
	m2 := startFranzMember(t, c.Addr(), "commit", "c", count)
	defer m2.close()
	waitFor(t, 20*time.Second, "next 30", func() bool { mu.Lock(); defer mu.Unlock(); return len(seen) == 120 })
	time.Sleep(300 * time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	for _, k := range sortedKeys(seen) {
		if seen[k] != 1 {
			t.Errorf("record %s consumed %d times", k, seen[k])
		}
	}
}

// TestGroupOffsetsSurviveRestart commits through a group and with a
// simple (generation -1) commit, restarts the node on the same data and
// reads both back, with the group still listed.
func TestGroupOffsetsSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	c, err := gofkatest.StartE(dir, groupOpts(gofkatest.WithDir(dir))...)
	if err != nil {
		t.Fatal(err)
	}
	adm := newAdmin(t, c.Addr())
	ctx := ctxT(t, time.Minute)
	if _, err := adm.CreateTopic(ctx, 2, 1, nil, "r"); err != nil {
		t.Fatal(err)
	}
	produceN(t, c.Addr(), "r", 0, 10)
	var mu sync.Mutex
	seen := map[string]int{}
	m := startFranzMember(t, c.Addr(), "restart", "r", func(r *kgo.Record) { mu.Lock(); seen[string(r.Key)]++; mu.Unlock() })
	waitFor(t, 20*time.Second, "10 records", func() bool { mu.Lock(); defer mu.Unlock(); return len(seen) == 10 })
	m.close()
	simple := kadm.Offsets{}
	simple.Add(kadm.Offset{Topic: "r", Partition: 1, At: 3, LeaderEpoch: -1, Metadata: "md"})
	if _, err := adm.CommitOffsets(ctx, "simple", simple); err != nil {
		t.Fatal(err)
	}
	before, err := adm.FetchOffsets(ctx, "restart")
	if err != nil || len(before["r"]) != 2 {
		t.Fatalf("offsets before restart: %v %v", before, err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	c, err = gofkatest.StartE(dir, groupOpts(gofkatest.WithDir(dir))...)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	adm = newAdmin(t, c.Addr())
	after, err := adm.FetchOffsets(ctx, "restart")
	if err != nil {
		t.Fatal(err)
	}
	before.Each(func(o kadm.OffsetResponse) {
		if a, ok := after.Lookup(o.Topic, o.Partition); !ok || a.At != o.At {
			t.Errorf("%s/%d: %d before restart, %d after", o.Topic, o.Partition, o.At, a.At)
		}
	})
	s, err := adm.FetchOffsets(ctx, "simple")
	if o, ok := s.Lookup("r", 1); err != nil || !ok || o.At != 3 || o.Metadata != "md" {
		t.Errorf("simple commit after restart: %+v %v", o, err)
	}
	ls, err := adm.ListGroups(ctx)
	if err != nil || !contains(ls.Groups(), "restart") {
		t.Errorf("groups after restart: %v %v", ls.Groups(), err)
	}
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}
