package group

// Transactional offset commits (TxnOffsetCommit, KIP-98 and KIP-447), as
// Kafka's group coordinator: offsets are written to the group's
// __consumer_offsets partition in a transactional batch (the producer's id
// and epoch, the transactional attribute) and held as pending per producer
// and group until the transaction's marker is written to that partition:
// COMMIT makes them the committed offsets (whatever the group's generation
// is by then), ABORT drops them. The broker validates the producer against
// the transaction coordinator before calling TxnOffsetCommit.

import (
	"errors"
	"fmt"

	"github.com/gofka/gofka/internal/record"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// pendingTxns is the transactional offsets waiting for their marker: by
// producer id, then group, then partition.
type pendingTxns map[int64]map[string]map[topicPartition]offsetEntry

// add records an offset of a producer's open transaction.
func (p pendingTxns) add(pid int64, groupID string, tp topicPartition, e offsetEntry) {
	byGroup := p[pid]
	if byGroup == nil {
		byGroup = map[string]map[topicPartition]offsetEntry{}
		p[pid] = byGroup
	}
	offs := byGroup[groupID]
	if offs == nil {
		offs = map[topicPartition]offsetEntry{}
		byGroup[groupID] = offs
	}
	offs[tp] = e
}

// has reports whether any open transaction holds an offset of tp for the
// group.
func (p pendingTxns) has(groupID string, tp topicPartition) bool {
	for _, byGroup := range p {
		if _, ok := byGroup[groupID][tp]; ok {
			return true
		}
	}
	return false
}

// TxnOffsetCommit handles TxnOffsetCommit v0+ once the broker has checked
// the producer with the transaction coordinator (its id and epoch, and the
// group's partition in its transaction). The group's generation, member id
// and instance id (v3+) are validated as Kafka's
// GroupCoordinator.handleTxnCommitOffsets does, then the offsets are
// written as one transactional batch and held as pending. v6 names topics
// by id.
func (c *Coordinator) TxnOffsetCommit(r *kmsg.TxnOffsetCommitRequest) *kmsg.TxnOffsetCommitResponse {
	resp := kmsg.NewPtrTxnOffsetCommitResponse()
	c.doOr(func() { c.txnCommitLocked(r, resp) }, func(failed func(string) bool) {
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

func (c *Coordinator) txnCommitLocked(r *kmsg.TxnOffsetCommitRequest, resp *kmsg.TxnOffsetCommitResponse) {
	groupErr := c.validateTxnCommit(r)
	meta := c.meta()
	nowMs := c.now().UnixMilli()
	var items []commitItem
	var recs []kv
	for _, t := range r.Topics {
		rt := kmsg.NewTxnOffsetCommitResponseTopic()
		rt.Topic, rt.TopicID = t.Topic, t.TopicID
		name, parts, topicErr := resolveTopic(meta, r.Version >= 6, t.Topic, t.TopicID)
		for _, p := range t.Partitions {
			rp := kmsg.NewTxnOffsetCommitResponseTopicPartition()
			rp.Partition = p.Partition
			err := c.commitPartitionErr(firstErr(groupErr, topicErr), parts, p.Partition, p.Metadata)
			if err != nil {
				rp.ErrorCode = err.Code
			} else {
				e := offsetEntry{offset: p.Offset, leaderEpoch: p.LeaderEpoch, commitMs: nowMs}
				if p.Metadata != nil {
					e.metadata = *p.Metadata
				}
				items = append(items, commitItem{tp: topicPartition{name, p.Partition}, e: e})
				recs = append(recs, kv{offsetCommitKey(r.Group, name, p.Partition), offsetCommitValue(e)})
			}
			rt.Partitions = append(rt.Partitions, rp)
		}
		resp.Topics = append(resp.Topics, rt)
	}
	c.applyTxnCommit(r, items, recs, resp)
}

// applyTxnCommit writes the accepted offsets and holds them as pending.
func (c *Coordinator) applyTxnCommit(r *kmsg.TxnOffsetCommitRequest, items []commitItem, recs []kv, resp *kmsg.TxnOffsetCommitResponse) {
	if len(items) == 0 {
		return
	}
	if err := c.writeTxn(r.Group, r.ProducerID, r.ProducerEpoch, recs); err != nil {
		code := writeErrCode(err, kerr.CoordinatorNotAvailable).Code
		switch {
		case errors.Is(err, ErrRecordTooLarge):
			code = kerr.InvalidCommitOffsetSize.Code
		case errors.Is(err, ErrProducerFenced):
			code = kerr.InvalidProducerEpoch.Code
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
	for _, it := range items {
		c.mu.pending.add(r.ProducerID, r.Group, it.tp, it.e)
	}
}

// writeTxn appends recs as a transactional batch of the producer. Requires
// c.mu.
func (c *Coordinator) writeTxn(groupID string, pid int64, epoch int16, recs []kv) error {
	nowMs := c.now().UnixMilli()
	b := record.NewBuilder(record.CodecNone, 0, nowMs)
	b.SetProducer(pid, epoch, -1)
	b.SetTransactional(true)
	for i, r := range recs {
		b.Add(record.Record{Offset: int64(i), Timestamp: nowMs, Key: r.key, Value: r.value})
	}
	batch, err := b.Build(nil)
	if err != nil {
		return fmt.Errorf("group: build batch: %w", err)
	}
	if c.cfg.MaxRecordBytes > 0 && len(batch) > c.cfg.MaxRecordBytes {
		return fmt.Errorf("%w: %d bytes", ErrRecordTooLarge, len(batch))
	}
	p := c.PartitionFor(groupID)
	end, err := c.store.WriteTransactional(p, batch)
	if err != nil {
		return fmt.Errorf("group: write %s: %w", groupID, err)
	}
	c.wroteLocked(p, end)
	return nil
}

// validateTxnCommit checks the group side of a transactional commit. A
// group that does not exist accepts a commit without a generation (a
// simple consumer); the group is created when the transaction commits.
func (c *Coordinator) validateTxnCommit(r *kmsg.TxnOffsetCommitRequest) *kerr.Error {
	if r.Group == "" {
		return kerr.InvalidGroupID
	}
	if err := c.availLocked(r.Group); err != nil {
		return err
	}
	g := c.groupLocked(r.Group)
	switch {
	case g == nil && r.Generation < 0:
		return nil
	case g == nil:
		return kerr.IllegalGeneration
	case g.typ == TypeConsumer:
		return validateTxnConsumerCommit(g, r.MemberID, r.Generation)
	}
	return g.classic.validateOffsetCommit(r.MemberID, r.InstanceID, r.Generation, true)
}

// validateTxnConsumerCommit is ConsumerGroup.validateOffsetCommit for a
// transactional commit: any member epoch mismatch is ILLEGAL_GENERATION.
func validateTxnConsumerCommit(g *group, memberID string, epoch int32) *kerr.Error {
	if epoch < 0 && len(g.consumer.members) == 0 {
		return nil
	}
	m := g.consumer.members[memberID]
	switch {
	case m == nil:
		return kerr.UnknownMemberID
	case epoch != m.epoch:
		return kerr.IllegalGeneration
	}
	return nil
}

// CompleteTxn applies a transaction marker written to a __consumer_offsets
// partition: a commit makes the producer's pending offsets of every group
// on that partition the committed offsets, an abort drops them.
//
// The broker calls it under the transaction coordinator's lock: it
// touches no partition (no availLocked, no write), so it never waits for
// the ISR.
func (c *Coordinator) CompleteTxn(partition int32, pid int64, commit bool) {
	c.do(func() { c.completeTxnLocked(partition, pid, commit) })
}

func (c *Coordinator) completeTxnLocked(partition int32, pid int64, commit bool) {
	byGroup := c.mu.pending[pid]
	for groupID, offs := range byGroup {
		if c.PartitionFor(groupID) != partition {
			continue
		}
		delete(byGroup, groupID)
		if commit {
			c.commitPendingLocked(groupID, offs)
		}
	}
	if len(byGroup) == 0 {
		delete(c.mu.pending, pid)
	}
}

// commitPendingLocked makes a transaction's offsets the group's committed
// offsets, creating the group (a simple consumer) when it does not exist.
func (c *Coordinator) commitPendingLocked(groupID string, offs map[topicPartition]offsetEntry) {
	g := c.groupLocked(groupID)
	if g == nil {
		var ms int64
		for _, e := range offs {
			ms = max(ms, e.commitMs)
		}
		g = newGroup(groupID, TypeClassic, ms)
		c.mu.groups[groupID] = g
	}
	for tp, e := range offs {
		g.offsets[tp] = e
	}
}

// hasPendingLocked reports whether an open transaction holds an offset of
// the group's partition (OffsetFetch with RequireStable). Requires c.mu.
func (c *Coordinator) hasPendingLocked(groupID string, tp topicPartition) bool {
	return c.mu.pending.has(groupID, tp)
}
