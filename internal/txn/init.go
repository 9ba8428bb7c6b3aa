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
func (c *Coordinator) InitProducerID(id string, timeoutMs int32, pid int64, epoch int16) InitResult {
	if timeoutMs <= 0 || timeoutMs > c.cfg.MaxTimeoutMs {
		return InitResult{-1, -1, kerr.InvalidTransactionTimeout}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.ownerLocked(id); err != nil {
		return InitResult{-1, -1, err}
	}
	m := c.txns[id]
	if m == nil || m.State == Dead {
		return c.initNewLocked(id, timeoutMs)
	}
	if pid >= 0 && !(pid == m.ProducerID && (epoch == m.Epoch || epoch == m.LastEpoch)) &&
		!(pid == m.PrevProducerID && m.Epoch == 0) {
		return InitResult{-1, -1, kerr.ProducerFenced}
	}
	if err := c.settleLocked(m); err != nil {
		return InitResult{-1, -1, err}
	}
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

// settleLocked brings a transaction to a Complete or Empty state: a
// prepared one is finished, an ongoing one is aborted with a bumped epoch.
func (c *Coordinator) settleLocked(m *Metadata) *kerr.Error {
	switch m.State {
	case PrepareCommit:
		return c.completeLocked(m, CompleteCommit)
	case PrepareAbort:
		return c.completeLocked(m, CompleteAbort)
	case Ongoing:
		fenced := m.clone()
		if err := c.bumpEpoch(fenced); err != nil {
			return err
		}
		return c.endLocked(fenced, false)
	}
	return nil
}
