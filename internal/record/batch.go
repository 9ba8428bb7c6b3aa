package record

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
)

// Offsets of the RecordBatch v2 header fields, in bytes from the batch start.
const (
	offBaseOffset   = 0
	offLength       = 8
	offLeaderEpoch  = 12
	offMagic        = 16
	offCRC          = 17
	offAttributes   = 21
	offLastDelta    = 23
	offBaseTime     = 27
	offMaxTime      = 35
	offProducerID   = 43
	offProducerEpoc = 51
	offBaseSequence = 53
	offNumRecords   = 57

	// HeaderSize is the size of a RecordBatch v2 header, up to the first record.
	HeaderSize = 61
	// LogOverhead is the part of a batch not counted by its length field:
	// baseOffset and the length itself.
	LogOverhead = 12
)

// Attribute bits.
const (
	attrCompressionMask = 0x07
	attrLogAppendTime   = 0x08
	attrTransactional   = 0x10
	attrControl         = 0x20
	attrDeleteHorizon   = 0x40
)

// Codec is a compression codec as stored in the batch attributes.
type Codec int8

// The codecs Kafka defines.
const (
	CodecNone   Codec = 0
	CodecGzip   Codec = 1
	CodecSnappy Codec = 2
	CodecLZ4    Codec = 3
	CodecZstd   Codec = 4
)

func (c Codec) String() string {
	switch c {
	case CodecNone:
		return "none"
	case CodecGzip:
		return "gzip"
	case CodecSnappy:
		return "snappy"
	case CodecLZ4:
		return "lz4"
	case CodecZstd:
		return "zstd"
	}
	return fmt.Sprintf("codec(%d)", int8(c))
}

var (
	// ErrShort means the bytes end before the batch does.
	ErrShort = errors.New("record: truncated batch")
	// ErrCorrupt means a batch is malformed: bad length, magic or records.
	ErrCorrupt = errors.New("record: corrupt batch")
	// ErrCRC means a batch's CRC-32C does not match its contents.
	ErrCRC = errors.New("record: crc mismatch")
	// ErrMagic means a batch is not magic v2.
	ErrMagic = errors.New("record: unsupported magic")
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Header is a decoded RecordBatch v2 header.
type Header struct {
	BaseOffset           int64
	Length               int32 // bytes after the length field
	PartitionLeaderEpoch int32
	Magic                int8
	CRC                  uint32
	Attributes           int16
	LastOffsetDelta      int32
	BaseTimestamp        int64
	MaxTimestamp         int64
	ProducerID           int64
	ProducerEpoch        int16
	BaseSequence         int32
	NumRecords           int32
}

// Size is the batch's full size in bytes, including offset and length.
func (h *Header) Size() int { return int(h.Length) + LogOverhead }

// LastOffset is the offset of the batch's last record.
func (h *Header) LastOffset() int64 { return h.BaseOffset + int64(h.LastOffsetDelta) }

// Codec is the batch's compression codec.
func (h *Header) Codec() Codec { return Codec(h.Attributes & attrCompressionMask) }

// LogAppendTime reports whether the batch timestamps are broker append times.
func (h *Header) LogAppendTime() bool { return h.Attributes&attrLogAppendTime != 0 }

// Transactional reports whether the batch belongs to a transaction.
func (h *Header) Transactional() bool { return h.Attributes&attrTransactional != 0 }

// Control reports whether the batch is a control batch (transaction marker).
func (h *Header) Control() bool { return h.Attributes&attrControl != 0 }

// HasDeleteHorizon reports whether BaseTimestamp holds the compaction delete horizon.
func (h *Header) HasDeleteHorizon() bool { return h.Attributes&attrDeleteHorizon != 0 }

// Idempotent reports whether the batch carries a producer id.
func (h *Header) Idempotent() bool { return h.ProducerID >= 0 }

// PeekSize returns the full size of the batch starting at b, reading only
// the offset and length fields. It needs LogOverhead bytes.
func PeekSize(b []byte) (int, error) {
	if len(b) < LogOverhead {
		return 0, ErrShort
	}
	n := int32(binary.BigEndian.Uint32(b[offLength:]))
	if n < HeaderSize-LogOverhead {
		return 0, fmt.Errorf("%w: length %d", ErrCorrupt, n)
	}
	return int(n) + LogOverhead, nil
}

// ParseHeader decodes the batch header at the start of b. It checks the
// length and magic but not the CRC; b may hold more than one batch.
func ParseHeader(b []byte) (Header, error) {
	var h Header
	if len(b) < HeaderSize {
		return h, ErrShort
	}
	h.BaseOffset = int64(binary.BigEndian.Uint64(b[offBaseOffset:]))
	h.Length = int32(binary.BigEndian.Uint32(b[offLength:]))
	h.PartitionLeaderEpoch = int32(binary.BigEndian.Uint32(b[offLeaderEpoch:]))
	h.Magic = int8(b[offMagic])
	h.CRC = binary.BigEndian.Uint32(b[offCRC:])
	h.Attributes = int16(binary.BigEndian.Uint16(b[offAttributes:]))
	h.LastOffsetDelta = int32(binary.BigEndian.Uint32(b[offLastDelta:]))
	h.BaseTimestamp = int64(binary.BigEndian.Uint64(b[offBaseTime:]))
	h.MaxTimestamp = int64(binary.BigEndian.Uint64(b[offMaxTime:]))
	h.ProducerID = int64(binary.BigEndian.Uint64(b[offProducerID:]))
	h.ProducerEpoch = int16(binary.BigEndian.Uint16(b[offProducerEpoc:]))
	h.BaseSequence = int32(binary.BigEndian.Uint32(b[offBaseSequence:]))
	h.NumRecords = int32(binary.BigEndian.Uint32(b[offNumRecords:]))
	if h.Magic != 2 {
		return h, fmt.Errorf("%w: %d", ErrMagic, h.Magic)
	}
	if h.Length < HeaderSize-LogOverhead {
		return h, fmt.Errorf("%w: length %d", ErrCorrupt, h.Length)
	}
	if h.LastOffsetDelta < 0 || h.NumRecords < 0 {
		return h, invalidf("negative record count %d or last offset delta %d", h.NumRecords, h.LastOffsetDelta)
	}
	return h, nil
}

// ComputeCRC returns the CRC-32C of a full batch: attributes to the end.
func ComputeCRC(batch []byte) uint32 {
	return crc32.Checksum(batch[offAttributes:], castagnoli)
}

// CheckCRC verifies the CRC of the full batch in b (exactly one batch).
func CheckCRC(batch []byte) error {
	if len(batch) < HeaderSize {
		return ErrShort
	}
	want := binary.BigEndian.Uint32(batch[offCRC:])
	if got := ComputeCRC(batch); got != want {
		return fmt.Errorf("%w: stored %08x, computed %08x", ErrCRC, want, got)
	}
	return nil
}

// SetBaseOffset rewrites the batch's base offset in place. The CRC does not
// cover it, so nothing else changes.
func SetBaseOffset(batch []byte, off int64) {
	binary.BigEndian.PutUint64(batch[offBaseOffset:], uint64(off))
}

// SetPartitionLeaderEpoch rewrites the leader epoch in place (not covered by the CRC).
func SetPartitionLeaderEpoch(batch []byte, epoch int32) {
	binary.BigEndian.PutUint32(batch[offLeaderEpoch:], uint32(epoch))
}

// SetLogAppendTime marks the batch as LogAppendTime with max timestamp ts
// and recomputes the CRC, as Kafka does for topics with
// message.timestamp.type=LogAppendTime.
func SetLogAppendTime(batch []byte, ts int64) {
	attrs := binary.BigEndian.Uint16(batch[offAttributes:]) | attrLogAppendTime
	binary.BigEndian.PutUint16(batch[offAttributes:], attrs)
	binary.BigEndian.PutUint64(batch[offMaxTime:], uint64(ts))
	binary.BigEndian.PutUint32(batch[offCRC:], ComputeCRC(batch))
}

// SetMaxTimestamp rewrites the max timestamp of a CreateTime batch and
// recomputes the CRC if it changed, as Kafka does when the producer's
// value disagrees with its records (see Info.MaxTimestamp).
func SetMaxTimestamp(batch []byte, ts int64) {
	if int64(binary.BigEndian.Uint64(batch[offMaxTime:])) == ts {
		return
	}
	binary.BigEndian.PutUint64(batch[offMaxTime:], uint64(ts))
	binary.BigEndian.PutUint32(batch[offCRC:], ComputeCRC(batch))
}

// Split walks the concatenated batches in b and calls fn with each full
// batch. It stops at the first error of fn or of framing: a trailing
// partial batch returns ErrShort.
func Split(b []byte, fn func(batch []byte) error) error {
	for len(b) > 0 {
		n, err := PeekSize(b)
		if err != nil {
			return err
		}
		if n > len(b) {
			return ErrShort
		}
		if err := fn(b[:n]); err != nil {
			return err
		}
		b = b[n:]
	}
	return nil
}
