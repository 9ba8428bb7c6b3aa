package txn

import (
	"sort"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// State is a transaction's state, with Kafka's ids.
type State = kmsg.TransactionState

// Kafka's transaction states.
const (
	Empty             = kmsg.TransactionStateEmpty
	Ongoing           = kmsg.TransactionStateOngoing
	PrepareCommit     = kmsg.TransactionStatePrepareCommit
	PrepareAbort      = kmsg.TransactionStatePrepareAbort
	CompleteCommit    = kmsg.TransactionStateCompleteCommit
	CompleteAbort     = kmsg.TransactionStateCompleteAbort
	Dead              = kmsg.TransactionStateDead
	PrepareEpochFence = kmsg.TransactionStatePrepareEpochFence
)

// StateName is the name DescribeTransactions and ListTransactions report.
func StateName(s State) string {
	switch s {
	case Empty:
		return "Empty"
	case Ongoing:
		return "Ongoing"
	case PrepareCommit:
		return "PrepareCommit"
	case PrepareAbort:
		return "PrepareAbort"
	case CompleteCommit:
		return "CompleteCommit"
	case CompleteAbort:
		return "CompleteAbort"
	case Dead:
		return "Dead"
	case PrepareEpochFence:
		return "PrepareEpochFence"
	}
	return "Unknown"
}

// TopicPartition names a partition in a transaction.
type TopicPartition struct {
	Topic     string
	Partition int32
}

// Metadata is one transactional id's state.
type Metadata struct {
	TransactionalID string
	ProducerID      int64
	PrevProducerID  int64
	NextProducerID  int64
	Epoch           int16
	LastEpoch       int16 // the epoch before the last bump, for retries
	TimeoutMs       int32
	State           State
	Partitions      map[TopicPartition]struct{}
	StartMs         int64
	UpdateMs        int64
	ClientTV        int16 // the client's transaction version (2 for KIP-890)
}

func (m *Metadata) clone() *Metadata {
	c := *m
	c.Partitions = make(map[TopicPartition]struct{}, len(m.Partitions))
	for tp := range m.Partitions {
		c.Partitions[tp] = struct{}{}
	}
	return &c
}

// SortedPartitions lists the transaction's partitions in order.
func (m *Metadata) SortedPartitions() []TopicPartition {
	out := make([]TopicPartition, 0, len(m.Partitions))
	for tp := range m.Partitions {
		out = append(out, tp)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Topic != out[j].Topic {
			return out[i].Topic < out[j].Topic
		}
		return out[i].Partition < out[j].Partition
	})
	return out
}

// validTransition reports the transitions Kafka's TransactionState allows.
func validTransition(from, to State) bool {
	switch to {
	case Empty:
		return from == Empty || from == CompleteCommit || from == CompleteAbort
	case Ongoing:
		return from == Ongoing || from == Empty || from == CompleteCommit || from == CompleteAbort
	case PrepareCommit:
		return from == Ongoing
	case PrepareAbort:
		return from == Ongoing || from == PrepareEpochFence || from == Empty || from == CompleteCommit || from == CompleteAbort
	case CompleteCommit:
		return from == PrepareCommit
	case CompleteAbort:
		return from == PrepareAbort
	case PrepareEpochFence:
		return from == Ongoing
	case Dead:
		return from == Empty || from == CompleteCommit || from == CompleteAbort
	}
	return false
}
