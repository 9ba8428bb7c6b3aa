package storage

import (
	"errors"
	"fmt"
)

// errBadIndex means an index file failed its sanity check.
var errBadIndex = errors.New("storage: index failed sanity check")

// checkIndexes validates both index files of a segment whose data is
// assumed whole: sizes are multiples of the entry size, offsets and
// positions increase, and no entry points past the data. limit is the
// first relative offset that may not appear (the next segment's base), or
// -1 when unknown.
func (s *segment) checkIndexes(limit int64) error {
	if err := s.checkOffsetIndex(limit); err != nil {
		return err
	}
	return s.checkTimeIndex(limit)
}

func (s *segment) checkOffsetIndex(limit int64) error {
	x := s.offIdx
	if x.fileLen%offsetEntrySize != 0 {
		return fmt.Errorf("%w: %s size %d", errBadIndex, x.path, x.fileLen)
	}
	e := x.entries()
	prevRel, prevPos := int64(-1), int64(-1)
	for i := 0; i < len(e)/offsetEntrySize; i++ {
		r, p := offsetEntry(e, i)
		if int64(r) <= prevRel || int64(p) <= prevPos {
			return fmt.Errorf("%w: %s entry %d not increasing", errBadIndex, x.path, i)
		}
		prevRel, prevPos = int64(r), int64(p)
	}
	if prevPos >= s.size.Load() || (limit >= 0 && prevRel >= limit) {
		return fmt.Errorf("%w: %s points past the log", errBadIndex, x.path)
	}
	return nil
}

func (s *segment) checkTimeIndex(limit int64) error {
	x := s.timeIdx
	if x.fileLen%timeEntrySize != 0 {
		return fmt.Errorf("%w: %s size %d", errBadIndex, x.path, x.fileLen)
	}
	e := x.entries()
	prevTs, prevRel := int64(-1), int64(0)
	for i := 0; i < len(e)/timeEntrySize; i++ {
		ts, r := timeEntry(e, i)
		if ts <= prevTs || int64(r) < prevRel {
			return fmt.Errorf("%w: %s entry %d not increasing", errBadIndex, x.path, i)
		}
		prevTs, prevRel = ts, int64(r)
	}
	if (limit >= 0 && prevRel >= limit) || (len(e) > 0 && s.size.Load() == 0) {
		return fmt.Errorf("%w: %s points past the log", errBadIndex, x.path)
	}
	return nil
}

// loadClean loads a segment that needs no recovery: nextBase is the next
// segment's base offset, or -1 for the last segment, whose batches after
// the last offset index entry are scanned to find the log end offset.
func (s *segment) loadClean(nextBase int64) error {
	limit := int64(-1)
	if nextBase >= 0 {
		limit = nextBase - s.base
	}
	if s.indexMissing && s.size.Load() > 0 {
		return fmt.Errorf("%w: segment %d: index file missing", errBadIndex, s.base)
	}
	if err := s.checkIndexes(limit); err != nil {
		return err
	}
	if ts, rel := lastTime(s.timeIdx.entries()); ts >= 0 {
		s.maxTs.Store(ts)
		s.maxTsOffset = s.base + int64(rel)
	}
	if nextBase >= 0 {
		s.next.Store(nextBase)
		return nil
	}
	return s.scanTail()
}

// scanTail walks the batch headers after the last offset index entry of
// the last segment to find its next offset and first batch timestamp.
func (s *segment) scanTail() error {
	size := s.size.Load()
	if size == 0 {
		return nil
	}
	h, err := s.readHeader(0, size)
	if err != nil {
		return err
	}
	s.firstBatchTs = h.MaxTimestamp
	next := s.base
	for pos := lookupPosition(s.offIdx.entries(), size); pos < size; pos += int64(h.Size()) {
		if h, err = s.readHeader(pos, size); err != nil {
			return err
		}
		if h.BaseOffset < next {
			return fmt.Errorf("%w: segment %d: offsets not increasing at %d", ErrCorruptLog, s.base, pos)
		}
		next = h.LastOffset() + 1
		if h.MaxTimestamp > s.maxTs.Load() {
			s.maxTs.Store(h.MaxTimestamp)
			s.maxTsOffset = h.LastOffset()
		}
	}
	if _, rel := lastTime(s.timeIdx.entries()); s.timeIdx.count() > 0 && s.base+int64(rel) >= next {
		return fmt.Errorf("%w: %s points past the log", errBadIndex, s.timeIdx.path)
	}
	s.next.Store(next)
	return nil
}
