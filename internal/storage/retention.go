package storage

import (
	"fmt"
	"time"
)

// deletePredicate decides whether a segment may go; next is nil for the
// active segment.
type deletePredicate func(s, next *segment) bool

// EnforceRetention deletes segments below the log start offset, beyond
// retention.bytes or past retention.ms (by their largest timestamp), as
// Kafka's UnifiedLog.deleteOldSegments does: oldest first, only segments
// wholly below the high watermark, rolling the active segment first when
// every segment is to go. It advances the log start offset.
func (l *Log) EnforceRetention(now time.Time) (deleted int, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed.Load() {
		return 0, ErrClosed
	}
	c := l.config()
	// Each predicate is built after the previous pass, on the sizes left.
	for _, mk := range []func() deletePredicate{
		func() deletePredicate { return l.startOffsetBreached },
		func() deletePredicate { return l.sizeBreached(c) },
		func() deletePredicate { return l.timeBreached(c, now.UnixMilli()) },
	} {
		p := mk()
		if p == nil {
			continue
		}
		n, err := l.deleteOldSegmentsLocked(p)
		deleted += n
		if err != nil {
			return deleted, err
		}
	}
	return deleted, nil
}

func (l *Log) startOffsetBreached(_, next *segment) bool {
	return next != nil && next.base <= l.lso.Load()
}

func (l *Log) sizeBreached(c Config) deletePredicate {
	if c.RetentionBytes < 0 {
		return nil
	}
	diff := l.Size() - c.RetentionBytes
	return func(s, _ *segment) bool {
		if n := s.size.Load(); diff-n >= 0 {
			diff -= n
			return true
		}
		return false
	}
}

func (l *Log) timeBreached(c Config, nowMs int64) deletePredicate {
	if c.RetentionMs < 0 {
		return nil
	}
	return func(s, _ *segment) bool { return nowMs-s.largestTimestamp() > c.RetentionMs }
}

// DeleteRecordsBefore advances the log start offset to off and deletes the
// segments wholly below it; off may not pass the high watermark.
func (l *Log) DeleteRecordsBefore(off int64) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed.Load() {
		return ErrClosed
	}
	if hw := l.hw.Load(); off > hw {
		return fmt.Errorf("%w: %d above high watermark %d", ErrOffsetOutOfRange, off, hw)
	}
	if err := l.advanceStartLocked(off); err != nil {
		return err
	}
	_, err := l.deleteOldSegmentsLocked(l.startOffsetBreached)
	return err
}

// advanceStartLocked raises the log start offset and trims the epoch cache.
func (l *Log) advanceStartLocked(off int64) error {
	if off <= l.lso.Load() {
		return nil
	}
	l.lso.Store(off)
	if l.hw.Load() < off {
		l.hw.Store(off)
	}
	if l.epochs.truncateFromStart(off) {
		return l.epochs.write()
	}
	return nil
}

// deleteOldSegmentsLocked deletes the oldest segments while p holds and
// the segment lies below the high watermark (Kafka's deletableSegments).
func (l *Log) deleteOldSegmentsLocked(p deletePredicate) (int, error) {
	segs, hw, leo := l.segments(), l.hw.Load(), l.leo.Load()
	k := 0
	for ; k < len(segs); k++ {
		s, next, upper := segs[k], (*segment)(nil), leo
		if k+1 < len(segs) {
			next, upper = segs[k+1], segs[k+1].base
		}
		if next == nil && s.size.Load() == 0 || hw < upper || !p(s, next) {
			break
		}
	}
	if k == 0 {
		return 0, nil
	}
	if k == len(segs) {
		if _, err := l.rollLocked(leo); err != nil {
			return 0, err
		}
	}
	return k, l.removeOldestLocked(k)
}

// removeOldestLocked unpublishes the first k segments, schedules their
// deletion and moves the log start offset to the new first segment.
func (l *Log) removeOldestLocked(k int) error {
	segs := l.segments()
	gone := segs[:k]
	l.publish(append([]*segment(nil), segs[k:]...))
	for _, s := range gone {
		if err := s.renameDeleted(); err != nil {
			return err
		}
		l.deleter.schedule(s, time.Duration(l.config().FileDeleteDelayMs)*time.Millisecond)
	}
	l.logger.Info("storage: deleted segments", "count", k, "newStart", l.segments()[0].base)
	return l.advanceStartLocked(l.segments()[0].base)
}
