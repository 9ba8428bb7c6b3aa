package storage

import (
	"fmt"
	"os"
)

// Slice is a region of a segment file holding whole batches, for sendfile.
// The file stays open at least file.delete.delay.ms after its segment is
// deleted.
type Slice struct {
	File        *os.File
	Pos         int64
	Size        int64
	FirstOffset int64 // base offset of the first batch (the read offset when empty)
}

// Read returns the batches starting with the one containing offset, from
// one segment, at most maxBytes (but at least one whole batch when
// minOneBatch, KIP-74), never including a batch whose base offset is >=
// maxOffset (the high watermark or last stable offset). offset ==
// LogEndOffset returns an empty Slice; offset < LogStartOffset or >
// LogEndOffset returns ErrOffsetOutOfRange. Read takes no lock.
func (l *Log) Read(offset int64, maxBytes int, maxOffset int64, minOneBatch bool) (Slice, error) {
	if l.closed.Load() {
		return Slice{}, ErrClosed
	}
	leo, lso := l.leo.Load(), l.lso.Load()
	if offset < lso || offset > leo {
		return Slice{}, fmt.Errorf("%w: %d not in [%d, %d]", ErrOffsetOutOfRange, offset, lso, leo)
	}
	empty := Slice{FirstOffset: offset}
	if offset == leo || offset >= maxOffset {
		return empty, nil
	}
	if err := l.faults.check(FaultRead, l.dir); err != nil {
		return Slice{}, fmt.Errorf("storage: read %s: %w", l.tp, err)
	}
	segs := l.segments()
	for i := segmentFor(segs, offset); i < len(segs); i++ {
		sl, found, err := segs[i].read(offset, int64(max(maxBytes, 0)), maxOffset, minOneBatch)
		if err != nil || found {
			return sl, err
		}
	}
	return empty, nil
}

// read is Read within one segment; found is false when the segment holds
// no batch ending at or after offset.
func (s *segment) read(offset, maxBytes, maxOffset int64, minOne bool) (Slice, bool, error) {
	size := s.size.Load()
	pos, h, found, err := s.translate(offset, size)
	if err != nil || !found {
		return Slice{}, false, err
	}
	if h.BaseOffset >= maxOffset {
		return Slice{FirstOffset: offset}, true, nil
	}
	end := size
	if maxOffset < s.next.Load() {
		if end, err = s.posOfBase(maxOffset, pos, size); err != nil {
			return Slice{}, false, err
		}
	}
	if end-pos > maxBytes {
		if end, err = s.lastBoundary(pos, pos+maxBytes, end); err != nil {
			return Slice{}, false, err
		}
	}
	if end == pos && minOne {
		end = pos + int64(h.Size())
	}
	if end == pos {
		return Slice{FirstOffset: offset}, true, nil
	}
	return Slice{File: s.log, Pos: pos, Size: end - pos, FirstOffset: h.BaseOffset}, true, nil
}
