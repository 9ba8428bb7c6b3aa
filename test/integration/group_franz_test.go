package integration

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/gofka/gofka/pkg/gofkatest"
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
