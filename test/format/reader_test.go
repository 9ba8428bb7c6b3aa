package format

// An independent reader of Kafka's on-disk formats, written from Kafka's
// documentation; it shares no code with Gofka's writers (only the CRC-32C
// table from the standard library).

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"strconv"
	"strings"
)

var be = binary.BigEndian

var crc32c = crc32.MakeTable(crc32.Castagnoli)

// batch is a decoded RecordBatch (magic 2).
type batch struct {
	baseOffset    int64
	length        int32
	leaderEpoch   int32
	attributes    int16
	lastDelta     int32
	baseTimestamp int64
	maxTimestamp  int64
	producerID    int64
	producerEpoch int16
	baseSequence  int32
	records       []kafkaRecord
	size          int
}

func (b *batch) lastOffset() int64 { return b.baseOffset + int64(b.lastDelta) }
func (b *batch) codec() int        { return int(b.attributes & 7) }

type kafkaRecord struct {
	offset    int64
	timestamp int64
	key, val  []byte
	headers   int
}

// decodeLog decodes a whole .log file: RecordBatches back to back.
// Compressed batches are checked by their CRC and header only.
func decodeLog(data []byte) ([]batch, error) {
	var out []batch
	for pos := 0; pos < len(data); {
		b, err := decodeBatch(data[pos:])
		if err != nil {
			return out, fmt.Errorf("batch at byte %d: %w", pos, err)
		}
		out = append(out, b)
		pos += b.size
	}
	return out, nil
}

// decodeBatch decodes the RecordBatch at the start of d:
// baseOffset int64, batchLength int32, partitionLeaderEpoch int32,
// magic int8, crc uint32 (CRC-32C of attributes..end), attributes int16,
// lastOffsetDelta int32, baseTimestamp int64, maxTimestamp int64,
// producerId int64, producerEpoch int16, baseSequence int32,
// records count int32 then the records.
func decodeBatch(d []byte) (batch, error) {
	var b batch
	if len(d) < 61 {
		return b, errors.New("short header")
	}
	b.baseOffset, b.length = int64(be.Uint64(d)), int32(be.Uint32(d[8:]))
	b.size = int(b.length) + 12
	if b.length < 49 || b.size > len(d) {
		return b, fmt.Errorf("batch length %d with %d bytes", b.length, len(d))
	}
	d = d[:b.size]
	b.leaderEpoch = int32(be.Uint32(d[12:]))
	if d[16] != 2 {
		return b, fmt.Errorf("magic %d", d[16])
	}
	if want, got := be.Uint32(d[17:]), crc32.Checksum(d[21:], crc32c); want != got {
		return b, fmt.Errorf("crc %08x, computed %08x", want, got)
	}
	b.attributes = int16(be.Uint16(d[21:]))
	b.lastDelta = int32(be.Uint32(d[23:]))
	b.baseTimestamp, b.maxTimestamp = int64(be.Uint64(d[27:])), int64(be.Uint64(d[35:]))
	b.producerID, b.producerEpoch = int64(be.Uint64(d[43:])), int16(be.Uint16(d[51:]))
	b.baseSequence = int32(be.Uint32(d[53:]))
	n := int(int32(be.Uint32(d[57:])))
	if b.codec() != 0 {
		return b, nil
	}
	rest := d[61:]
	for i := 0; i < n; i++ {
		r, used, err := decodeRecord(rest, &b)
		if err != nil {
			return b, fmt.Errorf("record %d: %w", i, err)
		}
		b.records = append(b.records, r)
		rest = rest[used:]
	}
	if len(rest) != 0 {
		return b, fmt.Errorf("%d bytes after the records", len(rest))
	}
	return b, nil
}

// decodeRecord decodes: length varint, attributes int8, timestampDelta
// varlong, offsetDelta varint, keyLength varint, key, valueLength varint,
// value, headers count varint, each header keyLength varint, key,
// valueLength varint, value. Varints are zig-zag as in protobuf.
func decodeRecord(d []byte, b *batch) (kafkaRecord, int, error) {
	var r kafkaRecord
	length, n := binary.Varint(d)
	if n <= 0 || length < 0 || int(length) > len(d)-n {
		return r, 0, errors.New("bad length")
	}
	body := d[n : n+int(length)]
	p := 1 // attributes
	next := func() int64 {
		if p >= len(body) {
			p = len(body) + 1
			return 0
		}
		v, k := binary.Varint(body[p:])
		if k <= 0 {
			p = len(body) + 1
			return 0
		}
		p += k
		return v
	}
	bytesField := func() []byte {
		l := next()
		if l < 0 || p > len(body) {
			return nil
		}
		if p+int(l) > len(body) {
			p = len(body) + 1
			return nil
		}
		v := body[p : p+int(l)]
		p += int(l)
		return v
	}
	r.timestamp = b.baseTimestamp + next()
	r.offset = b.baseOffset + next()
	r.key = bytesField()
	r.val = bytesField()
	r.headers = int(next())
	for i := 0; i < r.headers; i++ {
		bytesField()
		bytesField()
	}
	if p != len(body) {
		return r, 0, fmt.Errorf("record body %d bytes, decoded %d", len(body), p)
	}
	return r, n + int(length), nil
}

// offsetEntry is an .index entry: relative offset int32, position int32.
type offsetEntry struct{ rel, pos int32 }

func decodeOffsetIndex(d []byte) ([]offsetEntry, error) {
	if len(d)%8 != 0 {
		return nil, fmt.Errorf(".index length %d is not a multiple of 8", len(d))
	}
	var out []offsetEntry
	for i := 0; i < len(d); i += 8 {
		out = append(out, offsetEntry{int32(be.Uint32(d[i:])), int32(be.Uint32(d[i+4:]))})
	}
	return out, nil
}

// timeEntry is a .timeindex entry: timestamp int64, relative offset int32.
type timeEntry struct {
	ts  int64
	rel int32
}

func decodeTimeIndex(d []byte) ([]timeEntry, error) {
	if len(d)%12 != 0 {
		return nil, fmt.Errorf(".timeindex length %d is not a multiple of 12", len(d))
	}
	var out []timeEntry
	for i := 0; i < len(d); i += 12 {
		out = append(out, timeEntry{int64(be.Uint64(d[i:])), int32(be.Uint32(d[i+8:]))})
	}
	return out, nil
}

// abortedTxn is a .txnindex entry: version int16 (0), producerId int64,
// firstOffset int64, lastOffset int64, lastStableOffset int64.
type abortedTxn struct{ pid, first, last, lso int64 }

func decodeTxnIndex(d []byte) ([]abortedTxn, error) {
	if len(d)%34 != 0 {
		return nil, fmt.Errorf(".txnindex length %d is not a multiple of 34", len(d))
	}
	var out []abortedTxn
	for i := 0; i < len(d); i += 34 {
		if v := be.Uint16(d[i:]); v != 0 {
			return nil, fmt.Errorf(".txnindex entry version %d", v)
		}
		e := d[i+2:]
		out = append(out, abortedTxn{int64(be.Uint64(e)), int64(be.Uint64(e[8:])), int64(be.Uint64(e[16:])), int64(be.Uint64(e[24:]))})
	}
	return out, nil
}

// producerEntry is one entry of a producer snapshot.
type producerEntry struct {
	pid              int64
	epoch            int16
	lastSeq          int32
	lastOffset       int64
	offsetDelta      int32
	timestamp        int64
	coordinatorEpoch int32
	txnFirstOffset   int64
}

// decodeSnapshot decodes a .snapshot: version int16 (1), crc uint32
// (CRC-32C of the rest), producer_entries array (int32 count) of
// producer_id int64, epoch int16, last_sequence int32, last_offset int64,
// offset_delta int32, timestamp int64, coordinator_epoch int32,
// current_txn_first_offset int64.
func decodeSnapshot(d []byte) ([]producerEntry, error) {
	if len(d) < 10 {
		return nil, errors.New("snapshot too short")
	}
	if v := be.Uint16(d); v != 1 {
		return nil, fmt.Errorf("snapshot version %d", v)
	}
	if want, got := be.Uint32(d[2:]), crc32.Checksum(d[6:], crc32c); want != got {
		return nil, fmt.Errorf("snapshot crc %08x, computed %08x", want, got)
	}
	n := int(int32(be.Uint32(d[6:])))
	const es = 8 + 2 + 4 + 8 + 4 + 8 + 4 + 8
	if n < 0 || len(d) != 10+n*es {
		return nil, fmt.Errorf("snapshot of %d bytes holds %d entries", len(d), n)
	}
	var out []producerEntry
	for i := 0; i < n; i++ {
		e := d[10+i*es:]
		out = append(out, producerEntry{
			pid: int64(be.Uint64(e)), epoch: int16(be.Uint16(e[8:])), lastSeq: int32(be.Uint32(e[10:])),
			lastOffset: int64(be.Uint64(e[14:])), offsetDelta: int32(be.Uint32(e[22:])), timestamp: int64(be.Uint64(e[26:])),
			coordinatorEpoch: int32(be.Uint32(e[34:])), txnFirstOffset: int64(be.Uint64(e[38:])),
		})
	}
	return out, nil
}

// decodeCheckpoint decodes Kafka's text checkpoint files: a version line
// ("0"), a count line, then count lines of fields fields each separated
// by single spaces (offset checkpoints: topic partition offset; the
// leader epoch checkpoint: epoch startOffset).
func decodeCheckpoint(d []byte, fields int) ([][]string, error) {
	text := string(d)
	if !strings.HasSuffix(text, "\n") {
		return nil, errors.New("checkpoint does not end with a newline")
	}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) < 2 || lines[0] != "0" {
		return nil, fmt.Errorf("checkpoint header %q", lines)
	}
	n, err := strconv.Atoi(lines[1])
	if err != nil || n != len(lines)-2 {
		return nil, fmt.Errorf("checkpoint count %q for %d lines", lines[1], len(lines)-2)
	}
	var out [][]string
	for _, l := range lines[2:] {
		f := strings.Split(l, " ")
		if len(f) != fields {
			return nil, fmt.Errorf("checkpoint line %q", l)
		}
		for _, num := range f[fields-2:] {
			if _, err := strconv.ParseInt(num, 10, 64); err != nil {
				return nil, fmt.Errorf("checkpoint number %q", num)
			}
		}
		out = append(out, f)
	}
	return out, nil
}

// decodePartitionMetadata decodes "version: 0\ntopic_id: <id>\n" where id
// is a UUID in URL-safe base64 without padding.
func decodePartitionMetadata(d []byte) ([16]byte, error) {
	var id [16]byte
	lines := strings.Split(strings.TrimSuffix(string(d), "\n"), "\n")
	if len(lines) != 2 || lines[0] != "version: 0" || !strings.HasPrefix(lines[1], "topic_id: ") {
		return id, fmt.Errorf("partition.metadata %q", d)
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(lines[1], "topic_id: "))
	if err != nil || len(raw) != 16 {
		return id, fmt.Errorf("topic id %q: %v", lines[1], err)
	}
	copy(id[:], raw)
	return id, nil
}

// decodeProperties decodes a Java properties file as Kafka writes
// meta.properties: "#" comment lines and key=value lines.
func decodeProperties(d []byte) (map[string]string, error) {
	out := map[string]string{}
	for _, l := range strings.Split(string(d), "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		k, v, ok := strings.Cut(l, "=")
		if !ok {
			return nil, fmt.Errorf("properties line %q", l)
		}
		out[k] = v
	}
	return out, nil
}
