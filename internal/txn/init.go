package txn

import (
	"github.com/twmb/franz-go/pkg/kerr"
)

// InitResult is InitProducerId's answer.
type InitResult struct {
	ProducerID int64
	Epoch      int16
	Err        *kerr.Error
}

// InitProducerID serves InitProducerId for a transactional id, as Kafka's
// TransactionCoordinator.handleInitProducerId: a new id gets a fresh
// producer id at epoch 0; a known one gets its epoch bumped (fencing older
// instances), after aborting an ongoing transaction and finishing a
// prepared one. With pid/epoch set (KIP-360) they must name the current or
// the previous incarnation, else PRODUCER_FENCED.
//
// A transaction to finish first (prepared, or ongoing and aborted here) is
// finished without the lock (finish.go), then the id is initialized; the
// answer waits for the ISR to hold the id's new state (pending.go).
func (c *Coordinator) InitProducerID(id string, timeoutMs int32, pid int64, epoch int16) InitResult {
	if timeoutMs <= 0 || timeoutMs > c.cfg.MaxTimeoutMs {
		return InitResult{-1, -1, kerr.InvalidTransactionTimeout}
	}
	for pass := 0; pass < 3; pass++ {
		c.mu.Lock()
		res, e, w := c.initLocked(id, timeoutMs, pid, epoch, pass == 0)
		c.mu.Unlock()
		switch {
		case w != nil:
			if err := c.await(w); err != nil {
				return InitResult{-1, -1, err}
			}
			return res
		case e == nil:
			return res
		}
		if err := c.finish(*e); err != nil {
			return InitResult{-1, -1, err}
		}
	}
	return InitResult{-1, -1, kerr.ConcurrentTransactions}
}

// initLocked answers InitProducerId, with the write to await before the
// answer, or returns a transaction to finish first. The producer id and
// epoch are checked on the first pass only, against the state the client
// knew.
func (c *Coordinator) initLocked(id string, timeoutMs int32, pid int64, epoch int16, check bool) (InitResult, *ending, *write) {
	if err := c.ownerLocked(id); err != nil {
		return InitResult{-1, -1, err}, nil, nil
	}
	if c.pending[id] != nil {
		return InitResult{-1, -1, kerr.ConcurrentTransactions}, nil, nil
	}
	m := c.txns[id]
	if m == nil || m.State == Dead {
		res, w := c.initNewLocked(id, timeoutMs)
		return res, nil, w
	}
	if check && pid >= 0 && !(pid == m.ProducerID && (epoch == m.Epoch || epoch == m.LastEpoch)) &&
		!(pid == m.PrevProducerID && m.Epoch == 0) {
		return InitResult{-1, -1, kerr.ProducerFenced}, nil, nil
	}
	if e, err := c.settleLocked(m); err != nil || e != nil {
		return InitResult{-1, -1, err}, e, nil
	}
	res, w := c.bumpLocked(id, timeoutMs, pid, epoch)
	return res, nil, w
}

// bumpLocked gives a settled transactional id its next epoch.
func (c *Coordinator) bumpLocked(id string, timeoutMs int32, pid int64, epoch int16) (InitResult, *write) {
	next := c.txns[id].clone()
	if pid >= 0 && pid == next.ProducerID && epoch == next.LastEpoch && next.LastEpoch >= 0 {
		return InitResult{next.ProducerID, next.Epoch, nil}, nil // a retry of the last bump
	}
	if err := c.bumpEpoch(next); err != nil {
		return InitResult{-1, -1, err}, nil
	}
	next.State, next.TimeoutMs = Empty, timeoutMs
	next.Partitions, next.StartMs = map[TopicPartition]struct{}{}, -1
	w, err := c.transitionLocked(next, c.txns[id].State)
	if err != nil {
		return InitResult{-1, -1, err}, nil
	}
	return InitResult{next.ProducerID, next.Epoch, nil}, w
}

func (c *Coordinator) initNewLocked(id string, timeoutMs int32) (InitResult, *write) {
	pid, err := c.deps.NewProducerID()
	if err != nil {
		return InitResult{-1, -1, kerr.CoordinatorNotAvailable}, nil
	}
	m := &Metadata{
		TransactionalID: id, ProducerID: pid, PrevProducerID: -1, NextProducerID: -1,
		Epoch: 0, LastEpoch: -1, TimeoutMs: timeoutMs, State: Empty,
		Partitions: map[TopicPartition]struct{}{}, StartMs: -1,
	}
	w, kerr := c.appendLocked(m)
	if kerr != nil {
		return InitResult{-1, -1, kerr}, nil
	}
	return InitResult{pid, 0, nil}, w
}

// settleLocked returns the transaction to finish before m's id can be
// initialized: a prepared one (CONCURRENT_TRANSACTIONS while someone else
// finishes it), or an ongoing one aborted with a bumped epoch; nil when
// it is complete or empty.
func (c *Coordinator) settleLocked(m *Metadata) (*ending, *kerr.Error) {
	switch m.State {
	case PrepareCommit, PrepareAbort:
		if c.finishing[m.TransactionalID] != nil {
			return nil, kerr.ConcurrentTransactions
		}
		c.finishing[m.TransactionalID] = m
		return &ending{m: m}, nil
	case Ongoing:
		fenced := m.clone()
		if err := c.bumpEpoch(fenced); err != nil {
			return nil, err
		}
		e, err := c.prepareLocked(fenced, false)
		if err != nil {
			return nil, err
		}
		return &e, nil
	}
	return nil, nil
}
