package cleaner

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"sync/atomic"

	"github.com/gofka/gofka/internal/record"
	"github.com/gofka/gofka/internal/storage"
)

// Stats describes one cleaning pass.
type Stats struct {
	BytesRead, BytesWritten     int64
	RecordsRead, RecordsKept    int64
	BatchesDropped, Groups      int
	FirstDirty, EndOffset       int64
	Tombstones, TombstonesKept  int64
	LatestDeleteHorizon         int64 // largest delete horizon set or kept, -1 none
	AbortedBatches, MarkersGone int
}

// pass is one cleaning of one log by one worker; it reuses the worker's
// map and buffers.
type pass struct {
	w     *worker
	l     *storage.Log
	pol   Policy
	p     *plan
	nowMs int64
	txn   *txnScan
	scan  int64 // end of the scanned range: batches past it are copied as is
	stats Stats

	txnData map[int64]bool // producer -> its current transaction kept data
	abort   *atomic.Bool   // set by Pause
}

// errAborted means Pause aborted the pass.
var errAborted = errors.New("cleaner: pass aborted")

// run cleans the log: scan transactions, build the offset map, clean the
// groups, move the checkpoint.
func (ps *pass) run() error {
	ps.stats.FirstDirty, ps.stats.LatestDeleteHorizon = ps.p.firstDirty, -1
	if err := ps.scanTxns(); err != nil {
		return err
	}
	end, err := ps.buildMap()
	if err != nil {
		return err
	}
	ps.stats.EndOffset = end
	for _, g := range groups(ps.p.segs, end, ps.pol) {
		if err := ps.cleanGroup(g); err != nil {
			return err
		}
		ps.stats.Groups++
	}
	ps.l.SetCleanerCheckpoint(end)
	return nil
}

// eachBatch reads the batches of the closed segments overlapping
// [from, to) in order and calls fn for each; fn returning errFull stops.
func (ps *pass) eachBatch(from, to int64, fn func(b []byte, h *record.Header) error) error {
	for _, s := range ps.p.segs[:len(ps.p.segs)-1] {
		if s.Next <= from || s.Base >= to {
			continue
		}
		if err := ps.eachInSegment(s, func(b []byte, h *record.Header) error {
			if h.LastOffset() < from || h.BaseOffset >= to {
				return nil
			}
			return fn(b, h)
		}); err != nil {
			return err
		}
	}
	return nil
}

func (ps *pass) eachInSegment(s storage.SegmentInfo, fn func(b []byte, h *record.Header) error) error {
	f, size, err := ps.l.SegmentFile(s.Base)
	if err != nil {
		return err
	}
	r := newBatchReader(ps.w.rd, f, size, ps.w.in, ps.w.th)
	defer func() { ps.w.in = r.buf }()
	for {
		b, h, err := r.next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if ps.abort.Load() {
			return errAborted
		}
		ps.stats.BytesRead += int64(len(b))
		if err := fn(b, &h); err != nil {
			return err
		}
	}
}

// scanTxns learns the transactions of the cleanable range and stops the
// range at the first transaction without a marker.
func (ps *pass) scanTxns() error {
	ps.txn = newTxnScan()
	ps.scan = ps.p.firstUncleanable
	err := ps.eachBatch(ps.p.segs[0].Base, ps.scan, func(b []byte, h *record.Header) error {
		var err error
		ps.w.scratch, err = ps.txn.add(b, h, ps.w.scratch)
		return err
	})
	if err != nil {
		return err
	}
	if open := ps.txn.firstOpen(); open < ps.scan {
		ps.scan = open
	}
	return nil
}

// errFull stops the map build.
var errFull = errors.New("cleaner: offset map full")

// buildMap fills the offset map from the dirty range, batch by batch,
// until it is full, and returns the offset the map covers up to.
func (ps *pass) buildMap() (int64, error) {
	m := ps.w.sizeMap(ps.scan - ps.p.firstDirty)
	end := ps.p.firstDirty
	err := ps.eachBatch(ps.p.firstDirty, ps.scan, func(b []byte, h *record.Header) error {
		if h.LastOffset() >= ps.scan {
			return errFull
		}
		if m.Len()+int(h.NumRecords) > m.Capacity() && end > ps.p.firstDirty {
			return errFull
		}
		if !h.Control() && !(h.Transactional() && ps.txn.isAborted(h)) {
			var err error
			ps.w.scratch, err = record.Iterate(b, ps.w.scratch, func(_ *record.Header, r *record.Record) error {
				if r.Key != nil {
					m.Put(r.Key, r.Offset)
				}
				return nil
			})
			if err != nil {
				return fmt.Errorf("cleaner: %s at %d: %w", ps.name(), h.BaseOffset, err)
			}
		}
		end = h.LastOffset() + 1
		return nil
	})
	if err != nil && !errors.Is(err, errFull) {
		return end, err
	}
	return end, nil
}

// newReader gives a worker's bufio.Reader of the configured size.
func newReader(size int) *bufio.Reader { return bufio.NewReaderSize(nil, size) }

// name is the partition for error messages.
func (ps *pass) name() string {
	if ps.l == nil {
		return "?"
	}
	return ps.l.TopicPartition().String()
}
