package storage

import (
	"fmt"

	"github.com/gofka/gofka/internal/record"
)

// readHeader reads and parses the batch header at pos of a segment holding
// size bytes of whole batches.
func (s *segment) readHeader(pos, size int64) (record.Header, error) {
	var b [record.HeaderSize]byte
	if pos+record.HeaderSize > size {
		return record.Header{}, fmt.Errorf("%w: segment %d: short batch at %d", ErrCorruptLog, s.base, pos)
	}
	if _, err := s.log.ReadAt(b[:], pos); err != nil {
		return record.Header{}, fmt.Errorf("storage: read segment %d: %w", s.base, err)
	}
	h, err := record.ParseHeader(b[:])
	if err != nil {
		return h, fmt.Errorf("%w: segment %d at %d: %w", ErrCorruptLog, s.base, pos, err)
	}
	if pos+int64(h.Size()) > size {
		return h, fmt.Errorf("%w: segment %d: batch at %d runs past the end", ErrCorruptLog, s.base, pos)
	}
	return h, nil
}

// translate finds the first batch whose last offset is >= offset, starting
// from the offset index; found is false if the segment has none.
func (s *segment) translate(offset, size int64) (pos int64, h record.Header, found bool, err error) {
	pos = lookupOffset(s.offIdx.entries(), offset-s.base)
	for pos < size {
		if h, err = s.readHeader(pos, size); err != nil {
			return 0, h, false, err
		}
		if h.LastOffset() >= offset {
			return pos, h, true, nil
		}
		pos += int64(h.Size())
	}
	return pos, h, false, nil
}

// posOfBase returns the position of the first batch at or after from whose
// base offset is >= offset, or size if there is none.
func (s *segment) posOfBase(offset, from, size int64) (int64, error) {
	pos := max(from, lookupOffset(s.offIdx.entries(), offset-s.base))
	for pos < size {
		h, err := s.readHeader(pos, size)
		if err != nil {
			return 0, err
		}
		if h.BaseOffset >= offset {
			return pos, nil
		}
		pos += int64(h.Size())
	}
	return size, nil
}

// lastBoundary returns the largest batch boundary in [from, limit], where
// from is a boundary.
func (s *segment) lastBoundary(from, limit, size int64) (int64, error) {
	pos := max(from, lookupPosition(s.offIdx.entries(), limit))
	for pos < size {
		h, err := s.readHeader(pos, size)
		if err != nil {
			return 0, err
		}
		if pos+int64(h.Size()) > limit {
			break
		}
		pos += int64(h.Size())
	}
	return pos, nil
}

// firstByTimestamp returns the position and header of the first batch at
// or after position from whose max timestamp is >= ts and whose last offset
// is >= minOffset.
func (s *segment) firstByTimestamp(ts, minOffset, from, size int64) (int64, record.Header, bool, error) {
	for pos := from; pos < size; {
		h, err := s.readHeader(pos, size)
		if err != nil {
			return 0, h, false, err
		}
		if h.MaxTimestamp >= ts && h.LastOffset() >= minOffset {
			return pos, h, true, nil
		}
		pos += int64(h.Size())
	}
	return 0, record.Header{}, false, nil
}

// copyBatch reads the batch of n bytes at pos into a new slice.
func (s *segment) copyBatch(pos int64, n int) ([]byte, error) {
	b := make([]byte, n)
	if _, err := s.log.ReadAt(b, pos); err != nil {
		return nil, fmt.Errorf("storage: read segment %d: %w", s.base, err)
	}
	return b, nil
}
