package storage

import (
	"math"
)

// maybeRollLocked returns the segment to append size bytes described by
// res to, rolling a new one first when Kafka's LogSegment.shouldRoll would:
// segment.bytes would be exceeded, segment.ms (less the jitter) passed
// since the segment's first batch, an index is full, or the last offset
// does not fit a relative index entry.
func (l *Log) maybeRollLocked(size int, res *AppendResult) (*segment, error) {
	s := l.active()
	if !l.shouldRoll(s, size, res) {
		return s, nil
	}
	return l.rollLocked(res.FirstOffset)
}

func (l *Log) shouldRoll(s *segment, size int, res *AppendResult) bool {
	cur := s.size.Load()
	if cur == 0 {
		return false // a new segment at the same offset would change nothing
	}
	c := l.config()
	return cur > c.SegmentBytes-int64(size) ||
		s.timeWaited(l.nowMs(), res.MaxTimestamp) > c.SegmentMs-s.rollJitterMs ||
		s.offIdx.isFull() || s.timeIdx.isTimeFull() ||
		!s.canHold(res.LastOffset)
}

// timeWaited is how long the segment has been collecting data: the new
// batches' max timestamp less the first batch's, or the time since the
// segment was created when timestamps are missing (Kafka's
// timeWaitedForRoll).
func (s *segment) timeWaited(nowMs, msgTs int64) int64 {
	if s.firstBatchTs >= 0 {
		if msgTs < 0 {
			return math.MinInt64
		}
		return msgTs - s.firstBatchTs
	}
	return nowMs - s.created
}

// rollLocked makes a new empty active segment at base (the log end offset,
// or a follower's next batch offset when that is larger).
func (l *Log) rollLocked(base int64) (*segment, error) {
	old := l.active()
	if old.size.Load() == 0 {
		return old, nil
	}
	if err := old.onInactive(); err != nil {
		return nil, err
	}
	c := l.config()
	s, err := createSegment(l.dir, max(base, l.leo.Load()), c, l.nowMs(), l.jitter(c))
	if err != nil {
		return nil, err
	}
	segs := l.segments()
	next := make([]*segment, len(segs), len(segs)+1)
	copy(next, segs)
	l.publish(append(next, s))
	l.logger.Debug("storage: rolled segment", "base", s.base)
	return s, nil
}

// Roll starts a new active segment at the log end offset unless the active
// one is empty.
func (l *Log) Roll() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed.Load() {
		return ErrClosed
	}
	_, err := l.rollLocked(l.leo.Load())
	return err
}
