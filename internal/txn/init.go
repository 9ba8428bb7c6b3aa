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
// finished without the lock (finish.go), then the id is initialized.
func (c *Coordinator) InitProducerID(id string, timeoutMs int32, pid int64, epoch int16) InitResult {
	if timeoutMs <= 0 || timeoutMs > c.cfg.MaxTimeoutMs {
		return InitResult{-1, -1, kerr.InvalidTransactionTimeout}
	}
	for pass := 0; pass < 3; pass++ {
		c.mu.Lock()
		res, prepared := c.initLocked(id, timeoutMs, pid, epoch, pass == 0)
		c.mu.Unlock()
		if prepared == nil {
			return res
		}
		if err := c.finish(prepared); err != nil {
			return InitResult{-1, -1, err}
		}
	}
	return InitResult{-1, -1, kerr.ConcurrentTransactions}
}

// initLocked answers InitProducerId, or returns a transaction to finish
// first. The producer id and epoch are checked on the first pass only,
// against the state the client knew.
func (c *Coordinator) initLocked(id string, timeoutMs int32, pid int64, epoch int16, check bool) (InitResult, *Metadata) {
	if err := c.ownerLocked(id); err != nil {
		return InitResult{-1, -1, err}, nil
	}
	m := c.txns[id]
	if m == nil || m.State == Dead {
		return c.initNewLocked(id, timeoutMs), nil
	}
	if check && pid >= 0 && !(pid == m.ProducerID && (epoch == m.Epoch || epoch == m.LastEpoch)) &&
		!(pid == m.PrevProducerID && m.Epoch == 0) {
		return InitResult{-1, -1, kerr.ProducerFenced}, nil
	}
	if prepared, err := c.settleLocked(m); err != nil || prepared != nil {
		return InitResult{-1, -1, err}, prepared
	}
	return c.bumpLocked(id, timeoutMs, pid, epoch), nil
}

// bumpLocked gives a settled transactional id its next epoch.
func (c *Coordinator) bumpLocked(id string, timeoutMs int32, pid int64, epoch int16) InitResult {
	next := c.txns[id].clone()
	if pid >= 0 && pid == next.ProducerID && epoch == next.LastEpoch && next.LastEpoch >= 0 {
		return InitResult{next.ProducerID, next.Epoch, nil} // a retry of the last bump
	}
	if err := c.bumpEpoch(next); err != nil {
		return InitResult{-1, -1, err}
	}
	next.State, next.TimeoutMs = Empty, timeoutMs
	next.Partitions, next.StartMs = map[TopicPartition]struct{}{}, -1
	if err := c.transitionLocked(next, c.txns[id].State); err != nil {
		return InitResult{-1, -1, err}
	}
	return InitResult{next.ProducerID, next.Epoch, nil}
}

func (c *Coordinator) initNewLocked(id string, timeoutMs int32) InitResult {
	pid, err := c.deps.NewProducerID()
	if err != nil {
		return InitResult{-1, -1, kerr.CoordinatorNotAvailable}
	}
	m := &Metadata{
		TransactionalID: id, ProducerID: pid, PrevProducerID: -1, NextProducerID: -1,
		Epoch: 0, LastEpoch: -1, TimeoutMs: timeoutMs, State: Empty,
		Partitions: map[TopicPartition]struct{}{}, StartMs: -1,
	}
	if kerr := c.persistLocked(m); kerr != nil {
		return InitResult{-1, -1, kerr}
	}
	return InitResult{pid, 0, nil}
}

// settleLocked returns the transaction to finish before m's id can be
// initialized: a prepared one (CONCURRENT_TRANSACTIONS while someone else
// finishes it), or an ongoing one aborted with a bumped epoch; nil when
// it is complete or empty.
func (c *Coordinator) settleLocked(m *Metadata) (*Metadata, *kerr.Error) {
	switch m.State {
	case PrepareCommit, PrepareAbort:
		if c.finishing[m.TransactionalID] != nil {
			return nil, kerr.ConcurrentTransactions
		}
		c.finishing[m.TransactionalID] = m
		return m, nil
	case Ongoing:
		fenced := m.clone()
		if err := c.bumpEpoch(fenced); err != nil {
			return nil, err
		}
		return c.prepareLocked(fenced, false)
	}
	return nil, nil
}
