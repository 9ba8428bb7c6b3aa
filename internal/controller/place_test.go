package controller

import (
	"slices"
	"testing"

	"github.com/gofka/gofka/internal/metadata"
	"github.com/twmb/franz-go/pkg/kerr"
)

func TestStripeRacks(t *testing.T) {
	brokers := []int32{1, 2, 3, 4, 5, 6}
	racks := map[int32]string{1: "a", 2: "a", 3: "b", 4: "b", 5: "c", 6: "c"}
	got := Stripe(brokers, racks, 0, 12, 3)
	leaders := map[int32]int{}
	for i, rs := range got {
		seen := map[string]bool{}
		for _, b := range rs {
			seen[racks[b]] = true
		}
		if len(seen) != 3 || len(slices.Compact(slices.Sorted(slices.Values(rs)))) != 3 {
			t.Fatalf("partition %d: %v not on three racks", i, rs)
		}
		leaders[rs[0]]++
	}
	for _, b := range brokers {
		if leaders[b] != 2 {
			t.Fatalf("leaders per broker: %v", leaders)
		}
	}
	// Two racks, rf 3: every rack holds one, the third goes anywhere.
	two := map[int32]string{1: "a", 2: "a", 3: "b", 4: "b"}
	for i, rs := range Stripe([]int32{1, 2, 3, 4}, two, 0, 8, 3) {
		if racks := map[string]bool{two[rs[0]]: true, two[rs[1]]: true, two[rs[2]]: true}; len(racks) != 2 {
			t.Fatalf("partition %d: %v", i, rs)
		}
	}
	// Without racks: round-robin, the second replica shifting each round.
	if got := Stripe([]int32{1, 2, 3}, nil, 0, 4, 2); !slices.EqualFunc(got, [][]int32{{1, 2}, {2, 3}, {3, 1}, {1, 3}}, slices.Equal) {
		t.Fatalf("no racks: %v", got)
	}
}

// CreateTopics and CreatePartitions place on live brokers only and across
// racks; a replication factor above the live brokers is refused.
func TestPlacementLiveBrokers(t *testing.T) {
	e := newReplEnv(t, 1, false)
	for id, rack := range map[int32]string{2: "r2", 3: "r1", 4: "r2"} {
		rack := rack
		if _, err := e.c.Register(id, metadata.UUID{byte(id)}, []Endpoint{{Name: "PLAINTEXT", Host: "127.0.0.1", Port: 9090 + int(id)}}, &rack, -1); err != nil {
			t.Fatal(err)
		}
	}
	e.fence(4)
	rt := topicReq("t", 6, 3, nil)
	if res := e.c.CreateTopics(createReq(rt)); res[0].ErrorCode != 0 {
		t.Fatalf("create: %v", kerr.ErrorForCode(res[0].ErrorCode))
	}
	for _, p := range e.c.pub.Current().Topic("t").Partitions {
		if slices.Contains(p.Replicas, 4) || len(p.Replicas) != 3 {
			t.Fatalf("partition %d on %v", p.Partition, p.Replicas)
		}
	}
	rt = topicReq("u", 1, 4, nil)
	if res := e.c.CreateTopics(createReq(rt)); res[0].ErrorCode != kerr.InvalidReplicationFactor.Code {
		t.Fatalf("rf 4 with 3 live brokers: %v", kerr.ErrorForCode(res[0].ErrorCode))
	}
}
