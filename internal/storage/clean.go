package storage

import (
	"errors"
	"fmt"
	"math"
	"os"
	"time"
)

// This file is the log cleaner's view of a Log (internal/storage/cleaner
// owns the cleaning itself): the segment list, a segment's file, a writer
// for a cleaned segment and the atomic swap that replaces a group of
// segments with it, following Kafka's LogCleaner and UnifiedLog.
// replaceSegments: the cleaned files are written as *.cleaned, renamed
// *.swap, the old segments renamed *.deleted and the *.swap files renamed
// to their final names. Open completes or discards a swap a crash left
// half done (see completeSwaps).

// ErrCleaningAborted means the segments to replace changed while they were
// being cleaned (retention or DeleteRecords removed some): the cleaned
// segment was discarded.
var ErrCleaningAborted = errors.New("storage: cleaning aborted")

// SegmentInfo describes one segment to the log cleaner.
type SegmentInfo struct {
	Base       int64 // base offset (the file name)
	Next       int64 // offset after its last batch (Base when empty)
	Size       int64 // bytes of whole batches
	MaxTs      int64 // largest batch max timestamp, or the file's mtime when it has none
	FirstTs    int64 // max timestamp of the first batch, -1 unknown
	IndexBytes int64 // bytes of its .index file
}

// Segments describes every segment, oldest first; the last is the active
// segment.
func (l *Log) Segments() []SegmentInfo {
	segs := l.segments()
	out := make([]SegmentInfo, len(segs))
	for i, s := range segs {
		out[i] = SegmentInfo{
			Base: s.base, Next: s.next.Load(), Size: s.size.Load(), MaxTs: s.largestTimestamp(),
			FirstTs: s.firstTs(), IndexBytes: int64(s.offIdx.count() * offsetEntrySize),
		}
	}
	return out
}

// firstTs is the first batch's max timestamp, read from the file when the
// segment was loaded without a scan.
func (s *segment) firstTs() int64 {
	if s.size.Load() == 0 {
		return -1
	}
	h, err := s.readHeader(0, s.size.Load())
	if err != nil {
		return -1
	}
	return h.MaxTimestamp
}

// SegmentFile returns the open .log file of the segment based at base and
// its size in bytes. The file stays readable at least
// file.delete.delay.ms after the segment is replaced or deleted.
func (l *Log) SegmentFile(base int64) (*os.File, int64, error) {
	if l.closed.Load() {
		return nil, 0, ErrClosed
	}
	for _, s := range l.segments() {
		if s.base == base {
			return s.log, s.size.Load(), nil
		}
	}
	return nil, 0, fmt.Errorf("%w: no segment %d", ErrCleaningAborted, base)
}

// CleanerCheckpoint is the offset below which the log is clean (from
// cleaner-offset-checkpoint), 0 when never cleaned.
func (l *Log) CleanerCheckpoint() int64 { return l.cleanerOffset.Load() }

// SetCleanerCheckpoint records the cleaner's progress; the Manager writes
// it to cleaner-offset-checkpoint with the other checkpoints.
func (l *Log) SetCleanerCheckpoint(off int64) { l.cleanerOffset.Store(off) }

// CleanedSegment is a segment being written by the cleaner as
// <base>.log.cleaned with its indexes; ReplaceSegments swaps it in and
// Abort discards it.
type CleanedSegment struct {
	l *Log
	s *segment
}

// NewCleanedSegment creates the .cleaned files of a segment based at base.
func (l *Log) NewCleanedSegment(base int64) (*CleanedSegment, error) {
	s := &segment{base: base, dir: l.dir, created: l.nowMs(), firstBatchTs: -1, maxTsOffset: base}
	f, err := os.OpenFile(s.path(logSuffix)+cleanedSuffix, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, fmt.Errorf("storage: create cleaned segment: %w", err)
	}
	s.log = f
	s.next.Store(base)
	s.maxTs.Store(-1)
	for _, x := range []struct {
		dst **index
		suf string
		es  int
	}{{&s.offIdx, indexSuffix, offsetEntrySize}, {&s.timeIdx, timeIndexSuffix, timeEntrySize}} {
		p := s.path(x.suf) + cleanedSuffix
		os.Remove(p)
		if *x.dst, err = openIndex(p, x.es, math.MaxInt32); err != nil {
			s.close()
			return nil, err
		}
	}
	return &CleanedSegment{l: l, s: s}, nil
}

// Append writes whole batches that keep their offsets (which must increase
// and fit the segment) and indexes them as appends do.
func (c *CleanedSegment) Append(b []byte, maxTs int64) error {
	return c.s.append(b, c.l.config(), maxTs)
}

// Size is the number of bytes written.
func (c *CleanedSegment) Size() int64 { return c.s.size.Load() }

// Abort closes and removes the cleaned files.
func (c *CleanedSegment) Abort() {
	c.s.close()
	for _, suf := range []string{logSuffix, indexSuffix, timeIndexSuffix} {
		os.Remove(c.s.path(suf) + cleanedSuffix)
		os.Remove(c.s.path(suf) + swapSuffix)
	}
}

// finish writes the final time index entry, trims and fsyncs the files.
func (c *CleanedSegment) finish() error {
	if err := c.s.onInactive(); err != nil {
		return err
	}
	return c.s.sync()
}

// renameFiles renames the segment's files from suffix from to suffix to
// (the .log last, so that recovery sees a whole swap or none).
func (c *CleanedSegment) renameFiles(from, to string) error {
	for _, suf := range []string{indexSuffix, timeIndexSuffix, logSuffix} {
		p := c.s.path(suf)
		if err := os.Rename(p+from, p+to); err != nil {
			return fmt.Errorf("storage: rename cleaned segment: %w", err)
		}
	}
	c.s.offIdx.renamed(c.s.path(indexSuffix) + to)
	c.s.timeIdx.renamed(c.s.path(timeIndexSuffix) + to)
	return syncDir(c.s.dir)
}

// ReplaceSegments swaps the cleaned segment in for the segments based at
// old (consecutive, closed, the first at the cleaned segment's base), as
// Kafka's replaceSegments does. Readers see either the old or the new
// segments; old files stay readable for file.delete.delay.ms.
func (l *Log) ReplaceSegments(c *CleanedSegment, old []int64) error {
	if err := c.finish(); err != nil {
		c.Abort()
		return err
	}
	if err := c.renameFiles(cleanedSuffix, swapSuffix); err != nil {
		c.Abort()
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	at, err := l.findGroupLocked(old, c.s.base)
	if err != nil {
		c.Abort()
		return err
	}
	segs := l.segments()
	gone := segs[at : at+len(old)]
	next := append(append(append([]*segment(nil), segs[:at]...), c.s), segs[at+len(old):]...)
	for _, s := range gone {
		if err := s.renameDeleted(); err != nil {
			return err
		}
	}
	if err := c.renameFiles(swapSuffix, ""); err != nil {
		return err
	}
	if err := c.s.releaseIndexes(); err != nil { // fsynced by finish
		return err
	}
	l.publish(next)
	delay := time.Duration(l.config().FileDeleteDelayMs) * time.Millisecond
	for _, s := range gone {
		l.deleter.schedule(s, delay)
	}
	return nil
}

// findGroupLocked returns the position of the segments based at old in
// the current list, or ErrCleaningAborted when they are not all there.
func (l *Log) findGroupLocked(old []int64, base int64) (int, error) {
	if l.closed.Load() {
		return 0, ErrClosed
	}
	segs := l.segments()
	if len(old) == 0 || old[0] != base {
		return 0, fmt.Errorf("%w: group does not start at %d", ErrCleaningAborted, base)
	}
	at := segmentFor(segs, base)
	if at+len(old) >= len(segs) {
		return 0, fmt.Errorf("%w: segments changed", ErrCleaningAborted)
	}
	for i, b := range old {
		if segs[at+i].base != b {
			return 0, fmt.Errorf("%w: segment %d is gone", ErrCleaningAborted, b)
		}
	}
	return at, nil
}

// syncDir fsyncs a directory so renames in it are durable.
func syncDir(dir string) error {
	if err := fsyncPath(dir); err != nil {
		return fmt.Errorf("storage: fsync dir: %w", err)
	}
	return nil
}
