package group

import (
	"encoding/binary"
	"fmt"

	"github.com/gofka/gofka/internal/record"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Record key versions in __consumer_offsets, as Kafka's
// CoordinatorRecordType: 0 and 1 offset commits, 2 classic group
// metadata, 3-8 KIP-848 consumer group records.
const (
	keyOffsetCommit          = 1
	keyGroupMetadata         = 2
	keyConsumerGroupMetadata = 3
	keyPartitionMetadata     = 4
	keyMemberMetadata        = 5
	keyTargetMetadata        = 6
	keyTargetMember          = 7
	keyCurrentAssignment     = 8
)

// kv is one record to write: Value nil is a tombstone.
type kv struct{ key, value []byte }

func offsetCommitKey(group, topic string, partition int32) []byte {
	k := kmsg.OffsetCommitKey{Version: keyOffsetCommit, Group: group, Topic: topic, Partition: partition}
	return k.AppendTo(nil)
}

func offsetCommitValue(o offsetEntry) []byte {
	v := kmsg.NewOffsetCommitValue()
	v.Version = 3
	v.Offset, v.LeaderEpoch, v.Metadata, v.CommitTimestamp = o.offset, o.leaderEpoch, o.metadata, o.commitMs
	return v.AppendTo(nil)
}

func groupMetadataKey(group string) []byte {
	k := kmsg.GroupMetadataKey{Version: keyGroupMetadata, Group: group}
	return k.AppendTo(nil)
}

// buildBatch encodes records into one uncompressed batch.
func buildBatch(recs []kv, nowMs int64) ([]byte, error) {
	out := make([]Record, len(recs))
	for i, r := range recs {
		out[i] = Record{Key: r.key, Value: r.value}
	}
	return BuildBatch(out, nowMs)
}

// Record is one record of a coordinator log (__consumer_offsets,
// __share_group_state): a nil Value is a tombstone.
type Record struct{ Key, Value []byte }

// BuildBatch encodes records into one uncompressed batch, as the
// coordinators write them.
func BuildBatch(recs []Record, nowMs int64) ([]byte, error) {
	b := record.NewBuilder(record.CodecNone, 0, nowMs)
	for i, r := range recs {
		b.Add(record.Record{Offset: int64(i), Timestamp: nowMs, Key: r.Key, Value: r.Value})
	}
	out, err := b.Build(nil)
	if err != nil {
		return nil, fmt.Errorf("group: build batch: %w", err)
	}
	return out, nil
}

// EachRecord calls fn with the offset, key and value of every data record
// of a replayed batch; control records are skipped.
func EachRecord(batch []byte, fn func(offset int64, key, value []byte) error) error {
	_, err := record.Iterate(batch, nil, func(h *record.Header, r *record.Record) error {
		if h.Control() {
			return nil
		}
		return fn(r.Offset, r.Key, r.Value)
	})
	return err
}

// keyVersion is the version prefix of a record key.
func keyVersion(key []byte) (int16, error) {
	if len(key) < 2 {
		return 0, fmt.Errorf("%w: key of %d bytes", ErrCorruptRecord, len(key))
	}
	return int16(binary.BigEndian.Uint16(key)), nil
}

// write appends recs to the group's partition. Requires c.mu: writes are
// ordered with the state changes they record. The running operation
// answers once the ISR holds them (pending.go).
func (c *Coordinator) write(groupID string, recs []kv) error {
	if len(recs) == 0 {
		return nil
	}
	batch, err := buildBatch(recs, c.now().UnixMilli())
	if err != nil {
		return err
	}
	if c.cfg.MaxRecordBytes > 0 && len(batch) > c.cfg.MaxRecordBytes {
		return fmt.Errorf("%w: %d bytes", ErrRecordTooLarge, len(batch))
	}
	p := c.PartitionFor(groupID)
	end, err := c.store.Write(p, batch)
	if err != nil {
		return fmt.Errorf("group: write %s: %w", groupID, err)
	}
	c.wroteLocked(p, end)
	return nil
}
