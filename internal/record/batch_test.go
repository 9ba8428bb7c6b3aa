package record

import (
	"encoding/binary"
	"errors"
	"testing"
)

func TestParseHeader(t *testing.T) {
	batch := buildSample(t, CodecGzip)
	h, err := ParseHeader(batch)
	if err != nil {
		t.Fatal(err)
	}
	want := Header{
		BaseOffset: testBaseOffset, Length: int32(len(batch) - LogOverhead), PartitionLeaderEpoch: 9,
		Magic: 2, CRC: testCRC(batch), Attributes: int16(CodecGzip), LastOffsetDelta: 3,
		BaseTimestamp: testBaseTime, MaxTimestamp: testBaseTime + 5, ProducerID: 7, ProducerEpoch: 2,
		BaseSequence: 11, NumRecords: 4,
	}
	if h != want {
		t.Fatalf("header\n got %+v\nwant %+v", h, want)
	}
	if h.Size() != len(batch) || h.LastOffset() != testBaseOffset+3 || h.Codec() != CodecGzip {
		t.Errorf("Size %d LastOffset %d Codec %s", h.Size(), h.LastOffset(), h.Codec())
	}
	if h.LogAppendTime() || h.Transactional() || h.Control() || h.HasDeleteHorizon() || !h.Idempotent() {
		t.Errorf("attribute helpers wrong for %+v", h)
	}
}

func TestParseHeaderErrors(t *testing.T) {
	good := smallBatch(t, 2)
	tests := []struct {
		name string
		mut  func(b []byte) []byte
		want error
	}{
		{"short", func(b []byte) []byte { return b[:HeaderSize-1] }, ErrShort},
		{"magic 1", func(b []byte) []byte { b[16] = 1; return b }, ErrMagic},
		{"length 48", func(b []byte) []byte { binary.BigEndian.PutUint32(b[8:], 48); return b }, ErrCorrupt},
		{"negative count", func(b []byte) []byte { binary.BigEndian.PutUint32(b[57:], 0xffffffff); return b }, ErrInvalidRecord},
		{"negative last delta", func(b []byte) []byte { binary.BigEndian.PutUint32(b[23:], 0xffffffff); return b }, ErrInvalidRecord},
	}
	for _, tt := range tests {
		b := tt.mut(append([]byte(nil), good...))
		if _, err := ParseHeader(b); !errors.Is(err, tt.want) {
			t.Errorf("%s: err %v, want %v", tt.name, err, tt.want)
		}
	}
}

func TestHeaderAttributes(t *testing.T) {
	b := NewBuilder(CodecLZ4, 0, 1)
	b.SetTransactional(true)
	b.SetControl(true)
	b.Add(Record{Offset: 0, Timestamp: 1})
	batch, err := b.Build(nil)
	if err != nil {
		t.Fatal(err)
	}
	h, _ := ParseHeader(batch)
	if !h.Transactional() || !h.Control() || h.Codec() != CodecLZ4 || h.Idempotent() {
		t.Errorf("attributes %#x", h.Attributes)
	}
	b.SetControl(false)
	batch, _ = b.Build(nil)
	if h, _ := ParseHeader(batch); h.Control() || !h.Transactional() {
		t.Errorf("attributes after SetControl(false) %#x", h.Attributes)
	}
}

func TestCheckCRC(t *testing.T) {
	batch := smallBatch(t, 3)
	if err := CheckCRC(batch); err != nil {
		t.Fatal(err)
	}
	if ComputeCRC(batch) != testCRC(batch) {
		t.Fatal("ComputeCRC differs from CRC-32C")
	}
	batch[len(batch)-1] ^= 1
	if err := CheckCRC(batch); !errors.Is(err, ErrCRC) {
		t.Errorf("flipped byte: %v", err)
	}
	if err := CheckCRC(batch[:10]); !errors.Is(err, ErrShort) {
		t.Errorf("short: %v", err)
	}
}

func TestSetters(t *testing.T) {
	batch := smallBatch(t, 2)
	SetBaseOffset(batch, 1234)
	SetPartitionLeaderEpoch(batch, 77)
	if err := CheckCRC(batch); err != nil {
		t.Fatalf("base offset and epoch are outside the CRC: %v", err)
	}
	SetLogAppendTime(batch, 999)
	if err := CheckCRC(batch); err != nil {
		t.Fatal(err)
	}
	h, _ := ParseHeader(batch)
	if h.BaseOffset != 1234 || h.PartitionLeaderEpoch != 77 || !h.LogAppendTime() || h.MaxTimestamp != 999 {
		t.Fatalf("header %+v", h)
	}
	_, recs := collect(t, batch)
	if recs[0].Offset != 1234 || recs[1].Offset != 1235 || recs[0].Timestamp != 999 {
		t.Errorf("records %+v", recs)
	}
	SetMaxTimestamp(batch, 5)
	if h, _ := ParseHeader(batch); h.MaxTimestamp != 5 || CheckCRC(batch) != nil {
		t.Errorf("SetMaxTimestamp: %+v", h)
	}
}

func TestPeekSizeAndSplit(t *testing.T) {
	a, b := smallBatch(t, 1), buildSample(t, CodecZstd)
	if n, err := PeekSize(b); err != nil || n != len(b) {
		t.Fatalf("PeekSize = %d, %v", n, err)
	}
	if _, err := PeekSize(b[:11]); !errors.Is(err, ErrShort) {
		t.Errorf("PeekSize short: %v", err)
	}
	all := append(append([]byte(nil), a...), b...)
	var sizes []int
	if err := Split(all, func(x []byte) error { sizes = append(sizes, len(x)); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(sizes) != 2 || sizes[0] != len(a) || sizes[1] != len(b) {
		t.Errorf("split sizes %v", sizes)
	}
	if err := Split(all[:len(all)-1], func([]byte) error { return nil }); !errors.Is(err, ErrShort) {
		t.Errorf("partial tail: %v", err)
	}
	stop := errors.New("stop")
	if err := Split(all, func([]byte) error { return stop }); err != stop {
		t.Errorf("fn error: %v", err)
	}
}

func TestCodecString(t *testing.T) {
	want := []string{"none", "gzip", "snappy", "lz4", "zstd", "codec(5)"}
	for i, w := range want {
		if got := Codec(i).String(); got != w {
			t.Errorf("Codec(%d) = %q, want %q", i, got, w)
		}
	}
}
