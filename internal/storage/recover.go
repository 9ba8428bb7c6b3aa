package storage

import (
	"bufio"
	"errors"
	"fmt"
	"io"

	"github.com/gofka/gofka/internal/record"
)

// errTornBatch means the file ends inside a batch.
var errTornBatch = errors.New("storage: torn batch at end of segment")

// recoverSegment rescans the whole segment: it validates every batch
// (framing, magic, CRC, offsets increasing from minOffset and below
// nextBase when nextBase >= 0), rebuilds both indexes, truncates the file
// after the last valid batch and calls onBatch for each valid batch. It
// returns the reason it stopped early (nil when the whole file was valid).
func (s *segment) recoverSegment(c Config, minOffset, nextBase int64, onBatch func(*record.Header)) (stop error, err error) {
	s.offIdx.truncateEntries(0)
	s.timeIdx.truncateEntries(0)
	s.maxTs.Store(-1)
	s.maxTsOffset, s.firstBatchTs, s.bytesSinceIndex = s.base, -1, 0
	r := bufio.NewReaderSize(io.NewSectionReader(s.log, 0, s.fileLen), 64<<10)
	var buf []byte
	valid, lastIndex, next := int64(0), int64(0), max(s.base, minOffset)
	for {
		var h record.Header
		h, buf, stop = s.nextValidBatch(r, buf, s.fileLen-valid, next, nextBase)
		if stop != nil {
			break
		}
		if err := s.indexRecovered(&h, c, valid, &lastIndex); err != nil {
			return nil, err
		}
		valid += int64(h.Size())
		next = h.LastOffset() + 1
		onBatch(&h)
	}
	if errors.Is(stop, io.EOF) {
		stop = nil
	}
	return stop, s.finishRecovery(valid, next)
}

// indexRecovered adds index entries for a recovered batch at pos, spaced as
// Kafka's LogSegment.recover spaces them.
func (s *segment) indexRecovered(h *record.Header, c Config, pos int64, lastIndex *int64) error {
	if s.firstBatchTs < 0 && pos == 0 {
		s.firstBatchTs = h.MaxTimestamp
	}
	if h.MaxTimestamp > s.maxTs.Load() {
		s.maxTs.Store(h.MaxTimestamp)
		s.maxTsOffset = h.LastOffset()
	}
	if pos-*lastIndex <= int64(c.IndexIntervalBytes) {
		return nil
	}
	*lastIndex = pos
	if err := s.offIdx.appendOffset(s.base, h.LastOffset(), pos); err != nil {
		return err
	}
	return s.timeIdx.maybeAppendTime(s.base, s.maxTs.Load(), s.maxTsOffset, false)
}

// finishRecovery truncates the file to the valid bytes and publishes the
// recovered state.
func (s *segment) finishRecovery(valid, next int64) error {
	if s.fileLen != valid {
		if err := s.log.Truncate(valid); err != nil {
			return fmt.Errorf("storage: truncate segment %d: %w", s.base, err)
		}
		s.fileLen = valid
	}
	s.size.Store(valid)
	s.next.Store(next)
	s.bytesSinceIndex = 0
	if err := s.offIdx.trim(); err != nil {
		return err
	}
	if err := s.timeIdx.maybeAppendTime(s.base, s.maxTs.Load(), s.maxTsOffset, true); err != nil {
		return err
	}
	return s.timeIdx.trim()
}

// nextValidBatch reads the next batch into buf and validates it; remain is
// the number of bytes left in the file. It returns io.EOF at a clean end.
func (s *segment) nextValidBatch(r *bufio.Reader, buf []byte, remain, next, nextBase int64) (record.Header, []byte, error) {
	var h record.Header
	buf, err := readBatch(r, buf, remain)
	if err != nil {
		return h, buf, err
	}
	if h, err = record.ParseHeader(buf); err != nil {
		return h, buf, err
	}
	if err := record.CheckCRC(buf); err != nil {
		return h, buf, err
	}
	switch {
	case h.BaseOffset < next:
		return h, buf, fmt.Errorf("%w: base offset %d below %d", ErrCorruptLog, h.BaseOffset, next)
	case !s.canHold(h.LastOffset()):
		return h, buf, fmt.Errorf("%w: offset %d overflows segment %d", ErrCorruptLog, h.LastOffset(), s.base)
	case nextBase >= 0 && h.LastOffset() >= nextBase:
		return h, buf, fmt.Errorf("%w: offset %d reaches next segment %d", ErrCorruptLog, h.LastOffset(), nextBase)
	}
	return h, buf, nil
}

// readBatch reads one whole batch from r into buf (grown as needed).
func readBatch(r *bufio.Reader, buf []byte, remain int64) ([]byte, error) {
	if cap(buf) < record.LogOverhead {
		buf = make([]byte, 0, 16<<10)
	}
	buf = buf[:record.LogOverhead]
	if n, err := io.ReadFull(r, buf); err != nil {
		if n == 0 && errors.Is(err, io.EOF) {
			return buf, io.EOF
		}
		return buf, errTornBatch
	}
	n, err := record.PeekSize(buf)
	if err != nil {
		return buf, err
	}
	if int64(n) > remain {
		return buf, errTornBatch
	}
	if cap(buf) < n {
		nb := make([]byte, n)
		copy(nb, buf)
		buf = nb
	}
	buf = buf[:n]
	if _, err := io.ReadFull(r, buf[record.LogOverhead:]); err != nil {
		return buf, errTornBatch
	}
	return buf, nil
}
