package storage

import "fmt"

// Flush fsyncs everything appended so far and advances the recovery point
// to the log end offset.
func (l *Log) Flush() error { return l.flushTo(l.leo.Load()) }

// flushTo fsyncs the files left to the next flush (SyncOnFlush) and the
// segments holding offsets in [recovery point, upTo), and advances the
// recovery point to upTo. Appends continue meanwhile.
func (l *Log) flushTo(upTo int64) error {
	l.flushMu.Lock()
	defer l.flushMu.Unlock()
	if err := l.pending.sync(); err != nil {
		return err
	}
	rp := l.rp.Load()
	if upTo <= rp {
		return nil
	}
	for _, s := range l.segments() {
		if s.base < upTo && (s.next.Load() > rp || s.base >= rp) {
			if err := l.faults.check(FaultFlush, l.dir); err != nil {
				return fmt.Errorf("storage: fsync segment %d: %w", s.base, err)
			}
			if err := s.sync(); err != nil {
				return err
			}
			if s != l.active() {
				if err := s.releaseIndexes(); err != nil {
					return err
				}
			}
		}
	}
	l.advanceRecoveryPoint(upTo)
	l.lastFlushMs.Store(l.nowMs())
	return nil
}

// advanceRecoveryPoint raises the recovery point to off (never lowers it).
func (l *Log) advanceRecoveryPoint(off int64) {
	for {
		cur := l.rp.Load()
		if off <= cur || l.rp.CompareAndSwap(cur, off) {
			return
		}
	}
}

// flushIfDue fsyncs per flush.ms, or else the segments that were rolled
// since the last flush (Kafka flushes those soon after each roll).
func (l *Log) flushIfDue(nowMs int64) error {
	if c := l.config(); nowMs-l.lastFlushMs.Load() >= c.FlushMs {
		return l.Flush()
	}
	return l.flushTo(l.active().base)
}
