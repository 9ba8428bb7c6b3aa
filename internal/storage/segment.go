package storage

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"time"
)

// File name suffixes of a segment and of files pending deletion.
const (
	logSuffix       = ".log"
	indexSuffix     = ".index"
	timeIndexSuffix = ".timeindex"
	deletedSuffix   = ".deleted"
	cleanedSuffix   = ".cleaned"
	swapSuffix      = ".swap"
)

// segmentName is the 20-digit zero-padded base offset Kafka names files by.
func segmentName(base int64) string { return fmt.Sprintf("%020d", base) }

// parseSegmentName parses "<20 digits>.log" into the base offset.
func parseSegmentName(name string) (int64, bool) {
	stem, ok := cutSuffix(name, logSuffix)
	if !ok || len(stem) != 20 {
		return 0, false
	}
	n, err := strconv.ParseInt(stem, 10, 64)
	return n, err == nil && n >= 0
}

func cutSuffix(s, suffix string) (string, bool) {
	if len(s) < len(suffix) || s[len(s)-len(suffix):] != suffix {
		return s, false
	}
	return s[:len(s)-len(suffix)], true
}

// segment is one .log file and its two indexes. Fields published with
// atomics are read lock-free; the rest belong to the Log's writer.
type segment struct {
	base    int64
	dir     string
	log     *os.File
	offIdx  *index
	timeIdx *index

	size  atomic.Int64 // bytes of whole batches in the file
	next  atomic.Int64 // offset after the last batch (base when empty)
	maxTs atomic.Int64 // largest batch max timestamp so far, -1 if none

	// Writer state, guarded by the Log mutex.
	maxTsOffset     int64 // last offset of the first batch with maxTs
	bytesSinceIndex int64
	firstBatchTs    int64 // max timestamp of the first batch, -1 if unknown
	created         int64 // ms when this process created or loaded it
	rollJitterMs    int64
	fileLen         int64 // .log length on disk (> size when preallocated)
	reserved        int64 // blocks allocated up to here past the size (reserve.go)
	noReserve       bool  // not on ext4, or the file system refused a reservation
	reserveChecked  bool  // the file system was looked at (reservable)
	indexMissing    bool  // an index file did not exist when opened
}

func (s *segment) path(suffix string) string {
	return filepath.Join(s.dir, segmentName(s.base)+suffix)
}

// createSegment creates a new empty segment, replacing leftover files.
func createSegment(dir string, base int64, c Config, nowMs, jitter int64) (*segment, error) {
	s := &segment{base: base, dir: dir, created: nowMs, rollJitterMs: jitter, firstBatchTs: -1, maxTsOffset: base}
	for _, suf := range []string{indexSuffix, timeIndexSuffix} {
		if err := os.Remove(s.path(suf)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("storage: remove stale index: %w", err)
		}
	}
	f, err := os.OpenFile(s.path(logSuffix), os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, fmt.Errorf("storage: create segment: %w", err)
	}
	s.log = f
	if c.Preallocate {
		if err := f.Truncate(c.SegmentBytes); err != nil {
			s.close()
			return nil, fmt.Errorf("storage: preallocate segment: %w", err)
		}
		s.fileLen = c.SegmentBytes
	}
	s.next.Store(base)
	s.maxTs.Store(-1)
	if err := s.openIndexes(c.SegmentIndexBytes); err != nil {
		s.close()
		return nil, err
	}
	return s, s.resizeIndexes(c.SegmentIndexBytes)
}

// openSegment opens an existing segment's files without validating them;
// with rebuild its indexes are not read (recovery rebuilds them).
func openSegment(dir string, base int64, c Config, nowMs int64, rebuild bool) (*segment, error) {
	s := &segment{base: base, dir: dir, created: nowMs, firstBatchTs: -1, maxTsOffset: base}
	f, err := os.OpenFile(s.path(logSuffix), os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("storage: open segment: %w", err)
	}
	s.log = f
	st, err := f.Stat()
	if err != nil {
		s.close()
		return nil, fmt.Errorf("storage: stat segment: %w", err)
	}
	s.fileLen = st.Size()
	s.size.Store(st.Size())
	s.next.Store(base)
	s.maxTs.Store(-1)
	open := openIndex
	if rebuild {
		open = openRebuiltIndex
	}
	if err := s.openIndexesWith(open, c.SegmentIndexBytes); err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

func (s *segment) openIndexes(maxBytes int32) error {
	return s.openIndexesWith(openIndex, maxBytes)
}

func (s *segment) openIndexesWith(open func(string, int, int32) (*index, error), maxBytes int32) error {
	for _, suf := range []string{indexSuffix, timeIndexSuffix} {
		if _, err := os.Stat(s.path(suf)); errors.Is(err, os.ErrNotExist) {
			s.indexMissing = true
		}
	}
	var err error
	if s.offIdx, err = open(s.path(indexSuffix), offsetEntrySize, maxBytes); err != nil {
		return err
	}
	s.timeIdx, err = open(s.path(timeIndexSuffix), timeEntrySize, maxBytes)
	return err
}

// resizeIndexes preallocates both index files for appends.
func (s *segment) resizeIndexes(maxBytes int32) error {
	if err := s.offIdx.resize(maxBytes); err != nil {
		return err
	}
	return s.timeIdx.resize(maxBytes)
}

// canHold reports whether offset fits in a relative index entry.
func (s *segment) canHold(offset int64) bool {
	d := offset - s.base
	return d >= 0 && d <= math.MaxInt32
}

// largestTimestamp is the segment's max timestamp for retention, or its
// file's modification time when it has no timestamps (as Kafka does).
func (s *segment) largestTimestamp() int64 {
	if ts := s.maxTs.Load(); ts >= 0 {
		return ts
	}
	st, err := s.log.Stat()
	if err != nil {
		return time.Now().UnixMilli()
	}
	return st.ModTime().UnixMilli()
}

// onInactive finishes a segment that stops being the active one: the final
// time index entry, trimmed indexes and a trimmed preallocated file.
func (s *segment) onInactive() error {
	if err := s.timeIdx.maybeAppendTime(s.base, s.maxTs.Load(), s.maxTsOffset, true); err != nil {
		return err
	}
	if err := s.offIdx.trim(); err != nil {
		return err
	}
	if err := s.timeIdx.trim(); err != nil {
		return err
	}
	return s.trimLog()
}

// trimLog cuts a preallocated .log to its data and releases the blocks
// reserved past it (truncating to the same size frees them).
func (s *segment) trimLog() error {
	if size := s.size.Load(); s.fileLen != size || s.reserved > size {
		if err := s.log.Truncate(size); err != nil {
			return fmt.Errorf("storage: trim segment: %w", err)
		}
		s.fileLen, s.reserved = size, 0
	}
	return nil
}

// sync fsyncs the segment's files. Closed files (a segment deleted
// meanwhile) are not an error.
func (s *segment) sync() error {
	for _, sync := range []func() error{s.log.Sync, s.offIdx.sync, s.timeIdx.sync} {
		if err := sync(); err != nil && !errors.Is(err, os.ErrClosed) {
			return fmt.Errorf("storage: fsync segment %d: %w", s.base, err)
		}
	}
	return nil
}

// releaseIndexes closes the index files of a flushed inactive segment.
func (s *segment) releaseIndexes() error {
	return errors.Join(s.offIdx.release(), s.timeIdx.release())
}

// close closes the files that are open.
func (s *segment) close() error {
	err := s.log.Close()
	if errors.Is(err, os.ErrClosed) {
		err = nil
	}
	for _, x := range []*index{s.offIdx, s.timeIdx} {
		if x != nil {
			err = errors.Join(err, x.release())
		}
	}
	return err
}

// renameDeleted renames the segment's files to *.deleted; open handles
// keep working.
func (s *segment) renameDeleted() error {
	for _, suf := range []string{logSuffix, indexSuffix, timeIndexSuffix} {
		p := s.path(suf)
		if err := os.Rename(p, p+deletedSuffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("storage: rename deleted segment: %w", err)
		}
	}
	return nil
}

// removeDeleted closes the files and removes the *.deleted files.
func (s *segment) removeDeleted() error {
	err := s.close()
	for _, suf := range []string{logSuffix, indexSuffix, timeIndexSuffix} {
		if e := os.Remove(s.path(suf) + deletedSuffix); e != nil && !errors.Is(e, os.ErrNotExist) && err == nil {
			err = e
		}
	}
	return err
}
