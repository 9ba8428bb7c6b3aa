package record

import (
	"errors"
	"sync"
	"unsafe"
)

// iterState is the per-call state of Iterate, pooled so that iterating
// allocates nothing once warm: the Header and Record handed to the
// callback and the one Headers slice every record reuses.
type iterState struct {
	h    Header
	r    Record
	raw  rawRecord
	hdrs []RecordHeader
}

var iterPool = sync.Pool{New: func() any { return new(iterState) }}

// release drops every reference into the batch and pools st.
func (st *iterState) release() {
	clear(st.hdrs[:cap(st.hdrs)])
	st.hdrs = st.hdrs[:0]
	st.r, st.raw = Record{}, rawRecord{}
	iterPool.Put(st)
}

// Iterate decodes every record of one full batch and calls fn for each, in
// order, stopping at fn's first error, which it returns unwrapped. h and r
// are reused: they, and the bytes and strings r points to, are only valid
// during the call.
// Compressed batches are decompressed into scratch (grown as needed); the
// possibly grown scratch is returned for reuse. batch may hold more bytes
// than the batch; they are ignored. Iterate does not check the CRC (see
// CheckCRC and Validate). It allocates nothing per record for
// uncompressed batches once its pooled state is warm.
func Iterate(batch []byte, scratch []byte, fn func(h *Header, r *Record) error) ([]byte, error) {
	h, records, scratch, err := openBatch(batch, scratch)
	if err != nil {
		return scratch, err
	}
	st := iterPool.Get().(*iterState)
	defer st.release()
	st.h = h
	return scratch, st.each(&h, records, fn)
}

// each walks the records section; h is the caller's copy of the header,
// so fn changing st.h does not change the walk.
func (st *iterState) each(h *Header, records []byte, fn func(h *Header, r *Record) error) error {
	if err := checkCount(h.NumRecords, records); err != nil {
		return err
	}
	for i := int32(0); i < h.NumRecords; i++ {
		var err error
		if records, err = parseRecord(records, &st.raw); err != nil {
			return err
		}
		st.fill(h)
		if err := fn(&st.h, &st.r); err != nil {
			return err
		}
	}
	if len(records) > 0 {
		return invalidf("%d bytes after the last record", len(records))
	}
	return nil
}

// fill turns st.raw into st.r.
func (st *iterState) fill(h *Header) {
	raw := &st.raw
	st.r.Attributes = raw.attrs
	st.r.Offset = h.BaseOffset + int64(raw.offDelta)
	st.r.Timestamp = h.BaseTimestamp + raw.tsDelta
	if h.LogAppendTime() {
		st.r.Timestamp = h.MaxTimestamp
	}
	st.r.Key, st.r.Value = raw.key, raw.val
	st.r.Headers = nil
	if raw.nHeaders > 0 {
		st.hdrs = appendHeaders(st.hdrs[:0], raw)
		st.r.Headers = st.hdrs
	}
}

// appendHeaders decodes raw's headers, which parseRecord has checked.
// Keys alias the record bytes rather than being copied.
func appendHeaders(dst []RecordHeader, raw *rawRecord) []RecordHeader {
	b := raw.headers
	for range raw.nHeaders {
		k, v, rest, err := nextHeader(b)
		if err != nil {
			break
		}
		dst = append(dst, RecordHeader{Key: unsafe.String(unsafe.SliceData(k), len(k)), Value: v})
		b = rest
	}
	return dst
}

// checkCount rejects a record count the records section cannot hold
// before walking it.
func checkCount(n int32, records []byte) error {
	if n < 0 || int64(n) > int64(len(records)/minRecordSize) {
		return invalidf("%d records cannot fit in %d bytes", n, len(records))
	}
	return nil
}

// openBatch parses the header of the full batch at the start of batch and
// returns the header and its records section, decompressed into scratch
// when compressed.
func openBatch(batch, scratch []byte) (Header, []byte, []byte, error) {
	h, err := ParseHeader(batch)
	if errors.Is(err, ErrShort) {
		return h, nil, scratch, shortf("%d bytes hold no batch header", len(batch))
	}
	if err != nil {
		return h, nil, scratch, err
	}
	if len(batch) < h.Size() {
		return h, nil, scratch, shortf("batch of %d bytes has only %d", h.Size(), len(batch))
	}
	records, scratch, err := recordsSection(batch[:h.Size()], &h, scratch)
	return h, records, scratch, err
}

// recordsSection returns the records of the full batch, decompressing
// them into scratch when the batch is compressed.
func recordsSection(batch []byte, h *Header, scratch []byte) (records, newScratch []byte, err error) {
	c := h.Codec()
	if c > CodecZstd {
		return nil, scratch, corruptf("unknown compression codec %d", c)
	}
	records = batch[HeaderSize:]
	if c == CodecNone || (len(records) == 0 && h.NumRecords == 0) {
		return records, scratch, nil
	}
	out, err := decompress(scratch[:0], c, records, MaxDecompressed)
	if err != nil {
		return nil, scratch, err
	}
	return out, out, nil
}
