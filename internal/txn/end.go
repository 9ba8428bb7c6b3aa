package txn

import (
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
// TransactionCoordinator.handleEndTransaction. With tv2 (EndTxn v5+) the
// epoch is bumped at every end and the markers carry the new epoch; a retry
// of a finished end (the previous epoch, same outcome) succeeds again.
func (c *Coordinator) EndTxn(id string, pid int64, epoch int16, commit, tv2 bool) EndResult {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.ownerLocked(id); err != nil {
		return EndResult{-1, -1, err}
	}
	m := c.txns[id]
	if m == nil || m.State == Dead {
		return EndResult{-1, -1, kerr.InvalidProducerIDMapping}
	}
	if r, ok := c.retriedEndLocked(m, pid, epoch, commit, tv2); ok {
		return r
	}
	if m.ProducerID != pid {
		return EndResult{-1, -1, kerr.InvalidProducerIDMapping}
	}
	if m.Epoch != epoch {
		return EndResult{-1, -1, kerr.ProducerFenced}
	}
	switch m.State {
	case Ongoing:
	case PrepareCommit, PrepareAbort:
		return EndResult{-1, -1, kerr.ConcurrentTransactions}
	case CompleteCommit, CompleteAbort:
		if !tv2 {
			if (m.State == CompleteCommit) == commit {
				return EndResult{m.ProducerID, m.Epoch, nil} // a retry
			}
			return EndResult{-1, -1, kerr.InvalidTxnState}
		}
		if commit {
			return EndResult{-1, -1, kerr.InvalidTxnState}
		}
	case Empty:
		if !tv2 || commit {
			return EndResult{-1, -1, kerr.InvalidTxnState}
		}
	}
	next := m.clone()
	if tv2 {
		next.ClientTV = 2
		if err := c.bumpEpoch(next); err != nil {
			return EndResult{-1, -1, err}
		}
	}
	if err := c.endLocked(next, commit); err != nil {
		return EndResult{-1, -1, err}
	}
	cur := c.txns[id]
	return EndResult{cur.ProducerID, cur.Epoch, nil}
}

// retriedEndLocked recognizes a transactions v2 retry: the epoch (or
// producer id) before the last bump and the outcome already written.
func (c *Coordinator) retriedEndLocked(m *Metadata, pid int64, epoch int16, commit, tv2 bool) (EndResult, bool) {
	if !tv2 {
		return EndResult{}, false
	}
	done := m.State == CompleteCommit && commit || m.State == CompleteAbort && !commit
	samePid := pid == m.ProducerID && epoch == m.LastEpoch && m.LastEpoch >= 0
	rolled := pid == m.PrevProducerID && m.Epoch == 0
	if done && (samePid || rolled) {
		return EndResult{m.ProducerID, m.Epoch, nil}, true
	}
	return EndResult{}, false
}
