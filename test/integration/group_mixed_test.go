package integration

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/gofka/gofka/pkg/gofkatest"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// neverShared describes a consumer group and fails the test when a
// partition is in two members' assignments at once, whatever the state.
func neverShared(t *testing.T, addr, groupID string) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	req := kmsg.NewPtrConsumerGroupDescribeRequest()
	req.Groups = []string{groupID}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	resp, err := req.RequestWith(ctx, cl)
	if err != nil || len(resp.Groups) != 1 || resp.Groups[0].ErrorCode != 0 {
		return
	}
	owner := map[int32]string{}
	for _, m := range resp.Groups[0].Members {
		for _, tp := range m.Assignment.TopicPartitions {
			for _, p := range tp.Partitions {
				if o, dup := owner[p]; dup {
					t.Errorf("partition %d owned by %s and %s", p, o, m.MemberID)
				}
				owner[p] = m.MemberID
			}
		}
	}
}

// TestMixedClassicAndKIP848Group puts a classic member (cooperative-sticky)
// and a KIP-848 member (server-side assignor) in one group: the classic
// group is upgraded when the KIP-848 member joins, both share the
// partitions with each partition owned by exactly one of them, records are
// consumed once, and the group goes back to classic when the KIP-848
// member leaves.
func TestMixedClassicAndKIP848Group(t *testing.T) {
	c := gofkatest.Start(t, groupOpts()...)
	adm := newAdmin(t, c.Addr())
	if _, err := adm.CreateTopic(ctxT(t, time.Minute), 6, 1, nil, "mx"); err != nil {
		t.Fatal(err)
	}
	produceN(t, c.Addr(), "mx", 0, 60)
	var mu sync.Mutex
	seen := map[string]int{}
	count := func(r *kgo.Record) { mu.Lock(); seen[string(r.Key)]++; mu.Unlock() }
	records := func(n int) func() bool {
		return func() bool { mu.Lock(); defer mu.Unlock(); return len(seen) == n }
	}
	classic := startFranzMember(t, c.Addr(), "mixed", "mx", count, kgo.Balancers(kgo.CooperativeStickyBalancer()))
	defer classic.close()
	waitBalanced(t, adm, "mixed", "mx", 6, 1, 20*time.Second)
	waitFor(t, 20*time.Second, "60 records", records(60))

	modern := startFranzMember(t, c.Addr(), "mixed", "mx", count, kgo.ServerSideBalancer())
	waitFor(t, 30*time.Second, "mixed group balanced", func() bool {
		neverShared(t, c.Addr(), "mixed")
		owners, n, ok := cgOwners(t, c.Addr(), "mixed")
		return ok && n == 2 && exactlyOnce(owners, 6) && len(distinct(owners)) == 2
	})
	produceN(t, c.Addr(), "mx", 60, 60)
	waitFor(t, 20*time.Second, "120 records", records(120))

	modern.close()
	waitBalanced(t, adm, "mixed", "mx", 6, 1, 20*time.Second)
	if typ := groupType(t, c.Addr(), "mixed"); typ != "classic" {
		t.Errorf("after the KIP-848 member left the group is %q, want classic", typ)
	}
	produceN(t, c.Addr(), "mx", 120, 30)
	waitFor(t, 20*time.Second, "150 records", records(150))
	time.Sleep(300 * time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	for _, k := range sortedKeys(seen) {
		if seen[k] != 1 {
			t.Errorf("record %s consumed %d times", k, seen[k])
		}
	}
}

func distinct(owners map[int32][]string) map[string]bool {
	out := map[string]bool{}
	for _, ms := range owners {
		for _, m := range ms {
			out[m] = true
		}
	}
	return out
}

// groupType is the group's type as ListGroups v5 reports it.
func groupType(t *testing.T, addr, groupID string) string {
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	resp, err := kmsg.NewPtrListGroupsRequest().RequestWith(ctxT(t, 5*time.Second), cl)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range resp.Groups {
		if g.Group == groupID {
			return g.GroupType
		}
	}
	return ""
}
