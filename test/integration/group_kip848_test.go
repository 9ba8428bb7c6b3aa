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

// cgOwners describes a KIP-848 group and maps each partition to the
// members that currently own it; ok when the group is Stable.
func cgOwners(t *testing.T, addr, groupID string) (map[int32][]string, int, bool) {
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
	if err != nil || len(resp.Groups) != 1 || resp.Groups[0].ErrorCode != 0 || resp.Groups[0].State != "Stable" {
		return nil, 0, false
	}
	owners := map[int32][]string{}
	for _, m := range resp.Groups[0].Members {
		for _, tp := range m.Assignment.TopicPartitions {
			for _, p := range tp.Partitions {
				owners[p] = append(owners[p], m.MemberID)
			}
		}
	}
	return owners, len(resp.Groups[0].Members), true
}

func waitCGBalanced(t *testing.T, addr, groupID string, partitions, want int, within time.Duration) {
	t.Helper()
	waitFor(t, within, "consumer group balanced", func() bool {
		owners, n, ok := cgOwners(t, addr, groupID)
		return ok && n == want && exactlyOnce(owners, partitions)
	})
}

// TestKIP848Group runs franz-go members with kgo.ServerSideBalancer():
// the server assigns every partition to exactly one member, a leaving
// member's partitions move to the rest, and commits resume cleanly.
func TestKIP848Group(t *testing.T) {
	c := gofkatest.Start(t, groupOpts()...)
	adm := newAdmin(t, c.Addr())
	if _, err := adm.CreateTopic(ctxT(t, time.Minute), 6, 1, nil, "n"); err != nil {
		t.Fatal(err)
	}
	produceN(t, c.Addr(), "n", 0, 60)
	var mu sync.Mutex
	seen := map[string]int{}
	count := func(r *kgo.Record) { mu.Lock(); seen[string(r.Key)]++; mu.Unlock() }
	a := startFranzMember(t, c.Addr(), "kip848", "n", count, kgo.ServerSideBalancer())
	b := startFranzMember(t, c.Addr(), "kip848", "n", count, kgo.ServerSideBalancer())
	d := startFranzMember(t, c.Addr(), "kip848", "n", count, kgo.ServerSideBalancer())
	waitCGBalanced(t, c.Addr(), "kip848", 6, 3, 20*time.Second)
	waitFor(t, 20*time.Second, "60 records", func() bool { mu.Lock(); defer mu.Unlock(); return len(seen) == 60 })
	b.close()
	waitCGBalanced(t, c.Addr(), "kip848", 6, 2, 10*time.Second)
	a.close()
	d.close()
	produceN(t, c.Addr(), "n", 60, 30)
	e := startFranzMember(t, c.Addr(), "kip848", "n", count, kgo.ServerSideBalancer())
	defer e.close()
	waitFor(t, 20*time.Second, "90 records", func() bool { mu.Lock(); defer mu.Unlock(); return len(seen) == 90 })
	mu.Lock()
	defer mu.Unlock()
	for _, k := range sortedKeys(seen) {
		if seen[k] != 1 {
			t.Errorf("record %s consumed %d times", k, seen[k])
		}
	}
}
