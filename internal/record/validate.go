package record

import "fmt"

// Info is what Validate learns about a batch from a producer.
type Info struct {
	Header           Header
	NumRecords       int32
	MaxTimestamp     int64 // max record timestamp (computed from the records, for CreateTime)
	OffsetOfMaxTs    int32 // offset delta of the record with MaxTimestamp (first one)
	UncompressedSize int   // size of the records section after decompression

	// MinTimestamp is the smallest record timestamp other than
	// NoTimestamp (NoTimestamp if none), so that the broker can apply
	// message.timestamp.before.max.ms as MaxTimestamp serves
	// message.timestamp.after.max.ms.
	MinTimestamp int64
	// NullKey reports whether a record has a null key, which compacted
	// topics reject.
	NullKey bool
}

// Validate checks one full batch as Kafka's LogValidator does for magic v2
// on produce: size framing (batch must be exactly one batch), magic 2,
// CRC-32C, attributes (unknown codec), a positive record count that
// matches LastOffsetDelta+1, a base sequence for idempotent batches, and
// every record: well formed, offset deltas 0..n-1 in order, nothing after
// the last. Compressed batches are decompressed into scratch, which is
// returned for reuse.
//
// Errors wrap ErrCorrupt (CORRUPT_MESSAGE), ErrCRC, ErrMagic or
// ErrInvalidRecord (INVALID_RECORD; these match ErrCorrupt too). What needs
// broker state stays with the caller: rejecting control batches and non-zero
// base offsets from clients, timestamp bounds, null keys on compacted topics.
// Validate does not allocate for uncompressed batches.
func Validate(batch []byte, scratch []byte) (Info, []byte, error) {
	var info Info
	h, err := checkFrame(batch)
	if err != nil {
		return info, scratch, err
	}
	info.Header = h
	if err := checkProduceHeader(&h); err != nil {
		return info, scratch, err
	}
	records, scratch, err := recordsSection(batch, &h, scratch)
	if err != nil {
		return info, scratch, err
	}
	info.UncompressedSize = len(records)
	return info, scratch, scanRecords(records, &info)
}

// checkFrame checks that batch is exactly one v2 batch with a good CRC.
func checkFrame(batch []byte) (Header, error) {
	if len(batch) <= offMagic {
		return Header{}, shortf("%d bytes hold no batch header", len(batch))
	}
	if m := int8(batch[offMagic]); m != 2 {
		return Header{}, fmt.Errorf("%w: %d", ErrMagic, m)
	}
	size, err := PeekSize(batch)
	if err != nil {
		return Header{}, err
	}
	if len(batch) < size {
		return Header{}, shortf("batch of %d bytes has only %d", size, len(batch))
	}
	if len(batch) > size {
		return Header{}, corruptf("%d bytes after a batch of %d", len(batch)-size, size)
	}
	h, err := ParseHeader(batch)
	if err != nil {
		return h, err
	}
	return h, CheckCRC(batch)
}

// checkProduceHeader applies LogValidator's batch-level checks.
func checkProduceHeader(h *Header) error {
	if c := h.Codec(); c > CodecZstd {
		return corruptf("unknown compression codec %d", c)
	}
	if h.NumRecords <= 0 {
		return invalidf("invalid reported count for record batch: %d", h.NumRecords)
	}
	if int64(h.LastOffsetDelta)+1 != int64(h.NumRecords) {
		return invalidf("inconsistent batch offset range (last delta %d) and record count %d",
			h.LastOffsetDelta, h.NumRecords)
	}
	if h.Idempotent() && h.BaseSequence < 0 && !h.Control() {
		return invalidf("invalid sequence number %d for producer %d", h.BaseSequence, h.ProducerID)
	}
	return nil
}

// scanRecords checks every record and fills the record-derived parts of
// info.
func scanRecords(records []byte, info *Info) error {
	h := &info.Header
	info.NumRecords = h.NumRecords
	info.MaxTimestamp, info.OffsetOfMaxTs, info.MinTimestamp = NoTimestamp, -1, NoTimestamp
	if err := checkCount(h.NumRecords, records); err != nil {
		return err
	}
	var raw rawRecord
	for i := int32(0); i < h.NumRecords; i++ {
		rest, tsDelta, nullKey, ok := quickRecord(records, i)
		if !ok {
			var err error
			if rest, err = parseRecord(records, &raw); err != nil {
				return err
			}
			if raw.offDelta != i {
				return invalidf("record %d has offset delta %d", i, raw.offDelta)
			}
			tsDelta, nullKey = raw.tsDelta, raw.key == nil
		}
		records = rest
		info.observe(h.BaseTimestamp+tsDelta, i)
		info.NullKey = info.NullKey || nullKey
	}
	if len(records) > 0 {
		return invalidf("%d bytes after the last record", len(records))
	}
	return nil
}

// observe folds one record timestamp into info.
func (info *Info) observe(ts int64, delta int32) {
	if ts > info.MaxTimestamp {
		info.MaxTimestamp, info.OffsetOfMaxTs = ts, delta
	}
	if ts != NoTimestamp && (info.MinTimestamp == NoTimestamp || ts < info.MinTimestamp) {
		info.MinTimestamp = ts
	}
}
