package txn

import (
	"math"

	"github.com/twmb/franz-go/pkg/kerr"
)

// EndResult is EndTxn's answer; v5+ (transactions v2) returns the bumped
// producer id and epoch.
type EndResult struct {
	ProducerID int64
	Epoch      int16
	Err        *kerr.Error
}

// EndTxn commits or aborts a transaction, as Kafka's
// TransactionCoordinator.endTransaction. With tv2 (EndTxn v5+) the epoch is
// bumped at every end and the markers carry the new epoch.
//
// The Prepare state is appended under the lock; the waits for the ISR,
// the markers and the Complete state come after it is released
// (finish.go), and the answer waits for them all.
func (c *Coordinator) EndTxn(id string, pid int64, epoch int16, commit, tv2 bool) EndResult {
	c.mu.Lock()
	res, e := c.endTxnLocked(id, pid, epoch, commit, tv2)
	c.mu.Unlock()
	if e == nil {
		return res
	}
	if err := c.finish(*e); err != nil {
		return EndResult{-1, -1, err}
	}
	return EndResult{e.m.ProducerID, e.m.Epoch, nil}
}

// endTxnLocked answers EndTxn, or prepares the transaction for finish.
func (c *Coordinator) endTxnLocked(id string, pid int64, epoch int16, commit, tv2 bool) (EndResult, *ending) {
	if err := c.ownerLocked(id); err != nil {
		return EndResult{-1, -1, err}, nil
	}
	if c.pending[id] != nil {
		return EndResult{-1, -1, kerr.ConcurrentTransactions}, nil
	}
	m := c.txns[id]
	if m == nil || m.State == Dead {
		return EndResult{-1, -1, kerr.InvalidProducerIDMapping}, nil
	}
	if tv2 {
		return c.endV2Locked(m, pid, epoch, commit)
	}
	return c.endV1Locked(m, pid, epoch, commit)
}

// endV1Locked: the producer keeps its epoch; a retry of a finished end
// names the same epoch and outcome.
func (c *Coordinator) endV1Locked(m *Metadata, pid int64, epoch int16, commit bool) (EndResult, *ending) {
	if m.ProducerID != pid {
		return EndResult{-1, -1, kerr.InvalidProducerIDMapping}, nil
	}
	if m.Epoch != epoch {
		return EndResult{-1, -1, kerr.ProducerFenced}, nil
	}
	switch m.State {
	case Ongoing:
		return c.finishLocked(m.clone(), commit)
	case PrepareCommit, PrepareAbort:
		return sameOutcome(m.State == PrepareCommit, commit, EndResult{-1, -1, kerr.ConcurrentTransactions}), nil
	case CompleteCommit, CompleteAbort:
		return sameOutcome(m.State == CompleteCommit, commit, EndResult{m.ProducerID, m.Epoch, nil}), nil
	}
	return EndResult{-1, -1, kerr.InvalidTxnState}, nil
}

// endV2Locked: every end bumps the epoch, so a retry names the epoch
// before the bump (or, after a bump that rolled the producer id, the old id
// at its last epoch). As in Kafka, the retry is recognized by the epoch
// alone, which a coordinator that loaded the transaction from the log
// knows too: while the markers are still being written it is answered
// CONCURRENT_TRANSACTIONS (the client retries), once they are written with
// success. Answering it PRODUCER_FENCED, as this did for a prepared
// transaction or after a coordinator move, failed the producer for good.
func (c *Coordinator) endV2Locked(m *Metadata, pid int64, epoch int16, commit bool) (EndResult, *ending) {
	retryBump := m.ProducerID == pid && int32(epoch)+1 == int32(m.Epoch)
	retryRoll := m.PrevProducerID == pid && epoch == math.MaxInt16-1 && m.Epoch == 0
	retry := retryBump || retryRoll
	if m.ProducerID != pid && !retryRoll {
		return EndResult{-1, -1, kerr.InvalidProducerIDMapping}, nil
	}
	var validEpoch bool
	switch m.State {
	case PrepareCommit, PrepareAbort:
		validEpoch = retryBump
	case CompleteCommit, CompleteAbort:
		validEpoch = retry || epoch == m.Epoch
	default:
		validEpoch = epoch == m.Epoch
	}
	if !validEpoch {
		return EndResult{-1, -1, kerr.ProducerFenced}, nil
	}
	switch {
	case m.State == PrepareCommit || m.State == PrepareAbort:
		return sameOutcome(m.State == PrepareCommit, commit, EndResult{-1, -1, kerr.ConcurrentTransactions}), nil
	case retry: // a finished end: the same outcome again
		return sameOutcome(m.State == CompleteCommit, commit, EndResult{m.ProducerID, m.Epoch, nil}), nil
	case m.State == Ongoing, !commit: // an abort of an empty or finished transaction is allowed
		next := m.clone()
		next.ClientTV = 2
		if err := c.bumpEpoch(next); err != nil {
			return EndResult{-1, -1, err}, nil
		}
		return c.finishLocked(next, commit)
	}
	return EndResult{-1, -1, kerr.InvalidTxnState}, nil
}

// sameOutcome answers r when the transaction's outcome (committed) is the
// one asked for, INVALID_TXN_STATE otherwise.
func sameOutcome(committed, commit bool, r EndResult) EndResult {
	if committed != commit {
		return EndResult{-1, -1, kerr.InvalidTxnState}
	}
	return r
}

// finishLocked appends next's Prepare state and returns it for finish.
func (c *Coordinator) finishLocked(next *Metadata, commit bool) (EndResult, *ending) {
	e, err := c.prepareLocked(next, commit)
	if err != nil {
		return EndResult{-1, -1, err}, nil
	}
	return EndResult{}, &e
}
