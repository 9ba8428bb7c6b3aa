package group

import (
	"encoding/binary"
	"fmt"

	"github.com/gofka/gofka/internal/record"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Load replays every __consumer_offsets partition into memory, then arms
// the session timers of loaded members and the offset expiry check (a
// node that serves every partition; see LoadPartition).
func (c *Coordinator) Load() error {
	for p := int32(0); p < c.cfg.NumPartitions; p++ {
		if err := c.LoadPartition(p); err != nil {
			return err
		}
	}
	return nil
}

// replayBatch applies one batch of a partition. Transactional offset
// commits wait as pending for their transaction's marker, which commits or
// drops them (txn_offsets.go); those still open after the replay stay
// pending until the transaction coordinator finishes them.
func (c *Coordinator) replayBatch(partition int32, batch []byte) error {
	_, err := record.Iterate(batch, nil, func(h *record.Header, r *record.Record) error {
		switch {
		case h.Control():
			return c.replayMarker(partition, h, r)
		case h.Transactional():
			return c.replayTxnRecord(h.ProducerID, r.Key, r.Value)
		}
		return c.replayRecord(r.Key, r.Value)
	})
	return err
}

// replayMarker applies a transaction marker: its key is a version and a
// type (0 abort, 1 commit), both int16. Other control records carry no
// group state and are skipped.
func (c *Coordinator) replayMarker(partition int32, h *record.Header, r *record.Record) error {
	if len(r.Key) < 4 {
		return nil
	}
	switch typ := int16(binary.BigEndian.Uint16(r.Key[2:])); typ {
	case 0, 1:
		c.completeTxnLocked(partition, h.ProducerID, typ == 1)
	}
	return nil
}

// replayTxnRecord holds a transactional offset commit as pending; other
// records in a transactional batch (Kafka writes none) apply at once.
func (c *Coordinator) replayTxnRecord(pid int64, key, value []byte) error {
	v, err := keyVersion(key)
	if err != nil {
		return err
	}
	if v > keyOffsetCommit || value == nil {
		return c.replayRecord(key, value)
	}
	var k kmsg.OffsetCommitKey
	if err := k.ReadFrom(key); err != nil {
		return fmt.Errorf("%w: offset key: %w", ErrCorruptRecord, err)
	}
	var ov kmsg.OffsetCommitValue
	if err := ov.ReadFrom(value); err != nil {
		return fmt.Errorf("%w: offset value: %w", ErrCorruptRecord, err)
	}
	e := offsetEntry{offset: ov.Offset, leaderEpoch: ov.LeaderEpoch, metadata: ov.Metadata, commitMs: ov.CommitTimestamp}
	c.mu.pending.add(pid, k.Group, topicPartition{k.Topic, k.Partition}, e)
	return nil
}

// replayRecord applies one record, a null value deleting its key.
func (c *Coordinator) replayRecord(key, value []byte) error {
	v, err := keyVersion(key)
	if err != nil {
		return err
	}
	switch {
	case v <= keyOffsetCommit:
		return c.replayOffset(key, value)
	case v == keyGroupMetadata:
		return c.replayGroup(key, value)
	case v <= keyCurrentAssignment:
		return c.replayConsumer(v, key, value)
	}
	return nil // share and streams groups are not served: skip
}

func (c *Coordinator) replayOffset(key, value []byte) error {
	var k kmsg.OffsetCommitKey
	if err := k.ReadFrom(key); err != nil {
		return fmt.Errorf("%w: offset key: %w", ErrCorruptRecord, err)
	}
	g := c.groupLocked(k.Group)
	tp := topicPartition{k.Topic, k.Partition}
	if value == nil {
		if g != nil {
			delete(g.offsets, tp)
		}
		return nil
	}
	var v kmsg.OffsetCommitValue
	if err := v.ReadFrom(value); err != nil {
		return fmt.Errorf("%w: offset value: %w", ErrCorruptRecord, err)
	}
	if g == nil {
		g = newGroup(k.Group, TypeClassic, v.CommitTimestamp)
		c.mu.groups[k.Group] = g
	}
	g.offsets[tp] = offsetEntry{offset: v.Offset, leaderEpoch: v.LeaderEpoch, metadata: v.Metadata, commitMs: v.CommitTimestamp}
	return nil
}

func (c *Coordinator) replayGroup(key, value []byte) error {
	var k kmsg.GroupMetadataKey
	if err := k.ReadFrom(key); err != nil {
		return fmt.Errorf("%w: group key: %w", ErrCorruptRecord, err)
	}
	if value == nil {
		if g := c.groupLocked(k.Group); g != nil && g.typ == TypeClassic {
			delete(c.mu.groups, k.Group)
		}
		return nil
	}
	var v kmsg.GroupMetadataValue
	if err := v.ReadFrom(value); err != nil {
		return fmt.Errorf("%w: group value: %w", ErrCorruptRecord, err)
	}
	c.loadClassic(k.Group, &v)
	return nil
}
