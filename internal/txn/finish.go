package txn

// Ending a transaction writes its Prepare state, its markers and its
// Complete state. The markers go to the data partitions' leaders and wait
// for their ISRs (WriteTxnMarkers to other brokers, at most 10 s; local
// markers up to request.timeout.ms), so they are written without the
// coordinator's lock, as Kafka's TransactionMarkerChannelManager sends
// them outside the coordinator's state lock: one slow partition delays
// only the transactions that wrote to it. Under the lock the Prepare
// state is written and the transaction marked finishing (by whoever will
// write its markers); then, without the lock, the caller waits until the
// ISR holds the Prepare record (markers must never be written for a
// Prepare state a new coordinator may not see), writes the markers and
// takes the lock again to write the Complete state, if the transaction is
// still the one it prepared (an unload or a reload in between answers
// NOT_COORDINATOR; the new coordinator finishes it from the log). While a
// transaction is finishing, requests for it answer CONCURRENT_TRANSACTIONS
// (checkProducerLocked, EndTxn) and Recover leaves it alone.

import (
	"errors"

	"github.com/twmb/franz-go/pkg/kerr"
)

// prepareLocked writes the Prepare state of m's transaction (m's producer
// id and epoch) and marks it finishing: the caller must call finish with
// the result once it released the lock.
func (c *Coordinator) prepareLocked(m *Metadata, commit bool) (*Metadata, *kerr.Error) {
	next := m.clone()
	next.State = PrepareAbort
	if commit {
		next.State = PrepareCommit
	}
	if err := c.transitionLocked(next, m.State); err != nil {
		return nil, err
	}
	c.finishing[next.TransactionalID] = next
	return next, nil
}

// takePreparedLocked marks finishing the prepared transactions of the ids
// that match which no one is finishing, and returns them for finishAll.
func (c *Coordinator) takePreparedLocked(match func(id string) bool) []*Metadata {
	var out []*Metadata
	for _, id := range c.idsLocked() {
		m := c.txns[id]
		if !match(id) || (m.State != PrepareCommit && m.State != PrepareAbort) || c.finishing[id] != nil {
			continue
		}
		c.finishing[id] = m
		out = append(out, m)
	}
	return out
}

// finishAll finishes prepared transactions (without the lock) and returns
// how many it finished.
func (c *Coordinator) finishAll(prepared []*Metadata) int {
	n := 0
	for _, m := range prepared {
		if c.finish(m) == nil {
			n++
		}
	}
	return n
}

// finish writes the markers of the prepared transaction m, which the
// caller marked finishing, then its Complete state. Called without the
// lock. A failure leaves the transaction prepared for Recover (or for the
// coordinator that loads its partition next).
func (c *Coordinator) finish(m *Metadata) *kerr.Error {
	err := c.writeMarkers(m)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.finishing[m.TransactionalID] == m {
		delete(c.finishing, m.TransactionalID)
	}
	if err != nil {
		return err
	}
	if c.txns[m.TransactionalID] != m {
		return kerr.NotCoordinator // unloaded meanwhile: the new owner finishes it
	}
	next := m.clone()
	next.State, next.Partitions = CompleteAbort, map[TopicPartition]struct{}{}
	if m.State == PrepareCommit {
		next.State = CompleteCommit
	}
	return c.transitionLocked(next, m.State)
}

// writeMarkers waits until the ISR holds m's Prepare record, then writes
// its markers. Called without the lock.
func (c *Coordinator) writeMarkers(m *Metadata) *kerr.Error {
	p := PartitionFor(m.TransactionalID, c.cfg.Partitions)
	if err := c.deps.AwaitLog(p); err != nil {
		c.cfg.Logger.Error("transaction log not replicated", "transactional.id", m.TransactionalID, "err", err)
		if errors.Is(err, ErrNotCoordinator) {
			return kerr.NotCoordinator
		}
		return kerr.CoordinatorNotAvailable
	}
	if err := c.deps.WriteMarkers(p, m.ProducerID, m.Epoch, m.State == PrepareCommit, m.SortedPartitions()); err != nil {
		c.cfg.Logger.Error("writing transaction markers failed", "transactional.id", m.TransactionalID, "err", err)
		return kerr.CoordinatorNotAvailable // left prepared; Recover retries
	}
	return nil
}
