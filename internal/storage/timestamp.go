package storage

// BatchForTimestamp returns a copy of the first batch, in offset order from
// the log start offset, whose max timestamp is >= ts (the caller finds the
// exact record in it); found is false if there is none. Segments whose
// largest timestamp is below ts are skipped and the time index narrows the
// scan within a segment, as Kafka's fetchOffsetByTimestamp does.
func (l *Log) BatchForTimestamp(ts int64) (batch []byte, found bool, err error) {
	if l.closed.Load() {
		return nil, false, ErrClosed
	}
	lso := l.lso.Load()
	segs := l.segments()
	for _, s := range segs[segmentFor(segs, lso):] {
		if s.maxTs.Load() < ts {
			continue
		}
		b, ok, err := s.batchForTimestamp(ts, lso)
		if err != nil || ok {
			return b, ok, err
		}
	}
	return nil, false, nil
}

// batchForTimestamp finds and copies the first batch in the segment with
// max timestamp >= ts and last offset >= minOffset.
func (s *segment) batchForTimestamp(ts, minOffset int64) ([]byte, bool, error) {
	size := s.size.Load()
	start := max(s.base+lookupTime(s.timeIdx.entries(), ts), minOffset)
	from := lookupOffset(s.offIdx.entries(), start-s.base)
	pos, h, ok, err := s.firstByTimestamp(ts, minOffset, from, size)
	if err != nil || !ok {
		return nil, false, err
	}
	b, err := s.copyBatch(pos, h.Size())
	return b, err == nil, err
}

// MaxTimestampBatch returns a copy of the first batch holding the largest
// timestamp in the log, for ListOffsets MAX_TIMESTAMP (-3). Like Kafka it
// looks at whole segments: in the segment holding the log start offset the
// batch may lie below it.
func (l *Log) MaxTimestampBatch() (batch []byte, found bool, err error) {
	if l.closed.Load() {
		return nil, false, ErrClosed
	}
	lso := l.lso.Load()
	segs := l.segments()
	var best *segment
	for _, s := range segs[segmentFor(segs, lso):] {
		if s.size.Load() > 0 && (best == nil || s.maxTs.Load() > best.maxTs.Load()) {
			best = s
		}
	}
	if best == nil {
		return nil, false, nil
	}
	return best.batchForTimestamp(best.maxTs.Load(), best.base)
}
