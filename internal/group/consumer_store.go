package group

import (
	"encoding/binary"
	"sort"

	"github.com/gofka/gofka/internal/group/grouprec"
)

// Consumer groups are persisted as Kafka's ConsumerGroup* records: the
// group epoch (key 3), the subscribed topics' metadata (4), each member's
// metadata (5), the target assignment epoch (6) and each member's target
// (7), and each member's current assignment (8). After every change the
// coordinator computes the group's records and writes those that differ
// from the last write, tombstones for keys that went away.

// Kafka's MemberState values stored in the current assignment record.
const (
	memberStable               = 1
	memberUnrevokedPartitions  = 2
	memberUnreleasedPartitions = 3
)

// tombstones deletes every record of the consumer group, members first
// and the group epoch last, as Kafka orders them.
func (cg *consumerGroup) tombstones(string) []kv {
	keys := make([]string, 0, len(cg.persisted))
	for k := range cg.persisted {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return tombLess(keys[i], keys[j]) })
	out := append([]kv(nil), cg.pendingTombs...)
	for _, k := range keys {
		out = append(out, kv{key: []byte(k)})
	}
	return out
}

// tombLess orders tombstones: member records (8, 7, 5) before the
// group's (4, 6, 3).
func tombLess(a, b string) bool {
	rank := func(k string) int {
		return [...]int{8: 0, 7: 1, 5: 2, 4: 3, 6: 4, 3: 5}[binary.BigEndian.Uint16([]byte(k))]
	}
	if ra, rb := rank(a), rank(b); ra != rb {
		return ra < rb
	}
	return a < b
}

func (c *Coordinator) consumerTombstones(g *group) []kv { return g.consumer.tombstones(g.id) }

// persistConsumer writes the group's records that changed. A failed write
// leaves the state in memory; the next change writes the difference again.
func (c *Coordinator) persistConsumer(g *group) {
	cg := g.consumer
	want := c.consumerRecords(g)
	recs := append([]kv(nil), cg.pendingTombs...)
	keys := make([]string, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	sort.Strings(keys) // the version prefix orders by record type
	for _, k := range keys {
		if old, ok := cg.persisted[k]; !ok || string(old) != string(want[k]) {
			recs = append(recs, kv{[]byte(k), want[k]})
		}
	}
	var gone []string
	for k := range cg.persisted {
		if _, ok := want[k]; !ok {
			gone = append(gone, k)
		}
	}
	sort.Slice(gone, func(i, j int) bool { return tombLess(gone[i], gone[j]) })
	for _, k := range gone {
		recs = append(recs, kv{key: []byte(k)})
	}
	if len(recs) == 0 {
		return
	}
	if err := c.write(g.id, recs); err != nil {
		c.logWriteError(g, err)
		return
	}
	cg.persisted, cg.pendingTombs = want, nil
}

// consumerRecords is every record of the group by key.
func (c *Coordinator) consumerRecords(g *group) map[string][]byte {
	cg, id := g.consumer, g.id
	meta := c.meta()
	out := map[string][]byte{}
	put := func(key []byte, value []byte) { out[string(key)] = value }
	put(recKey(3, &grouprec.ConsumerGroupMetadataKey{GroupID: id}), (&grouprec.ConsumerGroupMetadataValue{Epoch: cg.epoch}).AppendTo(nil, 0))
	put(recKey(4, &grouprec.ConsumerGroupPartitionMetadataKey{GroupID: id}), partitionMetadata(cg, meta))
	put(recKey(6, &grouprec.ConsumerGroupTargetAssignmentMetadataKey{GroupID: id}),
		(&grouprec.ConsumerGroupTargetAssignmentMetadataValue{AssignmentEpoch: cg.targetEpoch}).AppendTo(nil, 0))
	for _, m := range cg.members {
		put(recKey(5, &grouprec.ConsumerGroupMemberMetadataKey{GroupID: id, MemberID: m.id}), memberValue(m))
		put(recKey(7, &grouprec.ConsumerGroupTargetAssignmentMemberKey{GroupID: id, MemberID: m.id}),
			(&grouprec.ConsumerGroupTargetAssignmentMemberValue{TopicPartitions: targetPartitions(cg.target[m.id], meta)}).AppendTo(nil, 0))
		put(recKey(8, &grouprec.ConsumerGroupCurrentMemberAssignmentKey{GroupID: id, MemberID: m.id}), currentValue(cg, m, meta))
	}
	return out
}

type keyRecord interface {
	AppendTo(dst []byte, version int16) []byte
}

// recKey is a record key: its version (the record type), then its body.
func recKey(v int16, k keyRecord) []byte {
	return k.AppendTo(binary.BigEndian.AppendUint16(nil, uint16(v)), v)
}

func partitionMetadata(cg *consumerGroup, meta Metadata) []byte {
	var names []string
	for _, m := range cg.members {
		for _, t := range m.topics {
			if !contains(names, t) {
				names = append(names, t)
			}
		}
	}
	sort.Strings(names)
	v := grouprec.NewConsumerGroupPartitionMetadataValue()
	for _, n := range names {
		if id, parts, ok := meta.Topic(n); ok {
			v.Topics = append(v.Topics, grouprec.TopicMetadata{TopicID: id, TopicName: n, NumPartitions: parts})
		}
	}
	return v.AppendTo(nil, 0)
}

func memberValue(m *cmember) []byte {
	v := grouprec.NewConsumerGroupMemberMetadataValue()
	v.InstanceID, v.RackID = optional(m.instanceID), optional(m.rackID)
	v.ClientID, v.ClientHost = m.clientID, m.clientHost
	v.SubscribedTopicNames = append([]string{}, m.names...)
	v.SubscribedTopicRegex, v.ServerAssignor = optional(m.regex), optional(m.assignorName)
	v.RebalanceTimeoutMs = int32(m.rebalanceTimeout.Milliseconds())
	if m.classic != nil {
		cm := &grouprec.ClassicMemberMetadata{SessionTimeoutMs: int32(m.classic.sessionTimeout.Milliseconds())}
		for _, p := range m.classic.protocols {
			cm.SupportedProtocols = append(cm.SupportedProtocols, grouprec.ClassicProtocol{Name: p.name, Metadata: p.metadata})
		}
		v.ClassicMemberMetadata = cm
	}
	return v.AppendTo(nil, 0)
}

func currentValue(cg *consumerGroup, m *cmember, meta Metadata) []byte {
	v := grouprec.NewConsumerGroupCurrentMemberAssignmentValue()
	v.MemberEpoch, v.PreviousMemberEpoch, v.State = m.epoch, m.prevEpoch, memberStable
	switch {
	case m.left:
		v.MemberEpoch, v.PreviousMemberEpoch = -2, m.epoch
	case m.revoking.size() > 0:
		v.State = memberUnrevokedPartitions
	case m.epoch == cg.targetEpoch && cg.target[m.id].size() != m.assigned.size():
		v.State = memberUnreleasedPartitions
	}
	v.AssignedPartitions = topicPartitions(m.assigned, meta)
	v.PartitionsPendingRevocation = topicPartitions(m.revoking, meta)
	return v.AppendTo(nil, 0)
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func topicPartitions(a assignment, meta Metadata) []grouprec.TopicPartitions {
	out := []grouprec.TopicPartitions{}
	for _, t := range sortedTopics(a) {
		if id, _, ok := meta.Topic(t); ok {
			out = append(out, grouprec.TopicPartitions{TopicID: id, Partitions: a[t]})
		}
	}
	return out
}

func targetPartitions(a assignment, meta Metadata) []grouprec.TopicPartition {
	out := []grouprec.TopicPartition{}
	for _, tp := range topicPartitions(a, meta) {
		out = append(out, grouprec.TopicPartition(tp))
	}
	return out
}

// resolveKey recomputes the subscription key without bumping the epoch.
func (c *Coordinator) resolveKey(cg *consumerGroup) {
	cg.subsKey, _ = c.resolve(cg, c.meta())
}
