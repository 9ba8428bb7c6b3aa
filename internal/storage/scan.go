package storage

import (
	"fmt"
	"sync"

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
	return s.parseHeader(b[:], pos, size)
}

// headerWindowSize is how much of a segment a scan reads at once: more
// than the offset index's default interval (4 KiB), so a scan from an
// index entry to a batch reads the file once, not once per batch (a
// tailing fetch of small batches read up to 40 headers, one pread each).
const headerWindowSize = 8 << 10

var headerWindows = sync.Pool{New: func() any { return new([headerWindowSize]byte) }}

// headerScan reads the batch headers of a scan through one buffer.
type headerScan struct {
	s        *segment
	size     int64
	buf      *[headerWindowSize]byte
	from, to int64 // the buffer holds [from, to) of the segment
}

func (s *segment) scan(size int64) headerScan { return headerScan{s: s, size: size} }

// header reads and parses the batch header at pos, as readHeader.
func (w *headerScan) header(pos int64) (record.Header, error) {
	if pos+record.HeaderSize > w.size {
		return record.Header{}, fmt.Errorf("%w: segment %d: short batch at %d", ErrCorruptLog, w.s.base, pos)
	}
	if pos < w.from || pos+record.HeaderSize > w.to {
		if w.buf == nil {
			w.buf = headerWindows.Get().(*[headerWindowSize]byte)
		}
		n := min(int64(headerWindowSize), w.size-pos)
		if _, err := w.s.log.ReadAt(w.buf[:n], pos); err != nil {
			return record.Header{}, fmt.Errorf("storage: read segment %d: %w", w.s.base, err)
		}
		w.from, w.to = pos, pos+n
	}
	return w.s.parseHeader(w.buf[pos-w.from:pos-w.from+record.HeaderSize], pos, w.size)
}

// done gives the buffer back.
func (w *headerScan) done() {
	if w.buf != nil {
		headerWindows.Put(w.buf)
		w.buf = nil
	}
}

// parseHeader parses the header b read at pos and checks that its batch
// ends within size.
func (s *segment) parseHeader(b []byte, pos, size int64) (record.Header, error) {
	h, err := record.ParseHeader(b)
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
	w := s.scan(size)
	defer w.done()
	for pos < size {
		if h, err = w.header(pos); err != nil {
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
	w := s.scan(size)
	defer w.done()
	for pos < size {
		h, err := w.header(pos)
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
	w := s.scan(size)
	defer w.done()
	for pos < size {
		h, err := w.header(pos)
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
	w := s.scan(size)
	defer w.done()
	for pos := from; pos < size; {
		h, err := w.header(pos)
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
