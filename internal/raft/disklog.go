package raft

import (
	"fmt"
	"log/slog"
	"math"
	"slices"
	"time"

	"github.com/gofka/gofka/internal/record"
	"github.com/gofka/gofka/internal/storage"
	"github.com/gofka/gofka/internal/storage/checkpoint"
	"go.etcd.io/raft/v3/raftpb"
)

// MetadataTopic is the metadata log's topic, as in KRaft.
const MetadataTopic = "__cluster_metadata"

// confPoint is the configuration after a conf change entry.
type confPoint struct {
	index  uint64
	voters []Voter
}

// diskLog is the raft log on disk as the Kafka partition
// __cluster_metadata-0. Entry first+k ends at Kafka offset ends[k]
// (exclusive); entry first starts at start, the end of the snapshot.
type diskLog struct {
	log   *storage.Log
	first uint64
	start int64
	ends  []int64
	// base is the configuration at the snapshot, confs those after it.
	base  []Voter
	confs []confPoint
	now   func() time.Time
}

// openDiskLog opens the log in dir and reads every entry after the
// snapshot (mark, voters).
func openDiskLog(dir string, mark snapshotMark, voters []Voter, logger *slog.Logger) (*diskLog, []raftpb.Entry, error) {
	cfg := storage.DefaultConfig()
	cfg.FlushMessages = math.MaxInt64
	l, err := storage.Open(dir, checkpoint.TopicPartition{Topic: MetadataTopic, Partition: 0},
		storage.Options{Config: cfg, Logger: logger})
	if err != nil {
		return nil, nil, fmt.Errorf("raft: open metadata log: %w", err)
	}
	d := &diskLog{log: l, first: mark.index + 1, start: mark.endOffset, base: voters, now: time.Now}
	ents, err := d.load()
	if err != nil {
		l.Close()
		return nil, nil, err
	}
	return d, ents, nil
}

// load positions the log at the snapshot and reads the entries after it.
func (d *diskLog) load() ([]raftpb.Entry, error) {
	l := d.log
	switch {
	case l.LogEndOffset() < d.start || l.LogStartOffset() > d.start:
		// The snapshot is ahead of the log (a snapshot installed from the
		// leader, or a crash before the log was cut): start over at it.
		if err := l.TruncateFullyAndStartAt(d.start); err != nil {
			return nil, fmt.Errorf("raft: reset metadata log: %w", err)
		}
		return nil, nil
	}
	var ents []raftpb.Entry
	err := d.scan(d.start, func(batch []byte) error {
		e, next, err := batchEntry(batch, d.first+uint64(len(ents)), d.voters())
		if err != nil {
			return err
		}
		if e.Type == raftpb.EntryConfChangeV2 {
			d.confs = append(d.confs, confPoint{e.Index, next})
		}
		h, _ := record.ParseHeader(batch)
		d.ends = append(d.ends, h.LastOffset()+1)
		ents = append(ents, e)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("raft: metadata log %s: %w", l.Dir(), err)
	}
	return ents, nil
}

// scan calls fn for every batch from offset from to the log end. A batch
// that starts before from (inside the snapshot) is skipped.
func (d *diskLog) scan(from int64, fn func(batch []byte) error) error {
	l := d.log
	for off := from; off < l.LogEndOffset(); {
		sl, err := l.Read(off, 1<<20, math.MaxInt64, true)
		if err != nil {
			return err
		}
		if sl.Size == 0 {
			return corruptf("no batch at offset %d", off)
		}
		buf := make([]byte, sl.Size)
		if _, err := sl.File.ReadAt(buf, sl.Pos); err != nil {
			return err
		}
		err = record.Split(buf, func(batch []byte) error {
			h, err := record.ParseHeader(batch)
			if err != nil || h.LastOffset() < off {
				return err
			}
			if h.BaseOffset != off {
				return corruptf("batch at offset %d, expected %d", h.BaseOffset, off)
			}
			off = h.LastOffset() + 1
			return fn(batch)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// voters returns the configuration after the last entry.
func (d *diskLog) voters() []Voter {
	if len(d.confs) > 0 {
		return d.confs[len(d.confs)-1].voters
	}
	return d.base
}

// lastIndex is the index of the last entry on disk (the snapshot's when none).
func (d *diskLog) lastIndex() uint64 { return d.first + uint64(len(d.ends)) - 1 }

// endOffset is the Kafka end offset of entry i (the snapshot's for first-1).
func (d *diskLog) endOffset(i uint64) int64 {
	if i < d.first {
		return d.start
	}
	return d.ends[i-d.first]
}

// endOffsetAt is endOffset for any index: the snapshot's below the log, the
// last entry's above it.
func (d *diskLog) endOffsetAt(i uint64) int64 {
	switch {
	case i < d.first:
		return d.start
	case i > d.lastIndex():
		return d.endOffset(d.lastIndex())
	}
	return d.endOffset(i)
}

// append writes entries, first cutting off any entries they replace. It
// does not fsync: sync does.
func (d *diskLog) append(ents []raftpb.Entry, leader int32) error {
	if len(ents) == 0 {
		return nil
	}
	if ents[0].Index <= d.lastIndex() {
		if err := d.truncate(ents[0].Index); err != nil {
			return err
		}
	}
	if ents[0].Index != d.lastIndex()+1 {
		return fmt.Errorf("raft: append entry %d after %d", ents[0].Index, d.lastIndex())
	}
	ts := d.now().UnixMilli()
	for _, e := range ents {
		batch, next, err := entryBatch(e, leader, d.voters(), ts)
		if err != nil {
			return err
		}
		res, err := d.log.Append(slices.Clone(batch), storage.AppendOptions{LeaderEpoch: int32(e.Term)})
		if err != nil {
			return fmt.Errorf("raft: append entry %d: %w", e.Index, err)
		}
		if e.Type == raftpb.EntryConfChangeV2 {
			d.confs = append(d.confs, confPoint{e.Index, next})
		}
		d.ends = append(d.ends, res.LastOffset+1)
	}
	return nil
}

// truncate removes entries from index i on.
func (d *diskLog) truncate(i uint64) error {
	if i < d.first {
		return fmt.Errorf("raft: truncate to %d below the snapshot (%d)", i, d.first-1)
	}
	if err := d.log.TruncateTo(d.endOffset(i - 1)); err != nil {
		return fmt.Errorf("raft: truncate metadata log: %w", err)
	}
	d.ends = d.ends[:i-d.first]
	d.confs = slices.DeleteFunc(d.confs, func(c confPoint) bool { return c.index >= i })
	return nil
}

// sync fsyncs what was appended.
func (d *diskLog) sync() error {
	if err := d.log.Flush(); err != nil {
		return fmt.Errorf("raft: sync metadata log: %w", err)
	}
	return nil
}

// compact drops the entries up to and including the snapshot at index i
// (voters is the configuration there) and deletes the segments wholly
// below its end offset.
func (d *diskLog) compact(i uint64, voters []Voter) error {
	if i < d.first {
		return nil
	}
	end := d.endOffset(i)
	d.ends = slices.Clone(d.ends[i-d.first+1:])
	d.first, d.start, d.base = i+1, end, voters
	d.confs = slices.DeleteFunc(d.confs, func(c confPoint) bool { return c.index <= i })
	d.log.SetHighWatermark(d.log.LogEndOffset())
	if err := d.log.DeleteRecordsBefore(end); err != nil {
		return fmt.Errorf("raft: delete metadata log before %d: %w", end, err)
	}
	return nil
}

// reset empties the log to start after an installed snapshot.
func (d *diskLog) reset(mark snapshotMark, voters []Voter) error {
	if err := d.log.TruncateFullyAndStartAt(mark.endOffset); err != nil {
		return fmt.Errorf("raft: reset metadata log: %w", err)
	}
	d.first, d.start, d.ends, d.base, d.confs = mark.index+1, mark.endOffset, nil, voters, nil
	return nil
}

func (d *diskLog) close() error { return d.log.Close() }
