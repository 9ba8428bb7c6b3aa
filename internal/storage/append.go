package storage

import (
	"fmt"
	"math/rand/v2"

	"github.com/gofka/gofka/internal/record"
)

// Append assigns offsets to the validated, concatenated batches in b,
// rewriting their base offsets and partition leader epochs in place (and
// their timestamps when o.LogAppendTime > 0), rolls the segment first when
// needed, writes them with one write, adds index entries, updates the
// leader epoch cache and fsyncs per flush.messages. The new log end offset
// is published when the write is done.
func (l *Log) Append(b []byte, o AppendOptions) (AppendResult, error) {
	res, err := l.appendLocked(b, o)
	if err != nil {
		return res, err
	}
	if l.leo.Load()-l.rp.Load() >= l.config().FlushMessages {
		if err := l.Flush(); err != nil {
			return res, err
		}
	}
	return res, nil
}

func (l *Log) appendLocked(b []byte, o AppendOptions) (AppendResult, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed.Load() {
		return AppendResult{}, ErrClosed
	}
	res, err := assignOffsets(b, l.leo.Load(), o)
	if err != nil {
		return res, err
	}
	s, err := l.maybeRollLocked(len(b), &res)
	if err != nil {
		return res, err
	}
	if err := s.append(b, l.config(), res.MaxTimestamp); err != nil {
		return res, err
	}
	l.leo.Store(res.LastOffset + 1)
	if o.LeaderEpoch >= 0 {
		if latest, ok := l.epochs.latest(); !ok || o.LeaderEpoch > latest {
			if l.epochs.assign(o.LeaderEpoch, res.FirstOffset) {
				return res, l.epochs.write()
			}
		}
	}
	return res, nil
}

// assignOffsets rewrites the batches in b to start at offset next and
// summarizes them. It touches batch headers only.
func assignOffsets(b []byte, next int64, o AppendOptions) (AppendResult, error) {
	res := AppendResult{FirstOffset: next, LogAppendTime: -1, MaxTimestamp: -1, OffsetOfMaxTimestamp: -1, Bytes: len(b)}
	if len(b) == 0 {
		return res, fmt.Errorf("storage: append: %w: no batches", record.ErrCorrupt)
	}
	for p := b; len(p) > 0; {
		n, err := record.PeekSize(p)
		if err != nil || n > len(p) {
			return res, fmt.Errorf("storage: append: %w", record.ErrShort)
		}
		h, err := record.ParseHeader(p[:n])
		if err != nil {
			return res, fmt.Errorf("storage: append: %w", err)
		}
		batch := p[:n]
		record.SetBaseOffset(batch, next)
		record.SetPartitionLeaderEpoch(batch, o.LeaderEpoch)
		if o.LogAppendTime > 0 {
			record.SetLogAppendTime(batch, o.LogAppendTime)
			h.MaxTimestamp = o.LogAppendTime
		}
		last := next + int64(h.LastOffsetDelta)
		if h.MaxTimestamp > res.MaxTimestamp {
			res.MaxTimestamp, res.OffsetOfMaxTimestamp = h.MaxTimestamp, last
		}
		res.LastOffset, next, p = last, last+1, p[n:]
	}
	if o.LogAppendTime > 0 {
		res.LogAppendTime = o.LogAppendTime
	}
	return res, nil
}

// append writes b at the end of the segment and indexes it batch by batch,
// as Kafka's LogSegment.append does: an entry for a batch when more than
// index.interval.bytes were written since the last entry. maxTs is the
// largest timestamp in b (the segment's roll time base if it is first).
func (s *segment) append(b []byte, c Config, maxTs int64) error {
	pos := s.size.Load()
	s.reserve(pos+int64(len(b)), c)
	if _, err := s.log.WriteAt(b, pos); err != nil {
		return fmt.Errorf("storage: write segment %d: %w", s.base, err)
	}
	if pos+int64(len(b)) > s.fileLen {
		s.fileLen = pos + int64(len(b))
	}
	if pos == 0 {
		s.firstBatchTs = maxTs
	}
	var last int64
	for p := b; len(p) > 0; {
		n, _ := record.PeekSize(p)
		last = int64FromHeader(p, 0) + int64(int32FromHeader(p, offLastOffsetDelta))
		if err := s.indexBatch(p[:n], last, pos, c); err != nil {
			return err
		}
		pos += int64(n)
		p = p[n:]
	}
	// next before size: a lock-free reader that sees the new bytes also
	// sees their offsets, so it never returns a batch above its maxOffset.
	s.next.Store(last + 1)
	s.size.Store(pos)
	return nil
}

// indexBatch updates the max timestamp and adds index entries if due.
func (s *segment) indexBatch(batch []byte, last, pos int64, c Config) error {
	if ts := int64FromHeader(batch, offMaxTimestamp); ts > s.maxTs.Load() {
		s.maxTs.Store(ts)
		s.maxTsOffset = last
	}
	if s.bytesSinceIndex > int64(c.IndexIntervalBytes) {
		if err := s.offIdx.appendOffset(s.base, last, pos); err != nil {
			return err
		}
		if err := s.timeIdx.maybeAppendTime(s.base, s.maxTs.Load(), s.maxTsOffset, false); err != nil {
			return err
		}
		s.bytesSinceIndex = 0
	}
	s.bytesSinceIndex += int64(len(batch))
	return nil
}

// jitter draws a segment's roll jitter as Kafka's randomSegmentJitter does.
func (l *Log) jitter(c Config) int64 {
	if c.SegmentJitterMs <= 0 {
		return 0
	}
	return rand.Int64N(min(c.SegmentJitterMs, c.SegmentMs))
}
