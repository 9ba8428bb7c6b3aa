package record

// Record is one record as decoded from a batch. Key and Value nil mean
// null. Key, Value and header values point into the batch (or into the
// decompression scratch), and header keys alias those bytes too: they are
// only valid during the callback that receives the Record. Copy what you
// keep (bytes.Clone, strings.Clone).
type Record struct {
	Attributes int8
	Offset     int64 // absolute: batch base offset + offset delta
	Timestamp  int64 // absolute: base timestamp + delta; for LogAppendTime batches the batch MaxTimestamp
	Key, Value []byte
	Headers    []RecordHeader
}

// RecordHeader is one record header. Value nil means null.
type RecordHeader struct {
	Key   string
	Value []byte
}

// NoTimestamp is Kafka's "no timestamp" value (RecordBatch.NO_TIMESTAMP).
const NoTimestamp int64 = -1

// minRecordSize is the smallest encoded record: a length and six one-byte
// fields (attributes, timestamp delta, offset delta, key length, value
// length, header count).
const minRecordSize = 7

// rawRecord is one record as stored, before its offset and timestamp are
// made absolute. headers holds the encoded headers, already checked.
type rawRecord struct {
	attrs    int8
	tsDelta  int64
	offDelta int32
	key, val []byte
	nHeaders int
	headers  []byte
}

// parseRecord decodes the record at the start of b into r and returns the
// bytes after it. Every length is checked against the record's own size,
// and the record must use exactly that size, as in Kafka's DefaultRecord.
func parseRecord(b []byte, r *rawRecord) ([]byte, error) {
	size, n := readVarint(b)
	if n <= 0 {
		return nil, invalidf("bad record length varint")
	}
	b = b[n:]
	if size < 0 || int(size) > len(b) {
		return nil, invalidf("record length %d with %d bytes left", size, len(b))
	}
	if err := parseBody(b[:size], r); err != nil {
		return nil, err
	}
	return b[size:], nil
}

// parseBody decodes a record body: everything after the length.
func parseBody(b []byte, r *rawRecord) error {
	if len(b) < 1 {
		return invalidf("record body empty")
	}
	r.attrs = int8(b[0])
	b = b[1:]
	var n int
	if r.tsDelta, n = readVarlong(b); n <= 0 {
		return invalidf("bad timestamp delta varlong")
	}
	b = b[n:]
	if r.offDelta, n = readVarint(b); n <= 0 {
		return invalidf("bad offset delta varint")
	}
	b = b[n:]
	var err error
	if r.key, b, err = readBytes(b, "key"); err != nil {
		return err
	}
	if r.val, b, err = readBytes(b, "value"); err != nil {
		return err
	}
	return parseHeaders(b, r)
}

// parseHeaders checks the header count and every header, which must end
// exactly at the end of the record body.
func parseHeaders(b []byte, r *rawRecord) error {
	count, n := readVarint(b)
	if n <= 0 {
		return invalidf("bad header count varint")
	}
	if count < 0 {
		return invalidf("invalid number of record headers %d", count)
	}
	b = b[n:]
	r.nHeaders, r.headers = int(count), b
	for i := int32(0); i < count; i++ {
		var err error
		if _, _, b, err = nextHeader(b); err != nil {
			return err
		}
	}
	if len(b) != 0 {
		return invalidf("%d bytes left after record headers", len(b))
	}
	return nil
}

// nextHeader decodes the header at the start of b.
func nextHeader(b []byte) (key, val, rest []byte, err error) {
	n, m := readVarint(b)
	if m <= 0 {
		return nil, nil, nil, invalidf("bad header key length varint")
	}
	if n < 0 {
		return nil, nil, nil, invalidf("invalid negative header key size %d", n)
	}
	if key, rest, err = readBytes(b, "header key"); err != nil {
		return nil, nil, nil, err
	}
	val, rest, err = readBytes(rest, "header value")
	return key, val, rest, err
}

// readBytes decodes a varint length and that many bytes; a negative length
// is null (nil).
func readBytes(b []byte, what string) (v, rest []byte, err error) {
	l, n := readVarint(b)
	if n <= 0 {
		return nil, nil, invalidf("bad %s length varint", what)
	}
	b = b[n:]
	if l < 0 {
		return nil, b, nil
	}
	if int(l) > len(b) {
		return nil, nil, invalidf("%s length %d with %d bytes left", what, l, len(b))
	}
	return b[:l:l], b[l:], nil
}
