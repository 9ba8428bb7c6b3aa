package cleaner

import (
	"encoding/binary"
	"fmt"

	"github.com/gofka/gofka/internal/record"
	"github.com/gofka/gofka/internal/storage"
)

// Batch attribute bits and header offsets the cleaner rewrites (see
// kafka.apache.org/documentation/#recordbatch).
const (
	attrDeleteHorizon = 0x40
	offAttributes     = 21
	offLastDelta      = 23
	offBaseTimestamp  = 27
	offMaxTimestamp   = 35
	offNumRecords     = 57
	offCRC            = 17
	offLength         = 8
)

// cleanGroup writes the kept records of a group of segments into one
// cleaned segment and swaps it in.
func (ps *pass) cleanGroup(g []storage.SegmentInfo) error {
	cs, err := ps.l.NewCleanedSegment(g[0].Base)
	if err != nil {
		return err
	}
	out := &ps.w.out
	*out = (*out)[:0]
	firstTs := int64(-1)
	flush := func() error {
		if len(*out) == 0 {
			return nil
		}
		if err := cs.Append(*out, firstTs); err != nil {
			return err
		}
		ps.stats.BytesWritten += int64(len(*out))
		if !ps.w.th.add(len(*out)) {
			return errStopped
		}
		*out = (*out)[:0]
		return nil
	}
	for _, s := range g {
		err = ps.eachInSegment(s, func(b []byte, h *record.Header) error {
			before := len(*out)
			var err error
			if *out, err = ps.filterBatch(*out, b, h); err != nil {
				return err
			}
			if firstTs < 0 && len(*out) > before && cs.Size() == 0 && before == 0 {
				firstTs = int64(binary.BigEndian.Uint64((*out)[before+offMaxTimestamp:]))
			}
			if len(*out) >= ps.w.ioBuf {
				return flush()
			}
			return nil
		})
		if err != nil {
			cs.Abort()
			return err
		}
	}
	if err := flush(); err != nil {
		cs.Abort()
		return err
	}
	bases := make([]int64, len(g))
	for i, s := range g {
		bases[i] = s.Base
	}
	return ps.l.ReplaceSegments(cs, bases)
}

// filterBatch appends what is kept of one batch to out.
func (ps *pass) filterBatch(out, b []byte, h *record.Header) ([]byte, error) {
	ps.stats.RecordsRead += int64(h.NumRecords)
	switch {
	case h.Magic < 2 || h.LastOffset() >= ps.scan:
		return append(out, b...), nil
	case h.Control():
		return ps.filterControl(out, b, h)
	case h.Transactional() && ps.txn.isAborted(h):
		ps.stats.AbortedBatches++
		return ps.dropBatch(out, b, h), nil
	}
	keep, tombstones, err := ps.decide(b, h)
	if err != nil {
		return out, err
	}
	if h.Transactional() && keep > 0 {
		ps.txnData[h.ProducerID] = true
	}
	ps.stats.RecordsKept += int64(keep)
	needHorizon := tombstones > 0 && !h.HasDeleteHorizon()
	switch {
	case keep == 0:
		return ps.dropBatch(out, b, h), nil
	case keep == int(h.NumRecords) && !needHorizon:
		return append(out, b...), nil
	}
	horizon := int64(-1)
	if tombstones > 0 {
		horizon = ps.horizon(h)
	}
	return ps.rebuild(out, b, h, horizon)
}

// horizon is the batch's delete horizon, or a new one when it has none.
func (ps *pass) horizon(h *record.Header) int64 {
	hz := h.BaseTimestamp
	if !h.HasDeleteHorizon() {
		hz = ps.nowMs + ps.pol.DeleteRetentionMs
	}
	ps.stats.LatestDeleteHorizon = max(ps.stats.LatestDeleteHorizon, hz)
	return hz
}

// decide marks which records of a data batch are kept in w.keep and
// counts them and the kept tombstones.
func (ps *pass) decide(b []byte, h *record.Header) (keep, tombstones int, err error) {
	expired := h.HasDeleteHorizon() && h.BaseTimestamp <= ps.nowMs
	ps.w.keep = ps.w.keep[:0]
	ps.w.scratch, err = record.Iterate(b, ps.w.scratch, func(_ *record.Header, r *record.Record) error {
		k := r.Key != nil && ps.w.m.Get(r.Key) <= r.Offset
		if k && r.Value == nil {
			ps.stats.Tombstones++
			if expired {
				k = false
			} else {
				tombstones++
				ps.stats.TombstonesKept++
			}
		}
		if k {
			keep++
		}
		ps.w.keep = append(ps.w.keep, k)
		return nil
	})
	if err != nil {
		err = fmt.Errorf("cleaner: %s at %d: %w", ps.name(), h.BaseOffset, err)
	}
	return keep, tombstones, err
}

// filterControl keeps a transaction marker until its transaction has no
// data left and its delete horizon passed, as Kafka does.
func (ps *pass) filterControl(out, b []byte, h *record.Header) ([]byte, error) {
	hadData := ps.txnData[h.ProducerID]
	delete(ps.txnData, h.ProducerID)
	switch {
	case hadData || !h.Transactional():
		return append(out, b...), nil
	case h.HasDeleteHorizon() && h.BaseTimestamp <= ps.nowMs:
		ps.stats.MarkersGone++
		ps.stats.BatchesDropped++
		return out, nil
	case h.HasDeleteHorizon():
		ps.horizon(h)
		return append(out, b...), nil
	}
	ps.w.keep = ps.w.keep[:0]
	for range h.NumRecords {
		ps.w.keep = append(ps.w.keep, true)
	}
	return ps.rebuild(out, b, h, ps.horizon(h))
}

// dropBatch drops a batch, keeping an empty batch header when it is its
// producer's last batch so that the producer's sequence survives.
func (ps *pass) dropBatch(out, b []byte, h *record.Header) []byte {
	if h.ProducerID < 0 || ps.txn.lastBatch[h.ProducerID] != h.LastOffset() {
		ps.stats.BatchesDropped++
		return out
	}
	start := len(out)
	out = append(out, b[:record.HeaderSize]...)
	e := out[start:]
	be := binary.BigEndian
	be.PutUint32(e[offLength:], uint32(record.HeaderSize-record.LogOverhead))
	attrs := be.Uint16(e[offAttributes:]) &^ 0x07 // no compression: no records
	be.PutUint16(e[offAttributes:], attrs)
	be.PutUint64(e[offBaseTimestamp:], uint64(h.MaxTimestamp))
	be.PutUint32(e[offNumRecords:], 0)
	be.PutUint32(e[offCRC:], record.ComputeCRC(e))
	return out
}

// rebuild appends a new batch of the records marked in w.keep, with the
// batch's producer, epoch, sequence, flags and codec, and the delete
// horizon as its base timestamp when horizon >= 0 (KIP-534).
func (ps *pass) rebuild(out, b []byte, h *record.Header, horizon int64) ([]byte, error) {
	bl := &ps.w.builder
	i, baseTs := 0, horizon
	first := true
	bl.Reset(h.Codec(), h.BaseOffset, 0)
	var err error
	ps.w.scratch, err = record.Iterate(b, ps.w.scratch, func(_ *record.Header, r *record.Record) error {
		k := ps.w.keep[i]
		i++
		if !k {
			return nil
		}
		if first {
			first = false
			if baseTs < 0 {
				baseTs = r.Timestamp
			}
			bl.Reset(h.Codec(), h.BaseOffset, baseTs)
			bl.SetProducer(h.ProducerID, h.ProducerEpoch, h.BaseSequence)
			bl.SetTransactional(h.Transactional())
			bl.SetControl(h.Control())
			bl.SetPartitionLeaderEpoch(h.PartitionLeaderEpoch)
		}
		bl.Add(*r)
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("cleaner: %s at %d: %w", ps.name(), h.BaseOffset, err)
	}
	start := len(out)
	if out, err = bl.Build(out); err != nil {
		return out, fmt.Errorf("cleaner: rebuild batch %d: %w", h.BaseOffset, err)
	}
	nb := out[start:]
	if h.LogAppendTime() {
		record.SetLogAppendTime(nb, h.MaxTimestamp)
	}
	if horizon >= 0 {
		be := binary.BigEndian
		be.PutUint16(nb[offAttributes:], be.Uint16(nb[offAttributes:])|attrDeleteHorizon)
		be.PutUint32(nb[offCRC:], record.ComputeCRC(nb))
	}
	return out, nil
}
