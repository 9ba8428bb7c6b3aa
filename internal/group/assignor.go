package group

import (
	"sort"
)

// assignment is partitions by topic name, each list sorted.
type assignment map[string][]int32

// subscriber is one member's input to an assignor.
type subscriber struct {
	id     string
	topics []string // resolved, sorted
}

// assignFunc computes a target assignment from subscriptions, partition
// counts and the previous target (for stickiness).
type assignFunc func(subs []subscriber, parts map[string]int32, prev map[string]assignment) map[string]assignment

// assignors are the server-side assignors (group.consumer.assignors).
var assignors = map[string]assignFunc{"uniform": uniformAssign, "range": rangeAssign}

type tp = topicPartition

// uniformAssign spreads partitions evenly: a partition stays with its
// previous owner while that owner is under its share, the rest go to the
// least loaded subscriber (ties by member id), as Kafka's uniform assignor
// aims to.
func uniformAssign(subs []subscriber, parts map[string]int32, prev map[string]assignment) map[string]assignment {
	candidates := map[string][]string{}
	for _, s := range subs {
		for _, t := range s.topics {
			candidates[t] = append(candidates[t], s.id)
		}
	}
	var all []tp
	for t := range candidates {
		for p := int32(0); p < parts[t]; p++ {
			all = append(all, tp{t, p})
		}
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].topic != all[j].topic {
			return all[i].topic < all[j].topic
		}
		return all[i].partition < all[j].partition
	})
	quota := 0
	if len(subs) > 0 {
		quota = (len(all) + len(subs) - 1) / len(subs)
	}
	owner := map[tp]string{}
	for id, a := range prev {
		for t, ps := range a {
			for _, p := range ps {
				owner[tp{t, p}] = id
			}
		}
	}
	out := map[string]assignment{}
	counts := map[string]int{}
	var rest []tp
	for _, x := range all {
		if o, ok := owner[x]; ok && contains(candidates[x.topic], o) && counts[o] < quota {
			out[o] = addPartition(out[o], x)
			counts[o]++
			continue
		}
		rest = append(rest, x)
	}
	// Most constrained partitions (fewest subscribers) first.
	sort.SliceStable(rest, func(i, j int) bool { return len(candidates[rest[i].topic]) < len(candidates[rest[j].topic]) })
	for _, x := range rest {
		best := ""
		for _, id := range candidates[x.topic] {
			if best == "" || counts[id] < counts[best] || (counts[id] == counts[best] && id < best) {
				best = id
			}
		}
		out[best] = addPartition(out[best], x)
		counts[best]++
	}
	return out
}

// rangeAssign gives each subscriber of a topic a contiguous range of its
// partitions, the first ones one extra, members ordered by id.
func rangeAssign(subs []subscriber, parts map[string]int32, _ map[string]assignment) map[string]assignment {
	byTopic := map[string][]string{}
	for _, s := range subs {
		for _, t := range s.topics {
			byTopic[t] = append(byTopic[t], s.id)
		}
	}
	out := map[string]assignment{}
	for t, ids := range byTopic {
		sort.Strings(ids)
		n, k := int(parts[t]), len(ids)
		p := 0
		for i, id := range ids {
			size := n / k
			if i < n%k {
				size++
			}
			for j := 0; j < size; j++ {
				out[id] = addPartition(out[id], tp{t, int32(p)})
				p++
			}
		}
	}
	return out
}

func addPartition(a assignment, x tp) assignment {
	if a == nil {
		a = assignment{}
	}
	ps := a[x.topic]
	i := sort.Search(len(ps), func(i int) bool { return ps[i] >= x.partition })
	if i < len(ps) && ps[i] == x.partition {
		return a
	}
	ps = append(ps, 0)
	copy(ps[i+1:], ps[i:])
	ps[i] = x.partition
	a[x.topic] = ps
	return a
}

func (a assignment) has(x tp) bool {
	ps := a[x.topic]
	i := sort.Search(len(ps), func(i int) bool { return ps[i] >= x.partition })
	return i < len(ps) && ps[i] == x.partition
}

func (a assignment) each(fn func(tp)) {
	for t, ps := range a {
		for _, p := range ps {
			fn(tp{t, p})
		}
	}
}

// filter keeps the partitions for which keep holds.
func (a assignment) filter(keep func(tp) bool) assignment {
	out := assignment{}
	a.each(func(x tp) {
		if keep(x) {
			out = addPartition(out, x)
		}
	})
	return out
}

func (a assignment) size() int {
	n := 0
	for _, ps := range a {
		n += len(ps)
	}
	return n
}
