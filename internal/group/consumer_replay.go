package group

import (
	"fmt"
	"regexp"
	"time"

	"github.com/gofka/gofka/internal/group/grouprec"
)

// Replay of consumer group records: while loading, each group's records
// are kept by key (a tombstone deletes its key); once every partition is
// replayed the groups are rebuilt from what is left, so the order records
// were written in does not matter.

// replayConsumer keeps one ConsumerGroup* record (key versions 3-8).
func (c *Coordinator) replayConsumer(v int16, key, value []byte) error {
	id, err := recordGroup(v, key)
	if err != nil {
		return err
	}
	if c.mu.loading == nil {
		c.mu.loading = map[string]map[string][]byte{}
	}
	recs := c.mu.loading[id]
	if recs == nil {
		recs = map[string][]byte{}
		c.mu.loading[id] = recs
	}
	if value == nil {
		delete(recs, string(key))
	} else {
		recs[string(key)] = value
	}
	return nil
}

// recordGroup decodes a consumer group record key's group id.
func recordGroup(v int16, key []byte) (string, error) {
	body := key[2:]
	var err error
	var id string
	switch v {
	case 3:
		var k grouprec.ConsumerGroupMetadataKey
		err, id = k.ReadFrom(body, v), k.GroupID
	case 4:
		var k grouprec.ConsumerGroupPartitionMetadataKey
		err, id = k.ReadFrom(body, v), k.GroupID
	case 6:
		var k grouprec.ConsumerGroupTargetAssignmentMetadataKey
		err, id = k.ReadFrom(body, v), k.GroupID
	default:
		var k grouprec.ConsumerGroupMemberMetadataKey // 5, 7 and 8 share the layout
		err, id = k.ReadFrom(body, 5), k.GroupID
	}
	if err != nil {
		return "", fmt.Errorf("%w: consumer group key %d: %w", ErrCorruptRecord, v, err)
	}
	return id, nil
}

// buildLoaded turns the records kept while loading into consumer groups.
func (c *Coordinator) buildLoaded() error {
	for id, recs := range c.mu.loading {
		if len(recs) == 0 {
			continue
		}
		if err := c.buildConsumerGroup(id, recs); err != nil {
			return err
		}
	}
	c.mu.loading = nil
	return nil
}

func (c *Coordinator) buildConsumerGroup(id string, recs map[string][]byte) error {
	old := c.groupLocked(id)
	g := newGroup(id, TypeConsumer, c.now().UnixMilli())
	if old != nil {
		g.offsets = old.offsets
		old.stopTimers()
	}
	cg := g.consumer
	cg.assignor = c.cfg.Assignors[0]
	meta := c.meta()
	for k, val := range recs {
		if err := c.applyLoaded(cg, []byte(k), val, meta); err != nil {
			return err
		}
	}
	for mid := range cg.target {
		if cg.members[mid] == nil {
			delete(cg.target, mid)
		}
	}
	cg.persisted = recs
	c.resolveKey(cg)
	c.mu.groups[id] = g
	return nil
}

// applyLoaded applies one kept record to the group being rebuilt.
func (c *Coordinator) applyLoaded(cg *consumerGroup, key, val []byte, meta Metadata) error {
	v, _ := keyVersion(key)
	var err error
	switch v {
	case 3:
		var r grouprec.ConsumerGroupMetadataValue
		if err = r.ReadFrom(val, 0); err == nil {
			cg.epoch = r.Epoch
		}
	case 6:
		var r grouprec.ConsumerGroupTargetAssignmentMetadataValue
		if err = r.ReadFrom(val, 0); err == nil {
			cg.targetEpoch = r.AssignmentEpoch
		}
	case 5:
		var r grouprec.ConsumerGroupMemberMetadataValue
		if err = r.ReadFrom(val, 0); err == nil {
			loadMember(cg.member(memberKey(key)), &r)
			if r.ServerAssignor != nil && assignors[*r.ServerAssignor] != nil {
				cg.assignor = *r.ServerAssignor
			}
		}
	case 7:
		var r grouprec.ConsumerGroupTargetAssignmentMemberValue
		if err = r.ReadFrom(val, 0); err == nil {
			var a assignment
			for _, t := range r.TopicPartitions {
				a = addTopic(a, meta, t.TopicID, t.Partitions)
			}
			cg.target[memberKey(key)] = a
		}
	case 8:
		var r grouprec.ConsumerGroupCurrentMemberAssignmentValue
		if err = r.ReadFrom(val, 0); err == nil {
			loadCurrent(cg.member(memberKey(key)), &r, meta)
		}
	}
	if err != nil {
		return fmt.Errorf("%w: consumer group record %d: %w", ErrCorruptRecord, v, err)
	}
	return nil
}

// member returns the member being rebuilt, creating it.
func (cg *consumerGroup) member(id string) *cmember {
	m := cg.members[id]
	if m == nil {
		m = &cmember{id: id}
		cg.members[id] = m
	}
	return m
}

func memberKey(key []byte) string {
	var k grouprec.ConsumerGroupMemberMetadataKey
	_ = k.ReadFrom(key[2:], 5)
	return k.MemberID
}

func loadMember(m *cmember, r *grouprec.ConsumerGroupMemberMetadataValue) {
	m.instanceID, m.rackID = deref(r.InstanceID), deref(r.RackID)
	m.clientID, m.clientHost = r.ClientID, r.ClientHost
	m.names, m.regex, m.assignorName = r.SubscribedTopicNames, deref(r.SubscribedTopicRegex), deref(r.ServerAssignor)
	if m.regex != "" {
		m.re, _ = regexp.Compile(m.regex)
	}
	m.rebalanceTimeout = ms(r.RebalanceTimeoutMs)
	if cm := r.ClassicMemberMetadata; cm != nil {
		m.classic = &classicMeta{sessionTimeout: time.Duration(cm.SessionTimeoutMs) * time.Millisecond}
		for _, p := range cm.SupportedProtocols {
			m.classic.protocols = append(m.classic.protocols, protocol{name: p.Name, metadata: p.Metadata})
		}
	}
}

func loadCurrent(m *cmember, r *grouprec.ConsumerGroupCurrentMemberAssignmentValue, meta Metadata) {
	m.epoch, m.prevEpoch = r.MemberEpoch, r.PreviousMemberEpoch
	if m.epoch == -2 { // a static member that left for now
		m.epoch, m.left = r.PreviousMemberEpoch, true
	}
	m.assigned, m.revoking = nil, nil
	for _, t := range r.AssignedPartitions {
		m.assigned = addTopic(m.assigned, meta, t.TopicID, t.Partitions)
	}
	for _, t := range r.PartitionsPendingRevocation {
		m.revoking = addTopic(m.revoking, meta, t.TopicID, t.Partitions)
	}
}

// addTopic adds a topic's partitions, named through the metadata; a
// topic that no longer exists is dropped.
func addTopic(a assignment, meta Metadata, id [16]byte, ps []int32) assignment {
	name, _, ok := meta.TopicByID(id)
	if !ok {
		return a
	}
	for _, p := range ps {
		a = addPartition(a, tp{name, p})
	}
	return a
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// armConsumerLoaded gives loaded members a fresh session, as Kafka's
// loader does, and re-arms pending revocations.
func (c *Coordinator) armConsumerLoaded(g *group) {
	for _, m := range g.consumer.members {
		c.resetSession(g, m)
		c.armRevocation(g, m)
	}
}
