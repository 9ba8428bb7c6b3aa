package storage

import (
	"fmt"

	"github.com/gofka/gofka/internal/record"
)

// AppendReplicated appends batches that already carry their offsets and
// leader epochs (a follower copying its leader, Kafka's appendAsFollower).
// The first base offset must be at least the log end offset and offsets
// must increase; the epoch cache learns each batch's epoch.
func (l *Log) AppendReplicated(b []byte) (AppendResult, error) {
	res, err := l.appendReplicatedLocked(b)
	if err != nil {
		return res, err
	}
	if l.leo.Load()-l.rp.Load() >= l.config().FlushMessages {
		return res, l.Flush()
	}
	return res, nil
}

func (l *Log) appendReplicatedLocked(b []byte) (AppendResult, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed.Load() {
		return AppendResult{}, ErrClosed
	}
	res, err := summarize(b, l.leo.Load())
	if err != nil {
		return res, err
	}
	s, err := l.maybeRollLocked(len(b), &res)
	if err != nil {
		return res, err
	}
	if err := s.append(b, l.config(), res.MaxTimestamp); err != nil {
		return res, err
	}
	l.leo.Store(res.LastOffset + 1)
	return res, l.learnEpochsLocked(b)
}

// summarize checks the offsets of replicated batches and describes them.
func summarize(b []byte, next int64) (AppendResult, error) {
	res := AppendResult{FirstOffset: -1, LogAppendTime: -1, MaxTimestamp: -1, OffsetOfMaxTimestamp: -1, Bytes: len(b)}
	err := record.Split(b, func(batch []byte) error {
		h, err := record.ParseHeader(batch)
		if err != nil {
			return err
		}
		if h.BaseOffset < next {
			return fmt.Errorf("%w: replicated offset %d below %d", ErrOffsetOutOfRange, h.BaseOffset, next)
		}
		if res.FirstOffset < 0 {
			res.FirstOffset = h.BaseOffset
		}
		if h.MaxTimestamp > res.MaxTimestamp {
			res.MaxTimestamp, res.OffsetOfMaxTimestamp = h.MaxTimestamp, h.LastOffset()
		}
		res.LastOffset, next = h.LastOffset(), h.LastOffset()+1
		return nil
	})
	if err == nil && res.FirstOffset < 0 {
		err = fmt.Errorf("storage: append: %w: no batches", record.ErrCorrupt)
	}
	if err != nil {
		return res, fmt.Errorf("storage: append replicated: %w", err)
	}
	return res, nil
}

// learnEpochsLocked assigns epoch start offsets from the batches' leader
// epochs, as Kafka does for every appended batch.
func (l *Log) learnEpochsLocked(b []byte) error {
	changed := false
	record.Split(b, func(batch []byte) error {
		h, _ := record.ParseHeader(batch)
		if latest, ok := l.epochs.latest(); h.PartitionLeaderEpoch >= 0 && (!ok || h.PartitionLeaderEpoch > latest) {
			changed = l.epochs.assign(h.PartitionLeaderEpoch, h.BaseOffset) || changed
		}
		return nil
	})
	if changed {
		return l.epochs.write()
	}
	return nil
}

// AssignLeaderEpoch records that epoch starts at the log end offset, as a
// new leader does when it takes over (Kafka's maybeAssignEpochStartOffset),
// so that OffsetForLeaderEpoch answers followers correctly before the
// first append of the epoch.
func (l *Log) AssignLeaderEpoch(epoch int32) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed.Load() {
		return ErrClosed
	}
	if latest, ok := l.epochs.latest(); ok && epoch <= latest {
		return nil
	}
	if l.epochs.assign(epoch, l.leo.Load()) {
		return l.epochs.write()
	}
	return nil
}
