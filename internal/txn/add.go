package txn

import (
	"github.com/twmb/franz-go/pkg/kerr"
)

// checkProducerLocked validates a request's producer id and epoch against
// a transactional id's state, as Kafka's coordinator does.
func (c *Coordinator) checkProducerLocked(id string, pid int64, epoch int16) (*Metadata, *kerr.Error) {
	if err := c.ownerLocked(id); err != nil {
		return nil, err
	}
	m := c.txns[id]
	switch {
	case m == nil || m.State == Dead:
		return nil, kerr.InvalidProducerIDMapping
	case m.ProducerID != pid:
		return nil, kerr.InvalidProducerIDMapping
	case m.Epoch != epoch:
		return nil, kerr.ProducerFenced
	case m.State == PrepareCommit || m.State == PrepareAbort:
		return nil, kerr.ConcurrentTransactions
	}
	return m, nil
}

// AddPartitions adds partitions to a transaction (AddPartitionsToTxn),
// starting it if it is not ongoing, and answers once the ISR holds the
// new state (pending.go). Every partition gets the same error: unknown
// partitions fail with UNKNOWN_TOPIC_OR_PARTITION and the others with
// OPERATION_NOT_ATTEMPTED, as Kafka answers.
func (c *Coordinator) AddPartitions(id string, pid int64, epoch int16, parts []TopicPartition) map[TopicPartition]*kerr.Error {
	out := make(map[TopicPartition]*kerr.Error, len(parts))
	if bad := c.unknownPartitions(parts); len(bad) > 0 {
		for _, tp := range parts {
			out[tp] = kerr.OperationNotAttempted
		}
		for _, tp := range bad {
			out[tp] = kerr.UnknownTopicOrPartition
		}
		return out
	}
	c.mu.Lock()
	w, err := c.addLocked(id, pid, epoch, parts, 0)
	c.mu.Unlock()
	if w != nil {
		err = c.await(w)
	}
	for _, tp := range parts {
		out[tp] = err
	}
	return out
}

func (c *Coordinator) unknownPartitions(parts []TopicPartition) []TopicPartition {
	var bad []TopicPartition
	for _, tp := range parts {
		if !c.deps.PartitionExists(tp) {
			bad = append(bad, tp)
		}
	}
	return bad
}

// addLocked appends the transaction's state with parts added, to await
// without the lock; nil when they are all in it already.
func (c *Coordinator) addLocked(id string, pid int64, epoch int16, parts []TopicPartition, tv int16) (*write, *kerr.Error) {
	m, err := c.checkProducerLocked(id, pid, epoch)
	if err != nil {
		return nil, err
	}
	if c.pending[id] != nil {
		return nil, kerr.ConcurrentTransactions
	}
	next := m.clone()
	if m.State != Ongoing {
		next.StartMs = c.nowMs()
		next.Partitions = map[TopicPartition]struct{}{}
	}
	if tv > 0 {
		next.ClientTV = tv
	}
	added := false
	for _, tp := range parts {
		if _, ok := next.Partitions[tp]; !ok {
			next.Partitions[tp] = struct{}{}
			added = true
		}
	}
	if m.State == Ongoing && !added {
		return nil, nil
	}
	next.State = Ongoing
	return c.transitionLocked(next, m.State)
}

// Verify answers the verify-only form of AddPartitionsToTxn: nil for each
// partition already in the ongoing transaction, INVALID_TXN_STATE
// otherwise (or the producer's error for all). As Kafka's, it reads the
// replicated state and ignores a pending write.
func (c *Coordinator) Verify(id string, pid int64, epoch int16, parts []TopicPartition) map[TopicPartition]*kerr.Error {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[TopicPartition]*kerr.Error, len(parts))
	m, err := c.checkProducerLocked(id, pid, epoch)
	for _, tp := range parts {
		switch {
		case err != nil:
			out[tp] = err
		case m.State != Ongoing:
			out[tp] = kerr.InvalidTxnState
		default:
			if _, ok := m.Partitions[tp]; !ok {
				out[tp] = kerr.InvalidTxnState
			} else {
				out[tp] = nil
			}
		}
	}
	return out
}

// VerifyPartition checks, before a transactional write to tp, that tp is
// in the producer's ongoing transaction. With implicit (transactions v2:
// Produce v12+, TxnOffsetCommit v5+) a missing partition is added, once
// the id's pending write (another partition's add, often) is over: the
// producer writes to several partitions at once, and Kafka's partition
// leader retries such an add rather than fail the write.
func (c *Coordinator) VerifyPartition(id string, pid int64, epoch int16, tp TopicPartition, implicit bool) *kerr.Error {
	if !implicit {
		return c.Verify(id, pid, epoch, []TopicPartition{tp})[tp]
	}
	for {
		c.mu.Lock()
		if p := c.pending[id]; p != nil && c.ownerLocked(id) == nil {
			c.mu.Unlock()
			<-p.done // ends with the pending write's wait for the ISR
			continue
		}
		w, err := c.addLocked(id, pid, epoch, []TopicPartition{tp}, 2)
		c.mu.Unlock()
		if w != nil {
			err = c.await(w)
		}
		return err
	}
}
