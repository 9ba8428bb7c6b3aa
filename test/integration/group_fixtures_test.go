package integration

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/gofka/gofka/pkg/gofkatest"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// groupOpts start a node tuned for group tests: short session timeouts
// allowed, no initial rebalance delay, few offsets partitions.
func groupOpts(extra ...gofkatest.Option) []gofkatest.Option {
	return append([]gofkatest.Option{
		gofkatest.WithConfig("group.min.session.timeout.ms", "500"),
		gofkatest.WithConfig("group.consumer.min.session.timeout.ms", "500"),
		gofkatest.WithConfig("group.consumer.session.timeout.ms", "1500"),
		gofkatest.WithConfig("group.consumer.min.heartbeat.interval.ms", "100"),
		gofkatest.WithConfig("group.consumer.heartbeat.interval.ms", "200"),
		gofkatest.WithConfig("group.initial.rebalance.delay.ms", "0"),
		gofkatest.WithConfig("offsets.topic.num.partitions", "4"),
	}, extra...)
}

// produceN writes n records "key-i" across the topic's partitions.
func produceN(t *testing.T, addr, topic string, from, n int) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.RecordPartitioner(kgo.RoundRobinPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var rs []*kgo.Record
	for i := from; i < from+n; i++ {
		rs = append(rs, &kgo.Record{Topic: topic, Key: []byte(fmt.Sprintf("key-%d", i)), Value: []byte("v")})
	}
	if err := cl.ProduceSync(ctx, rs...).FirstErr(); err != nil {
		t.Fatal(err)
	}
}

// assignmentOf describes a group and maps each partition of topic to the
// members that own it; ok is false while the group is not stable.
func assignmentOf(t *testing.T, adm *kadm.Client, groupID, topic string) (owners map[int32][]string, members int, ok bool) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ds, err := adm.DescribeGroups(ctx, groupID)
	if err != nil {
		return nil, 0, false
	}
	d := ds[groupID]
	if d.Err != nil || d.State != "Stable" {
		return nil, 0, false
	}
	owners = map[int32][]string{}
	for _, m := range d.Members {
		ca, isConsumer := m.Assigned.AsConsumer()
		if !isConsumer {
			return nil, 0, false
		}
		for _, at := range ca.Topics {
			if at.Topic != topic {
				continue
			}
			for _, p := range at.Partitions {
				owners[p] = append(owners[p], m.MemberID)
			}
		}
	}
	return owners, len(d.Members), true
}

// waitBalanced waits until the group is stable with want members and
// every one of the topic's partitions is owned by exactly one member.
func waitBalanced(t *testing.T, adm *kadm.Client, groupID, topic string, partitions, want int, within time.Duration) {
	t.Helper()
	var last string
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		owners, n, ok := assignmentOf(t, adm, groupID, topic)
		if ok && n == want && exactlyOnce(owners, partitions) {
			return
		}
		last = fmt.Sprintf("stable=%v members=%d owners=%v", ok, n, owners)
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("group %s not balanced over %d members within %v: %s", groupID, want, within, last)
}

func exactlyOnce(owners map[int32][]string, partitions int) bool {
	if len(owners) != partitions {
		return false
	}
	for p := int32(0); p < int32(partitions); p++ {
		if len(owners[p]) != 1 {
			return false
		}
	}
	return true
}

func sortedKeys(m map[string]int) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
