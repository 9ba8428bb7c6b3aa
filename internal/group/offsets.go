package group

import (
	"errors"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// OffsetCommit handles OffsetCommit v2+: the group's membership is
// validated (generation for classic groups, member epoch for consumer
// groups, KIP-848), then every valid partition's offset is written in one
// batch. v10 names topics by id.
func (c *Coordinator) OffsetCommit(r *kmsg.OffsetCommitRequest) *kmsg.OffsetCommitResponse {
	resp := kmsg.NewPtrOffsetCommitResponse()
	c.doOr(func() { c.commitLocked(r, resp) }, func(failed func(string) bool) {
		if failed(r.Group) {
			failCodes(kerr.NotCoordinator.Code, func(set func(*int16)) {
				for i := range resp.Topics {
					for j := range resp.Topics[i].Partitions {
						set(&resp.Topics[i].Partitions[j].ErrorCode)
					}
				}
			})
		}
	})
	return resp
}

type commitItem struct {
	tp topicPartition
	e  offsetEntry
}

func (c *Coordinator) commitLocked(r *kmsg.OffsetCommitRequest, resp *kmsg.OffsetCommitResponse) {
	g, create, groupErr := c.validateCommit(r)
	meta := c.meta()
	nowMs := c.now().UnixMilli()
	var items []commitItem
	var recs []kv
	for _, t := range r.Topics {
		rt := kmsg.NewOffsetCommitResponseTopic()
		rt.Topic, rt.TopicID = t.Topic, t.TopicID
		name, parts, topicErr := resolveTopic(meta, r.Version >= 10, t.Topic, t.TopicID)
		for _, p := range t.Partitions {
			rp := kmsg.NewOffsetCommitResponseTopicPartition()
			rp.Partition = p.Partition
			err := c.commitPartitionErr(firstErr(groupErr, topicErr), parts, p.Partition, p.Metadata)
			if err != nil {
				rp.ErrorCode = err.Code
			}
			rt.Partitions = append(rt.Partitions, rp)
			if err == nil {
				e := offsetEntry{offset: p.Offset, leaderEpoch: p.LeaderEpoch, commitMs: nowMs}
				if p.Metadata != nil {
					e.metadata = *p.Metadata
				}
				tp := topicPartition{name, p.Partition}
				items = append(items, commitItem{tp: tp, e: e})
				recs = append(recs, kv{offsetCommitKey(r.Group, name, p.Partition), offsetCommitValue(e)})
			}
		}
		resp.Topics = append(resp.Topics, rt)
	}
	c.applyCommit(r.Group, g, create, items, recs, resp)
}

// applyCommit writes the accepted offsets and records them in the group.
func (c *Coordinator) applyCommit(id string, g *group, create bool, items []commitItem, recs []kv, resp *kmsg.OffsetCommitResponse) {
	if len(items) == 0 {
		return
	}
	if err := c.write(id, recs); err != nil {
		code := writeErrCode(err, kerr.CoordinatorNotAvailable).Code
		if errors.Is(err, ErrRecordTooLarge) {
			code = kerr.InvalidCommitOffsetSize.Code
		}
		for i := range resp.Topics {
			for j := range resp.Topics[i].Partitions {
				if resp.Topics[i].Partitions[j].ErrorCode == 0 {
					resp.Topics[i].Partitions[j].ErrorCode = code
				}
			}
		}
		return
	}
	if create {
		g = newGroup(id, TypeClassic, c.now().UnixMilli())
		c.mu.groups[id] = g
	}
	for _, it := range items {
		g.offsets[it.tp] = it.e
	}
}

// commitPartitionErr is one partition's error in an offset commit, plain or
// transactional: the group's or topic's error first, then the partition
// and the metadata size.
func (c *Coordinator) commitPartitionErr(base *kerr.Error, parts, partition int32, metadata *string) *kerr.Error {
	switch {
	case base != nil:
		return base
	case partition < 0 || partition >= parts:
		return kerr.UnknownTopicOrPartition
	case metadata != nil && len(*metadata) > c.cfg.OffsetMetadataMaxBytes:
		return kerr.OffsetMetadataTooLarge
	}
	return nil
}

func firstErr(errs ...*kerr.Error) *kerr.Error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// resolveTopic names a request topic (by id when byID) and counts its
// partitions; an unknown topic is UNKNOWN_TOPIC_OR_PARTITION (by name) or
// UNKNOWN_TOPIC_ID (by id).
func resolveTopic(meta Metadata, byID bool, name string, id [16]byte) (string, int32, *kerr.Error) {
	if byID {
		n, parts, ok := meta.TopicByID(id)
		if !ok {
			return "", 0, kerr.UnknownTopicID
		}
		return n, parts, nil
	}
	_, parts, ok := meta.Topic(name)
	if !ok {
		return name, 0, kerr.UnknownTopicOrPartition
	}
	return name, parts, nil
}

// validateCommit checks who may commit, as Kafka's OffsetMetadataManager:
// a simple commit (generation -1, no member) creates or uses an empty
// group; members must match the generation or member epoch.
func (c *Coordinator) validateCommit(r *kmsg.OffsetCommitRequest) (g *group, create bool, err *kerr.Error) {
	if r.Group == "" {
		return nil, false, kerr.InvalidGroupID
	}
	if err := c.availLocked(r.Group); err != nil {
		return nil, false, err
	}
	g = c.groupLocked(r.Group)
	if g == nil {
		switch {
		case r.Generation < 0:
			return nil, true, nil
		case r.Version >= 9:
			return nil, false, kerr.GroupIDNotFound
		}
		return nil, false, kerr.IllegalGeneration
	}
	if g.typ == TypeConsumer {
		return g, false, c.validateConsumerCommit(g, r.MemberID, r.Generation, r.Version)
	}
	return g, false, g.classic.validateOffsetCommit(r.MemberID, r.InstanceID, r.Generation, false)
}

// validateOffsetCommit is ClassicGroup.validateOffsetCommit: without a
// generation or member, a plain commit needs an empty group while a
// transactional one (TxnOffsetCommit v0-2) is accepted in any state.
func (cg *classicGroup) validateOffsetCommit(memberID string, iid *string, gen int32, txn bool) *kerr.Error {
	if gen < 0 && cg.state == StateEmpty {
		return nil
	}
	if gen >= 0 || memberID != "" || iid != nil {
		if err := cg.checkMember(memberID, iid, cg.members[memberID]); err != nil {
			return err
		}
		if gen != cg.generation {
			return kerr.IllegalGeneration
		}
	} else if !txn && cg.state != StateEmpty {
		return kerr.UnknownMemberID
	}
	if cg.state == StateCompletingRebalance {
		return kerr.RebalanceInProgress
	}
	return nil
}
