package record

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// Builder builds one RecordBatch v2: for recompression, control batches,
// the metadata log and tests. Add records, then Build; Reset to reuse the
// Builder's buffers for the next batch. A Builder is not safe for
// concurrent use.
type Builder struct {
	codec         Codec
	baseOffset    int64
	baseTimestamp int64
	leaderEpoch   int32
	producerID    int64
	producerEpoch int16
	baseSequence  int32
	attrs         int16 // transactional and control bits

	records      []byte // encoded records, uncompressed
	n            int32
	lastDelta    int32
	lastOffset   int64
	maxTimestamp int64
	err          error // first Add error, reported by Build
}

// NewBuilder returns a Builder for a batch with codec c whose record
// offsets and timestamps are stored as deltas from baseOffset and
// baseTimestamp. The producer fields start as "none" (-1) and the
// partition leader epoch as -1.
func NewBuilder(c Codec, baseOffset int64, baseTimestamp int64) *Builder {
	b := new(Builder)
	b.Reset(c, baseOffset, baseTimestamp)
	return b
}

// Reset empties b for a new batch, keeping its buffers. Every setting
// returns to NewBuilder's defaults.
func (b *Builder) Reset(c Codec, baseOffset, baseTimestamp int64) {
	*b = Builder{
		codec: c, baseOffset: baseOffset, baseTimestamp: baseTimestamp,
		leaderEpoch: -1, producerID: -1, producerEpoch: -1, baseSequence: -1,
		records: b.records[:0], lastOffset: baseOffset - 1, maxTimestamp: NoTimestamp,
	}
}

// SetProducer sets the idempotent producer fields.
func (b *Builder) SetProducer(id int64, epoch int16, baseSequence int32) {
	b.producerID, b.producerEpoch, b.baseSequence = id, epoch, baseSequence
}

// SetTransactional marks the batch as part of a transaction.
func (b *Builder) SetTransactional(on bool) { b.setAttr(attrTransactional, on) }

// SetControl marks the batch as a control batch (transaction markers).
func (b *Builder) SetControl(on bool) { b.setAttr(attrControl, on) }

// SetPartitionLeaderEpoch sets the partition leader epoch.
func (b *Builder) SetPartitionLeaderEpoch(epoch int32) { b.leaderEpoch = epoch }

func (b *Builder) setAttr(bit int16, on bool) {
	if on {
		b.attrs |= bit
	} else {
		b.attrs &^= bit
	}
}

// Len is the number of records added.
func (b *Builder) Len() int { return int(b.n) }

// Add appends a record. r.Offset and r.Timestamp are absolute; the batch
// stores them as deltas from the base values. Offsets must increase, as in
// Kafka's MemoryRecordsBuilder; a bad offset is reported by Build.
func (b *Builder) Add(r Record) {
	if b.err != nil {
		return
	}
	delta := r.Offset - b.baseOffset
	switch {
	case r.Offset <= b.lastOffset:
		b.err = fmt.Errorf("record: builder: offset %d does not follow %d", r.Offset, b.lastOffset)
		return
	case delta > math.MaxInt32:
		b.err = fmt.Errorf("record: builder: offset %d too far from base %d", r.Offset, b.baseOffset)
		return
	}
	b.records = appendRecord(b.records, &r, int32(delta), r.Timestamp-b.baseTimestamp)
	b.n++
	b.lastDelta, b.lastOffset = int32(delta), r.Offset
	b.maxTimestamp = max(b.maxTimestamp, r.Timestamp)
}

// errEmpty is returned by Build for a batch without records.
var errEmpty = errors.New("record: builder: no records")

// Build appends the finished batch, CRC set, to dst.
func (b *Builder) Build(dst []byte) ([]byte, error) {
	if b.err != nil {
		return dst, b.err
	}
	if b.n == 0 {
		return dst, errEmpty
	}
	if b.codec < CodecNone || b.codec > CodecZstd {
		return dst, fmt.Errorf("record: builder: unknown codec %d", int8(b.codec))
	}
	start := len(dst)
	dst = append(dst, make([]byte, HeaderSize)...)
	dst, err := Compress(dst, b.codec, b.records)
	if err != nil {
		return dst[:start], err
	}
	b.putHeader(dst[start:])
	return dst, nil
}

// putHeader writes the header of the batch whose records follow it.
func (b *Builder) putHeader(batch []byte) {
	be := binary.BigEndian
	be.PutUint64(batch[offBaseOffset:], uint64(b.baseOffset))
	be.PutUint32(batch[offLength:], uint32(len(batch)-LogOverhead))
	be.PutUint32(batch[offLeaderEpoch:], uint32(b.leaderEpoch))
	batch[offMagic] = 2
	be.PutUint16(batch[offAttributes:], uint16(b.attrs|int16(b.codec)))
	be.PutUint32(batch[offLastDelta:], uint32(b.lastDelta))
	be.PutUint64(batch[offBaseTime:], uint64(b.baseTimestamp))
	be.PutUint64(batch[offMaxTime:], uint64(b.maxTimestamp))
	be.PutUint64(batch[offProducerID:], uint64(b.producerID))
	be.PutUint16(batch[offProducerEpoc:], uint16(b.producerEpoch))
	be.PutUint32(batch[offBaseSequence:], uint32(b.baseSequence))
	be.PutUint32(batch[offNumRecords:], uint32(b.n))
	be.PutUint32(batch[offCRC:], ComputeCRC(batch))
}

// appendRecord appends r encoded with the given deltas.
func appendRecord(dst []byte, r *Record, offDelta int32, tsDelta int64) []byte {
	dst = appendVarint(dst, int32(recordBodySize(r, offDelta, tsDelta)))
	dst = append(dst, byte(r.Attributes))
	dst = appendVarlong(dst, tsDelta)
	dst = appendVarint(dst, offDelta)
	dst = appendNullable(dst, r.Key)
	dst = appendNullable(dst, r.Value)
	dst = appendVarint(dst, int32(len(r.Headers)))
	for i := range r.Headers {
		h := &r.Headers[i]
		dst = appendVarint(dst, int32(len(h.Key)))
		dst = append(dst, h.Key...)
		dst = appendNullable(dst, h.Value)
	}
	return dst
}

// recordBodySize is the encoded size of r after its length field.
func recordBodySize(r *Record, offDelta int32, tsDelta int64) int {
	n := 1 + sizeVarlong(tsDelta) + sizeVarint(offDelta) + nullableSize(r.Key) + nullableSize(r.Value)
	n += sizeVarint(int32(len(r.Headers)))
	for i := range r.Headers {
		h := &r.Headers[i]
		n += sizeVarint(int32(len(h.Key))) + len(h.Key) + nullableSize(h.Value)
	}
	return n
}

// appendNullable appends a varint length (-1 for nil) and the bytes.
func appendNullable(dst, v []byte) []byte {
	if v == nil {
		return appendVarint(dst, -1)
	}
	return append(appendVarint(dst, int32(len(v))), v...)
}

func nullableSize(v []byte) int {
	if v == nil {
		return 1
	}
	return sizeVarint(int32(len(v))) + len(v)
}
