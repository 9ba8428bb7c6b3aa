package controller

// Replica placement across brokers and racks (broker.rack), the striping
// Kafka's rack-aware assignment uses: the brokers are listed alternating
// between racks (first broker of each rack, then the second of each, ...);
// partition i's first replica (its preferred leader) is the i-th broker of
// that list, and each further replica is the next broker at a growing
// shift that is not in a rack already holding a replica while some rack
// holds none, and not a broker already holding one. Every time the
// partitions have gone once round the list the shift grows by one, so
// followers of the same leader spread over the other brokers. Without
// racks it is Kafka's round-robin with a shifting second replica.
//
// Kafka starts at a random broker; Gofka starts partition 0 at the first
// broker of the list (the placement is deterministic and testable).

import (
	"maps"
	"slices"
)

// Stripe places partitions first..first+n-1, rf replicas each, over
// brokers (sorted) with their racks (a broker without one is its own rack
// "": racks only matter when some broker has one).
func Stripe(brokers []int32, racks map[int32]string, first, n int32, rf int) [][]int32 {
	list := rackAlternated(brokers, racks)
	numRacks := len(slices.Compact(slices.Sorted(maps.Values(rackOf(brokers, racks)))))
	out := make([][]int32, 0, n)
	shift := 0
	for i := int32(0); i < n; i++ {
		part := int(first + i)
		if part > 0 && part%len(list) == 0 {
			shift++
		}
		lead := part % len(list)
		replicas := []int32{list[lead]}
		usedRacks := map[string]bool{racks[list[lead]]: true}
		for k := 0; len(replicas) < rf; k++ {
			b := list[replicaIndex(lead, shift*numRacks, k, len(list))]
			rackFree := !usedRacks[racks[b]] || len(usedRacks) == numRacks
			if rackFree && !slices.Contains(replicas, b) {
				replicas = append(replicas, b)
				usedRacks[racks[b]] = true
			}
		}
		out = append(out, replicas)
	}
	return out
}

// replicaIndex is the k-th candidate after the first replica, never the
// first replica itself.
func replicaIndex(first, shift, k, n int) int {
	if n == 1 {
		return first
	}
	return (first + 1 + (shift+k)%(n-1)) % n
}

func rackOf(brokers []int32, racks map[int32]string) map[int32]string {
	m := make(map[int32]string, len(brokers))
	for _, b := range brokers {
		m[b] = racks[b]
	}
	return m
}

// rackAlternated lists the brokers taking one from each rack in turn, the
// racks in name order and the brokers of a rack in id order.
func rackAlternated(brokers []int32, racks map[int32]string) []int32 {
	byRack := map[string][]int32{}
	for _, b := range brokers {
		byRack[racks[b]] = append(byRack[racks[b]], b)
	}
	names := slices.Sorted(maps.Keys(byRack))
	out := make([]int32, 0, len(brokers))
	for i := 0; len(out) < len(brokers); i++ {
		for _, r := range names {
			if i < len(byRack[r]) {
				out = append(out, byRack[r][i])
			}
		}
	}
	return out
}
