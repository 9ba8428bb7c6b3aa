package metadata

import (
	"cmp"
	"maps"
	"slices"
)

// Delta describes what changed between two images, for subscribers: the broker creates
// and deletes partition logs and reacts to leadership changes from it.
type Delta struct {
	// CreatedTopics are topics in the new image but not the old (by name and id).
	// A topic deleted and re-created under the same name is in both lists.
	CreatedTopics []*TopicImage
	// DeletedTopics are topics of the old image missing from the new one.
	DeletedTopics []*TopicImage
	// ChangedPartitions are partitions that are new (including every partition of a
	// created topic) or whose state differs. Partitions of deleted topics are not listed.
	ChangedPartitions []*PartitionImage
	// ChangedConfigs are config resources whose configs were set, changed or removed.
	ChangedConfigs []ConfigKey
}

// Empty reports whether the delta lists no change.
func (d Delta) Empty() bool {
	return len(d.CreatedTopics) == 0 && len(d.DeletedTopics) == 0 &&
		len(d.ChangedPartitions) == 0 && len(d.ChangedConfigs) == 0
}

// Diff returns the topic, partition and config changes from old to next. Images that
// share structure (one applied on the other) are compared shard by shard, skipping
// everything they share. Lists are sorted by name, then partition.
func Diff(old, next *Image) Delta {
	var d Delta
	for i := range pmapShards {
		os, ns := old.topics.shard(i), next.topics.shard(i)
		if os != ns {
			diffTopics(&d, shardMap(os), shardMap(ns))
		}
		oc, nc := old.configs.shard(i), next.configs.shard(i)
		if oc != nc {
			diffConfigs(&d, shardMap(oc), shardMap(nc))
		}
	}
	sortDelta(&d)
	return d
}

func shardMap[K comparable, V any](s *shard[K, V]) map[K]V {
	if s == nil {
		return nil
	}
	return s.m
}

func diffTopics(d *Delta, old, next map[string]*TopicImage) {
	for name, ot := range old {
		nt := next[name]
		switch {
		case nt == ot:
		case nt == nil:
			d.DeletedTopics = append(d.DeletedTopics, ot)
		case nt.ID != ot.ID:
			d.DeletedTopics = append(d.DeletedTopics, ot)
			createTopic(d, nt)
		default:
			diffPartitions(d, ot, nt)
		}
	}
	for name, nt := range next {
		if _, ok := old[name]; !ok {
			createTopic(d, nt)
		}
	}
}

func createTopic(d *Delta, t *TopicImage) {
	d.CreatedTopics = append(d.CreatedTopics, t)
	for _, p := range t.Partitions {
		if p != nil {
			d.ChangedPartitions = append(d.ChangedPartitions, p)
		}
	}
}

func diffPartitions(d *Delta, ot, nt *TopicImage) {
	for i, np := range nt.Partitions {
		var op *PartitionImage
		if i < len(ot.Partitions) {
			op = ot.Partitions[i]
		}
		if np != nil && np != op && (op == nil || !op.equal(np)) {
			d.ChangedPartitions = append(d.ChangedPartitions, np)
		}
	}
}

// equal reports whether two partition images hold the same state.
func (p *PartitionImage) equal(o *PartitionImage) bool {
	return p.Topic == o.Topic && p.TopicID == o.TopicID && p.Partition == o.Partition &&
		p.Leader == o.Leader && p.LeaderEpoch == o.LeaderEpoch &&
		p.PartitionEpoch == o.PartitionEpoch && p.LeaderRecoveryState == o.LeaderRecoveryState &&
		slices.Equal(p.Replicas, o.Replicas) && slices.Equal(p.ISR, o.ISR) &&
		slices.Equal(p.RemovingReplicas, o.RemovingReplicas) &&
		slices.Equal(p.AddingReplicas, o.AddingReplicas) &&
		slices.Equal(p.Directories, o.Directories) &&
		slices.Equal(p.ELR, o.ELR) && slices.Equal(p.LastKnownELR, o.LastKnownELR)
}

func diffConfigs(d *Delta, old, next map[ConfigKey]*configSet) {
	for k, oc := range old {
		nc := next[k]
		if nc == nil || (nc != oc && !maps.Equal(nc.m, oc.m)) {
			d.ChangedConfigs = append(d.ChangedConfigs, k)
		}
	}
	for k := range next {
		if _, ok := old[k]; !ok {
			d.ChangedConfigs = append(d.ChangedConfigs, k)
		}
	}
}

func sortDelta(d *Delta) {
	byTopic := func(a, b *TopicImage) int { return cmp.Compare(a.Name, b.Name) }
	slices.SortFunc(d.CreatedTopics, byTopic)
	slices.SortFunc(d.DeletedTopics, byTopic)
	slices.SortFunc(d.ChangedPartitions, func(a, b *PartitionImage) int {
		return cmp.Or(cmp.Compare(a.Topic, b.Topic), cmp.Compare(a.Partition, b.Partition))
	})
	slices.SortFunc(d.ChangedConfigs, func(a, b ConfigKey) int {
		return cmp.Or(cmp.Compare(a.Type, b.Type), cmp.Compare(a.Name, b.Name))
	})
}
