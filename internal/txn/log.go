package txn

import (
	"fmt"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// Topic is the transaction log topic.
const Topic = "__transaction_state"

// PartitionFor is the transaction log partition of a transactional id:
// abs(Java String.hashCode) modulo the partition count, as Kafka computes.
func PartitionFor(id string, partitions int32) int32 {
	h := JavaHash(id)
	if h == -1<<31 {
		h = 0 // Kafka's Utils.abs maps MIN_VALUE to 0
	} else if h < 0 {
		h = -h
	}
	return h % partitions
}

// JavaHash is Java's String.hashCode over UTF-16 code units.
func JavaHash(s string) int32 {
	var h int32
	for _, r := range s {
		if r >= 0x10000 {
			r -= 0x10000
			h = 31*h + int32(0xD800+(r>>10))
			h = 31*h + int32(0xDC00+(r&0x3FF))
			continue
		}
		h = 31*h + int32(r)
	}
	return h
}

// EncodeKey is the record key for a transactional id (TransactionLogKey v0).
func EncodeKey(id string) []byte {
	k := kmsg.NewTxnMetadataKey()
	k.TransactionalID = id
	return k.AppendTo(nil)
}

// EncodeValue is the record value for a transaction's state
// (TransactionLogValue v1 for transactions v2 clients, else v0, as Kafka).
func EncodeValue(m *Metadata) []byte {
	v := kmsg.NewTxnMetadataValue()
	if m.ClientTV >= 2 {
		v.Version = 1
	}
	v.ProducerID, v.ProducerEpoch, v.TimeoutMillis, v.State = m.ProducerID, m.Epoch, m.TimeoutMs, m.State
	v.PreviousProducerID, v.NextProducerID, v.ClientTransactionVersion = m.PrevProducerID, m.NextProducerID, m.ClientTV
	v.LastUpdateTimestamp, v.StartTimestamp = m.UpdateMs, m.StartMs
	for _, tp := range m.SortedPartitions() {
		if n := len(v.Topics); n > 0 && v.Topics[n-1].Topic == tp.Topic {
			v.Topics[n-1].Partitions = append(v.Topics[n-1].Partitions, tp.Partition)
			continue
		}
		v.Topics = append(v.Topics, kmsg.TxnMetadataValueTopic{Topic: tp.Topic, Partitions: []int32{tp.Partition}})
	}
	return v.AppendTo(nil)
}

// DecodeRecord parses a transaction log record; a nil value (tombstone)
// returns a nil Metadata.
func DecodeRecord(key, value []byte) (string, *Metadata, error) {
	k := kmsg.NewTxnMetadataKey()
	if err := k.ReadFrom(key); err != nil || k.Version != 0 {
		return "", nil, fmt.Errorf("txn: bad transaction log key (version %d): %v", k.Version, err)
	}
	if value == nil {
		return k.TransactionalID, nil, nil
	}
	v := kmsg.NewTxnMetadataValue()
	if err := v.ReadFrom(value); err != nil || v.Version > 1 {
		return "", nil, fmt.Errorf("txn: bad transaction log value (version %d): %v", v.Version, err)
	}
	m := &Metadata{
		TransactionalID: k.TransactionalID, ProducerID: v.ProducerID, PrevProducerID: v.PreviousProducerID,
		NextProducerID: v.NextProducerID, Epoch: v.ProducerEpoch, LastEpoch: -1, TimeoutMs: v.TimeoutMillis,
		State: v.State, Partitions: map[TopicPartition]struct{}{}, StartMs: v.StartTimestamp,
		UpdateMs: v.LastUpdateTimestamp, ClientTV: v.ClientTransactionVersion,
	}
	for _, t := range v.Topics {
		for _, p := range t.Partitions {
			m.Partitions[TopicPartition{t.Topic, p}] = struct{}{}
		}
	}
	return k.TransactionalID, m, nil
}
