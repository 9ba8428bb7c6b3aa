package record

import (
	"encoding/binary"
	"errors"
	"testing"

	"github.com/twmb/franz-go/pkg/kmsg"
)

func TestValidateInfo(t *testing.T) {
	for _, c := range allCodecs {
		batch := buildSample(t, c)
		info, scratch, err := Validate(batch, nil)
		if err != nil {
			t.Fatalf("%s: %v", c, err)
		}
		h, _ := ParseHeader(batch)
		want := Info{Header: h, NumRecords: 4, MaxTimestamp: testBaseTime + 5, OffsetOfMaxTs: 1,
			UncompressedSize: len(smallSection(t, batch, c)), MinTimestamp: testBaseTime - 10, NullKey: true}
		if info != want {
			t.Errorf("%s: info\n got %+v\nwant %+v", c, info, want)
		}
		if c != CodecNone && cap(scratch) < info.UncompressedSize {
			t.Errorf("%s: scratch not returned", c)
		}
	}
}

// smallSection returns a batch's uncompressed records section.
func smallSection(t *testing.T, batch []byte, c Codec) []byte {
	out, err := Decompress(nil, c, batch[HeaderSize:])
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// mutation edits a copy of a good batch; fixCRC re-seals it where the
// test is about something other than the CRC.
type mutation struct {
	name string
	mut  func(b []byte) []byte
	want []error
}

func put32(b []byte, off int, v int32) []byte {
	binary.BigEndian.PutUint32(b[off:], uint32(v))
	return b
}

func TestValidateErrors(t *testing.T) {
	corrupt, invalid := []error{ErrCorrupt}, []error{ErrInvalidRecord, ErrCorrupt}
	tests := []mutation{
		{"bad crc", func(b []byte) []byte { b[len(b)-1] ^= 0xff; return b }, []error{ErrCRC}},
		{"crc field", func(b []byte) []byte { b[17] ^= 1; return b }, []error{ErrCRC}},
		{"truncated", func(b []byte) []byte { return b[:len(b)-1] }, []error{ErrShort, ErrCorrupt}},
		{"tiny", func(b []byte) []byte { return b[:10] }, []error{ErrShort, ErrCorrupt}},
		{"trailing byte", func(b []byte) []byte { return append(b, 0) }, corrupt},
		{"magic 1", func(b []byte) []byte { b[16] = 1; return b }, []error{ErrMagic}},
		{"magic 3", func(b []byte) []byte { b[16] = 3; return b }, []error{ErrMagic}},
		{"length under header", func(b []byte) []byte { return put32(b, 8, 30) }, corrupt},
		{"count too high", func(b []byte) []byte { return fixCRC(put32(put32(b, 57, 4), 23, 3)) }, invalid},
		{"count too low", func(b []byte) []byte { return fixCRC(put32(put32(b, 57, 2), 23, 1)) }, invalid},
		{"count zero", func(b []byte) []byte { return fixCRC(put32(put32(b, 57, 0), 23, 0)) }, invalid},
		{"count negative", func(b []byte) []byte { return fixCRC(put32(b, 57, -1)) }, invalid},
		{"count huge", func(b []byte) []byte { return fixCRC(put32(put32(b, 57, 1<<30), 23, 1<<30-1)) }, invalid},
		{"lastOffsetDelta mismatch", func(b []byte) []byte { return fixCRC(put32(b, 23, 5)) }, invalid},
		{"unknown codec", func(b []byte) []byte { b[22] |= 5; return fixCRC(b) }, corrupt},
		{"no sequence", func(b []byte) []byte {
			binary.BigEndian.PutUint64(b[43:], 9)
			return fixCRC(put32(b, 53, -1))
		}, invalid},
		{"garbage varints", func(b []byte) []byte {
			for i := HeaderSize; i < len(b); i++ {
				b[i] = 0xff
			}
			return fixCRC(b)
		}, invalid},
		{"record length past end", func(b []byte) []byte { b[HeaderSize] = 0x7e; return fixCRC(b) }, invalid},
		{"negative record length", func(b []byte) []byte { b[HeaderSize] = 0x01; return fixCRC(b) }, invalid},
		{"bytes after records", func(b []byte) []byte {
			b = append(b, 0)
			return fixCRC(put32(b, 8, int32(len(b)-12)))
		}, invalid},
	}
	good := smallBatch(t, 3)
	for _, tt := range tests {
		runMutation(t, good, tt)
	}
}

func runMutation(t *testing.T, good []byte, tt mutation) {
	t.Helper()
	b := tt.mut(append([]byte(nil), good...))
	_, _, err := Validate(b, nil)
	if err == nil {
		t.Errorf("%s: accepted", tt.name)
		return
	}
	for _, w := range tt.want {
		if !errors.Is(err, w) {
			t.Errorf("%s: %v is not %v", tt.name, err, w)
		}
	}
}

// TestValidateRecordErrors covers malformed records built with kmsg.
func TestValidateRecordErrors(t *testing.T) {
	rec := func(delta int32) kmsg.Record {
		return kmsgRecords([]Record{{Offset: int64(delta), Value: []byte("v")}}, 0, 0)[0]
	}
	tests := []struct {
		name string
		recs []kmsg.Record
		body []byte // raw records section, if set
	}{
		{"offset deltas out of order", []kmsg.Record{rec(0), rec(2), rec(1)}, nil},
		{"offset deltas start at 1", []kmsg.Record{rec(1), rec(2)}, nil},
		{"negative header count", nil, []byte{0x0c, 0, 0, 0, 1, 1, 0x01}},
		{"negative header key", nil, []byte{0x10, 0, 0, 0, 1, 1, 0x02, 0x01, 0x01}},
		{"header key past end", nil, []byte{0x10, 0, 0, 0, 1, 1, 0x02, 0x10, 0x01}},
		{"key past end", nil, []byte{0x0c, 0, 0, 0, 0x20, 1, 0}},
		{"bytes left in record", nil, []byte{0x0e, 0, 0, 0, 1, 1, 0, 0}},
		{"varint too long", nil, []byte{0x0e, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}},
		{"empty body", nil, []byte{0x00}},
	}
	for _, tt := range tests {
		var batch []byte
		if tt.body != nil {
			batch = rawSectionBatch(t, CodecNone, tt.body, 1)
		} else {
			batch = kmsgBatch(t, CodecNone, tt.recs, nil)
		}
		if _, _, err := Validate(batch, nil); !errors.Is(err, ErrInvalidRecord) || !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: %v", tt.name, err)
		}
		if _, err := Iterate(batch, nil, func(*Header, *Record) error { return nil }); err == nil && tt.body != nil {
			t.Errorf("%s: Iterate accepted", tt.name)
		}
	}
}

// rawSectionBatch wraps a records section (compressed with c) in a batch
// header claiming n records.
func rawSectionBatch(t testing.TB, c Codec, section []byte, n int32) []byte {
	comp, err := Compress(nil, c, section)
	if err != nil {
		t.Fatal(err)
	}
	b := kmsg.RecordBatch{Magic: 2, Attributes: int16(c), LastOffsetDelta: n - 1, ProducerID: -1,
		ProducerEpoch: -1, FirstSequence: -1, NumRecords: n, Records: comp}
	out := b.AppendTo(nil)
	return fixCRC(put32(out, 8, int32(len(out)-12)))
}

func TestValidateCompressedErrors(t *testing.T) {
	withLimit(t, 64<<10)
	big := smallBatch(t, 1)
	bombSection := make([]byte, 1<<20)
	for _, c := range allCodecs[1:] {
		bomb := rawSectionBatch(t, c, bombSection, 1)
		if _, _, err := Validate(bomb, nil); !errors.Is(err, ErrTooLarge) || !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s bomb: %v", c, err)
		}
		garbage := append(append([]byte(nil), big[:HeaderSize]...), "garbage, not compressed"...)
		garbage[22] = byte(c)
		garbage = fixCRC(put32(garbage, 8, int32(len(garbage)-12)))
		if _, _, err := Validate(garbage, nil); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s garbage: %v", c, err)
		}
		trailing := rawSectionBatch(t, c, append(big[HeaderSize:], 0), 1)
		if _, _, err := Validate(trailing, nil); !errors.Is(err, ErrInvalidRecord) {
			t.Errorf("%s trailing bytes after decompressed records: %v", c, err)
		}
	}
}

// TestValidateControlSequence: transaction markers carry a producer id
// without a sequence, which is fine.
func TestValidateControlSequence(t *testing.T) {
	b := NewBuilder(CodecNone, 0, 0)
	b.SetProducer(5, 0, -1)
	b.SetTransactional(true)
	b.SetControl(true)
	b.Add(Record{Offset: 0, Key: []byte{0, 0, 0, 1}, Value: []byte{0, 0, 0, 0, 0, 3}})
	batch, _ := b.Build(nil)
	if _, _, err := Validate(batch, nil); err != nil {
		t.Fatal(err)
	}
}

func TestValidateAllocs(t *testing.T) {
	batch := benchBatch(t)
	allocs := testing.AllocsPerRun(50, func() {
		if _, _, err := Validate(batch, nil); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("Validate uncompressed: %.1f allocs", allocs)
	}
}
