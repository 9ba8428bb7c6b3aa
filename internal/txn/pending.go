package txn

// Every write to the transaction log waits for the ISR before anyone is
// answered, as Kafka's TransactionStateManager.appendTransactionToLog
// appends with acks=all and completes the transition in its callback. A
// transition is validated and appended under the lock (so a transactional
// id's records are in the log in the order of its transitions) and held
// as the id's pending write; the in-memory state (c.txns) changes only
// once, with the lock released, the ISR holds the record (await). So the
// state the coordinator acts on and answers from is always one a new
// coordinator elected from the ISR replays: no partition is added, no
// epoch bumped, no transaction completed and no id removed in memory
// unless the log keeps it.
//
// While an id has a pending write, requests that would change it answer
// CONCURRENT_TRANSACTIONS (clients retry), as Kafka answers a transaction
// with a pending transition; the implicit add of transactions v2
// (VerifyPartition) waits for it instead and tries again, as Kafka's
// partition leader retries a CONCURRENT_TRANSACTIONS add. Reads
// (DescribeTransactions, ListTransactions, the verify-only
// AddPartitionsToTxn) see the state before the pending write, as Kafka's.
//
// A failed wait reverts the transition (the pending write is dropped, the
// state stays as it was) and answers NOT_COORDINATOR when the broker lost
// the partition or did not get it replicated in time (the broker then
// unloads the partition and reloads it from the log, dropping everything
// in memory), COORDINATOR_NOT_AVAILABLE when the ISR is below
// transaction.state.log.min.isr, as Kafka maps them. A wait that spans an
// unload answers NOT_COORDINATOR and changes nothing.

import (
	"errors"

	"github.com/twmb/franz-go/pkg/kerr"
)

// write is a transition appended to the log and waiting for the ISR.
type write struct {
	id   string
	next *Metadata // nil: the id's tombstone
	part int32
	end  int64         // the partition's log end offset after the record
	done chan struct{} // closed once applied, reverted or dropped
}

// appendLocked appends next as its id's new state and makes it the id's
// pending write; the caller must call await with the result once it
// released the lock. Requires c.mu.
func (c *Coordinator) appendLocked(next *Metadata) (*write, *kerr.Error) {
	next.UpdateMs = c.nowMs()
	return c.appendRecordLocked(next.TransactionalID, next, EncodeValue(next))
}

// tombstoneLocked appends the tombstone of id (its removal) as its
// pending write. Requires c.mu.
func (c *Coordinator) tombstoneLocked(id string) (*write, *kerr.Error) {
	return c.appendRecordLocked(id, nil, nil)
}

func (c *Coordinator) appendRecordLocked(id string, next *Metadata, value []byte) (*write, *kerr.Error) {
	p := PartitionFor(id, c.cfg.Partitions)
	end, err := c.deps.AppendLog(p, EncodeKey(id), value)
	if err != nil {
		c.cfg.Logger.Error("transaction log append failed", "transactional.id", id, "err", err)
		return nil, logError(err)
	}
	w := &write{id: id, next: next, part: p, end: end, done: make(chan struct{})}
	c.pending[id] = w
	return w, nil
}

// await waits, without the lock, until the ISR holds w's record, then
// applies it: nil, or the error to answer (the transition reverted).
func (c *Coordinator) await(w *write) *kerr.Error {
	err := c.deps.AwaitLog(w.part, w.end)
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.applyLocked(w, err)
}

// applyLocked ends w's wait, which err ended: it makes w's state current
// unless the wait failed or the partition was unloaded meanwhile.
// Requires c.mu.
func (c *Coordinator) applyLocked(w *write, err error) *kerr.Error {
	defer close(w.done)
	if c.pending[w.id] != w {
		return kerr.NotCoordinator // unloaded (and maybe reloaded) meanwhile
	}
	delete(c.pending, w.id)
	if err != nil {
		c.cfg.Logger.Error("transaction log not replicated", "transactional.id", w.id, "err", err)
		return logError(err)
	}
	if w.next == nil {
		delete(c.txns, w.id)
	} else {
		c.txns[w.id] = w.next
	}
	return nil
}

// dropPendingLocked forgets the pending writes of partition p (an unload
// or a load): their waits answer NOT_COORDINATOR. Requires c.mu.
func (c *Coordinator) dropPendingLocked(p int32) {
	for id, w := range c.pending {
		if w.part == p {
			delete(c.pending, id)
		}
	}
}

// logError maps a failed append or wait to the coordinator's answer.
func logError(err error) *kerr.Error {
	if errors.Is(err, ErrNotCoordinator) {
		return kerr.NotCoordinator
	}
	return kerr.CoordinatorNotAvailable
}
