package txn

// Ending a transaction writes its Prepare state, its markers and its
// Complete state. The markers go to the data partitions' leaders and wait
// for their ISRs (WriteTxnMarkers to other brokers, at most 10 s; local
// markers up to request.timeout.ms), so they are written without the
// coordinator's lock, as Kafka's TransactionMarkerChannelManager sends
// them outside the coordinator's state lock: one slow partition delays
// only the transactions that wrote to it. Under the lock the Prepare
// state is appended (a pending write, pending.go) and the transaction
// marked finishing (by whoever will write its markers); then, without the
// lock, the caller waits until the ISR holds the Prepare record, which
// makes it the current state (markers are never written for a Prepare
// state a new coordinator may not see; a failed wait reverts it, as
// Kafka's), writes the markers, appends the Complete state under the lock
// if the transaction is still the one it prepared (an unload or a reload
// in between answers NOT_COORDINATOR; the new coordinator finishes it from
// the log) and waits for the ISR to hold that too. While a transaction is
// finishing, requests for it answer CONCURRENT_TRANSACTIONS
// (checkProducerLocked, EndTxn) and Recover leaves it alone.
//
// EndTxn answers once the Complete state is replicated, after the
// markers, not once the Prepare state is (as Kafka does, sending the
// markers after the answer): the producer's next transaction then never
// meets CONCURRENT_TRANSACTIONS and a client's retry backoff, and what a
// commit wrote is readable (read_committed) when EndTxn returns.

import (
	"github.com/twmb/franz-go/pkg/kerr"
)

// ending is a transaction to finish: its Prepare state m and, when the
// Prepare record was just appended, its pending write (nil when m is the
// current state: loaded from the log, or left prepared by a failure).
type ending struct {
	m *Metadata
	w *write
}

// prepareLocked appends the Prepare state of m's transaction (m's
// producer id and epoch) and marks it finishing: the caller must call
// finish with the result once it released the lock.
func (c *Coordinator) prepareLocked(m *Metadata, commit bool) (ending, *kerr.Error) {
	next := m.clone()
	next.State = PrepareAbort
	if commit {
		next.State = PrepareCommit
	}
	w, err := c.transitionLocked(next, m.State)
	if err != nil {
		return ending{}, err
	}
	c.finishing[next.TransactionalID] = next
	return ending{next, w}, nil
}

// takePreparedLocked marks finishing the prepared transactions of the ids
// that match which no one is finishing, and returns them for finishAll.
func (c *Coordinator) takePreparedLocked(match func(id string) bool) []ending {
	var out []ending
	for _, id := range c.idsLocked() {
		m := c.txns[id]
		if !match(id) || (m.State != PrepareCommit && m.State != PrepareAbort) || c.busyLocked(id) {
			continue
		}
		c.finishing[id] = m
		out = append(out, ending{m: m})
	}
	return out
}

// finishAll finishes prepared transactions (without the lock) and returns
// how many it finished.
func (c *Coordinator) finishAll(prepared []ending) int {
	n := 0
	for _, e := range prepared {
		if c.finish(e) == nil {
			n++
		}
	}
	return n
}

// finish waits for e's Prepare record, writes its markers, then its
// Complete state; e is marked finishing until it returns. Called without
// the lock. A failure after the Prepare state is current leaves the
// transaction prepared for Recover (or for the coordinator that loads its
// partition next).
func (c *Coordinator) finish(e ending) *kerr.Error {
	err := c.finishSteps(e)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.finishing[e.m.TransactionalID] == e.m {
		delete(c.finishing, e.m.TransactionalID)
	}
	return err
}

func (c *Coordinator) finishSteps(e ending) *kerr.Error {
	if err := c.awaitPrepared(e); err != nil {
		return err
	}
	if err := c.writeMarkers(e.m); err != nil {
		return err
	}
	return c.complete(e.m)
}

// awaitPrepared waits until the ISR holds e's Prepare record: the one
// just appended (then it becomes the current state), or for a loaded or
// left Prepare state the partition up to its log end.
func (c *Coordinator) awaitPrepared(e ending) *kerr.Error {
	if e.w != nil {
		return c.await(e.w)
	}
	if err := c.deps.AwaitLog(PartitionFor(e.m.TransactionalID, c.cfg.Partitions), -1); err != nil {
		c.cfg.Logger.Error("transaction log not replicated", "transactional.id", e.m.TransactionalID, "err", err)
		return logError(err)
	}
	return nil
}

// writeMarkers writes the markers of m, whose Prepare record the ISR
// holds. Called without the lock.
func (c *Coordinator) writeMarkers(m *Metadata) *kerr.Error {
	p := PartitionFor(m.TransactionalID, c.cfg.Partitions)
	if err := c.deps.WriteMarkers(p, m.ProducerID, m.Epoch, m.State == PrepareCommit, m.SortedPartitions()); err != nil {
		c.cfg.Logger.Error("writing transaction markers failed", "transactional.id", m.TransactionalID, "err", err)
		return kerr.CoordinatorNotAvailable // left prepared; Recover retries
	}
	return nil
}

// complete appends the Complete state of the prepared transaction m,
// whose markers are written, and waits for the ISR to hold it.
func (c *Coordinator) complete(m *Metadata) *kerr.Error {
	c.mu.Lock()
	if c.txns[m.TransactionalID] != m {
		c.mu.Unlock()
		return kerr.NotCoordinator // unloaded meanwhile: the new owner finishes it
	}
	next := m.clone()
	next.State, next.Partitions = CompleteAbort, map[TopicPartition]struct{}{}
	if m.State == PrepareCommit {
		next.State = CompleteCommit
	}
	w, err := c.transitionLocked(next, m.State)
	c.mu.Unlock()
	if err != nil {
		return err
	}
	return c.await(w)
}
