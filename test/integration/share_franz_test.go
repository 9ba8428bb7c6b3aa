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

// shareOpts start a node tuned for share-group tests: short locks and
// sessions, few state partitions, new share partitions from the start.
func shareOpts(extra ...gofkatest.Option) []gofkatest.Option {
	return append([]gofkatest.Option{
		gofkatest.WithConfig("group.share.record.lock.duration.ms", "1500"),
		gofkatest.WithConfig("group.share.session.timeout.ms", "3000"),
		gofkatest.WithConfig("group.share.heartbeat.interval.ms", "500"),
		gofkatest.WithConfig("gofka.share.auto.offset.reset", "earliest"),
		gofkatest.WithConfig("share.coordinator.state.topic.num.partitions", "3"),
		gofkatest.WithConfig("share.coordinator.snapshot.update.records.per.snapshot", "4"),
		gofkatest.WithConfig("share.coordinator.state.topic.prune.interval.ms", "100"),
		gofkatest.WithConfig("offsets.topic.num.partitions", "3"),
	}, extra...)
}

func newShareConsumer(t *testing.T, addr, group, topic string, opts ...kgo.Opt) *kgo.Client {
	t.Helper()
	cl, err := kgo.NewClient(append([]kgo.Opt{
		kgo.SeedBrokers(addr), kgo.ShareGroup(group), kgo.ConsumeTopics(topic),
		kgo.FetchMaxWait(500 * time.Millisecond),
	}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return cl
}

// deliveries counts each key's deliveries across consumers.
type deliveries struct {
	mu sync.Mutex
	n  map[string]int
}

func (d *deliveries) add(r *kgo.Record) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.n == nil {
		d.n = map[string]int{}
	}
	d.n[string(r.Key)]++
}

func (d *deliveries) distinct() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.n)
}

// TestShareGroupFiveMembers: five franz-go share consumers read a
// 3-partition topic together; every record is delivered, and accepted,
// exactly once across them.
func TestShareGroupFiveMembers(t *testing.T) {
	c := gofkatest.Start(t, shareOpts()...)
	adm := newAdmin(t, c.Addr())
	if _, err := adm.CreateTopic(ctxT(t, time.Minute), 3, 1, nil, "q"); err != nil {
		t.Fatal(err)
	}
	const total = 300
	var got deliveries
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	perMember := make([]int, 5)
	for i := 0; i < 5; i++ {
		cl := newShareConsumer(t, c.Addr(), "sg", "q", kgo.ShareMaxRecords(20))
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer cl.Close()
			for ctx.Err() == nil {
				fs := cl.PollFetches(ctx)
				fs.EachRecord(func(r *kgo.Record) {
					got.add(r)
					perMember[i]++
					cl.MarkAcks(kgo.AckAccept, r)
				})
			}
		}()
	}
	// Records are produced once all five hold an assignment: produced
	// before, they could all go to the first members to join.
	waitFor(t, 60*time.Second, "five members assigned", func() bool {
		ds, err := adm.DescribeShareGroups(ctxT(t, 5*time.Second), "sg")
		if err != nil || ds["sg"].GroupState != "Stable" || len(ds["sg"].Members) != 5 {
			return false
		}
		for _, m := range ds["sg"].Members {
			if len(m.Assignment) == 0 {
				return false
			}
		}
		return true
	})
	produceN(t, c.Addr(), "q", 0, total)
	waitFor(t, 60*time.Second, "every record delivered", func() bool { return got.distinct() == total })
	time.Sleep(2 * time.Second) // a redelivery, if any, would show now
	cancel()
	wg.Wait()
	for k, n := range got.n {
		if n != 1 {
			t.Errorf("%s delivered %d times", k, n)
		}
	}
	for p := int32(0); p < 3; p++ { // every record accepted: the start offsets are at the end
		if o := shareStart(t, adm, "sg", "q", p); o.StartOffset != total/3 || o.Lag != 0 {
			t.Errorf("partition %d: start %d lag %d, want %d and 0", p, o.StartOffset, o.Lag, total/3)
		}
	}
	waitFor(t, 10*time.Second, "__share_group_state pruned", func() bool {
		starts, err := adm.ListStartOffsets(ctxT(t, 5*time.Second), "__share_group_state")
		pruned := false
		starts.Each(func(o kadm.ListedOffset) { pruned = pruned || o.Offset > 0 })
		return err == nil && pruned
	})
	busy := 0
	for _, n := range perMember {
		if n > 0 {
			busy++
		}
	}
	if busy < 3 {
		t.Errorf("records went to %d members (%v), want at least 3", busy, perMember)
	}
}
