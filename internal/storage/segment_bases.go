package storage

// SegmentBases returns the base offsets of the log's segments, oldest
// first. Producer-state snapshots and transaction indexes are kept per
// segment by their owners (internal/storage/producerstate,
// internal/storage/txnindex) and use it to find rolls and deleted segments.
func (l *Log) SegmentBases() []int64 {
	segs := l.segments()
	out := make([]int64, len(segs))
	for i, s := range segs {
		out[i] = s.base
	}
	return out
}

// ActiveBase is the base offset of the active (newest) segment.
func (l *Log) ActiveBase() int64 { return l.active().base }
