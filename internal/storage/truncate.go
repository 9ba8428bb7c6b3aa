package storage

import (
	"fmt"
	"time"
)

// TruncateTo removes every batch from offset on (a follower truncating to
// its leader, Kafka's UnifiedLog.truncateTo). A batch holding offset goes
// whole. Truncating at or below the first segment empties the log and
// restarts it at offset. At or past the log end no record goes, but leader
// epochs starting at the log end do, as in Kafka: a replica that led an
// epoch without appending to it must not keep claiming that epoch.
func (l *Log) TruncateTo(offset int64) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed.Load() {
		return ErrClosed
	}
	if offset < 0 {
		return fmt.Errorf("%w: truncate to %d", ErrOffsetOutOfRange, offset)
	}
	if offset >= l.leo.Load() {
		if l.epochs.truncateFromEnd(l.leo.Load()) {
			return l.epochs.write()
		}
		return nil
	}
	segs := l.segments()
	if offset <= segs[0].base {
		return l.truncateFullyLocked(offset)
	}
	keep := segmentFor(segs, offset)
	if err := l.dropNewestLocked(keep + 1); err != nil {
		return err
	}
	s := segs[keep]
	leo, err := s.truncateTo(offset)
	if err != nil {
		return err
	}
	if err := s.resizeIndexes(l.config().SegmentIndexBytes); err != nil {
		return err
	}
	return l.setEndLocked(leo)
}

// TruncateFullyAndStartAt deletes every segment and restarts the log empty
// at offset, which becomes the log start offset too.
func (l *Log) TruncateFullyAndStartAt(offset int64) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed.Load() {
		return ErrClosed
	}
	return l.truncateFullyLocked(offset)
}

func (l *Log) truncateFullyLocked(offset int64) error {
	c := l.config()
	old := l.segments()
	// Rename the old files first: the new segment may take a name of theirs.
	if err := l.scheduleDeletion(old); err != nil {
		return err
	}
	s, err := createSegment(l.dir, offset, c, l.nowMs(), l.jitter(c))
	if err != nil {
		return err
	}
	l.publish([]*segment{s})
	l.lso.Store(offset)
	return l.setEndLocked(offset)
}

// dropNewestLocked unpublishes and deletes the segments from index k on.
func (l *Log) dropNewestLocked(k int) error {
	segs := l.segments()
	if k >= len(segs) {
		return nil
	}
	l.publish(append([]*segment(nil), segs[:k]...))
	return l.scheduleDeletion(segs[k:])
}

// scheduleDeletion renames segments *.deleted and removes them after
// file.delete.delay.ms.
func (l *Log) scheduleDeletion(segs []*segment) error {
	delay := time.Duration(l.config().FileDeleteDelayMs) * time.Millisecond
	for _, s := range segs {
		if err := s.renameDeleted(); err != nil {
			return err
		}
		l.deleter.schedule(s, delay)
	}
	return nil
}

// setEndLocked publishes a lowered log end offset and pulls the high
// watermark, recovery point and epoch cache down to it.
func (l *Log) setEndLocked(leo int64) error {
	l.truncations.Add(1)
	l.leo.Store(leo)
	if l.hw.Load() > leo {
		l.hw.Store(leo)
	}
	if l.rp.Load() > leo {
		l.rp.Store(leo)
	}
	if l.epochs.truncateFromEnd(leo) {
		return l.epochs.write()
	}
	return nil
}

// truncateTo cuts the segment before the first batch whose last offset is
// >= offset and returns the new end offset.
func (s *segment) truncateTo(offset int64) (int64, error) {
	size := s.size.Load()
	pos, h, found, err := s.translate(offset, size)
	if err != nil {
		return 0, err
	}
	end := offset
	if found {
		end = min(offset, h.BaseOffset)
	} else {
		pos = size
	}
	if err := s.log.Truncate(pos); err != nil {
		return 0, fmt.Errorf("storage: truncate segment %d: %w", s.base, err)
	}
	s.fileLen, s.reserved = pos, 0 // the truncate released any reservation
	s.size.Store(pos)
	s.next.Store(end)
	s.truncateIndexes(pos, end)
	return end, nil
}

// truncateIndexes drops index entries at or after position pos / offset end.
func (s *segment) truncateIndexes(pos, end int64) {
	oe := s.offIdx.entries()
	k := 0
	for k < len(oe)/offsetEntrySize {
		if _, p := offsetEntry(oe, k); int64(p) >= pos {
			break
		}
		k++
	}
	s.offIdx.truncateEntries(k)
	te := s.timeIdx.entries()
	k = 0
	for k < len(te)/timeEntrySize {
		if _, r := timeEntry(te, k); s.base+int64(r) >= end {
			break
		}
		k++
	}
	s.timeIdx.truncateEntries(k)
	ts, rel := lastTime(s.timeIdx.entries())
	s.maxTs.Store(ts)
	s.maxTsOffset = s.base + int64(rel)
	s.bytesSinceIndex = 0
	if pos == 0 {
		s.firstBatchTs = -1
	}
}
