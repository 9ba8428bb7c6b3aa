package record

import (
	"bytes"
	"encoding/binary"
	"testing"
)

// fuzzLimit keeps fuzzed decompression small and fast.
const fuzzLimit = 1 << 20

// seedBatches adds batches of every codec, from the Builder and from
// franz-go, plus some broken ones.
func seedBatches(f *testing.F) {
	for _, c := range allCodecs {
		b := NewBuilder(c, 3, 1000)
		b.Add(Record{Offset: 3, Timestamp: 1000, Key: []byte("k"), Value: []byte("v"),
			Headers: []RecordHeader{{Key: "h", Value: []byte("x")}, {Key: "n"}}})
		b.Add(Record{Offset: 4, Timestamp: 999, Value: bytes.Repeat([]byte("ab"), 100)})
		batch, err := b.Build(nil)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(batch)
		f.Add(kmsgBatch(f, c, kmsgRecords(sampleRecords()[:3], testBaseOffset, testBaseTime), nil))
	}
	f.Add([]byte{})
	f.Add(smallBatch(f, 2)[:HeaderSize])
	f.Add(make([]byte, 70))
}

func FuzzValidate(f *testing.F) {
	withLimit(f, fuzzLimit)
	seedBatches(f)
	f.Fuzz(func(t *testing.T, batch []byte) {
		checkValidated(t, batch)
		if len(batch) >= HeaderSize {
			// Reseal the CRC so that mutations reach the records.
			sealed := append([]byte(nil), batch...)
			binary.BigEndian.PutUint32(sealed[offCRC:], ComputeCRC(sealed))
			checkValidated(t, sealed)
		}
	})
}

// checkValidated validates batch and, if it passes, checks that the
// other entry points agree.
func checkValidated(t *testing.T, batch []byte) {
	info, _, err := Validate(batch, nil)
	if err != nil {
		return
	}
	// What Validate accepts, Iterate must walk and Recompress re-encode.
	n := int32(0)
	if _, err := Iterate(batch, nil, func(_ *Header, r *Record) error {
		if r.Offset != info.Header.BaseOffset+int64(n) {
			t.Fatalf("record %d has offset %d", n, r.Offset)
		}
		n++
		return nil
	}); err != nil || n != info.NumRecords {
		t.Fatalf("validated batch: iterate %v after %d of %d", err, n, info.NumRecords)
	}
	out, _, err := Recompress(nil, batch, CodecSnappy, nil)
	if err != nil {
		t.Fatalf("recompress: %v", err)
	}
	if _, _, err := Validate(out, nil); err != nil {
		t.Fatalf("recompressed batch invalid: %v", err)
	}
}

func FuzzIterate(f *testing.F) {
	withLimit(f, fuzzLimit)
	seedBatches(f)
	f.Fuzz(func(t *testing.T, batch []byte) {
		var scratch []byte
		_, _ = Iterate(batch, scratch, func(h *Header, r *Record) error {
			for _, hd := range r.Headers {
				_ = len(hd.Key) + len(hd.Value)
			}
			return nil
		})
	})
}

func FuzzDecompress(f *testing.F) {
	for _, c := range allCodecs {
		for _, src := range [][]byte{nil, []byte("hello hello hello hello"), bytes.Repeat([]byte{7}, 700)} {
			comp, err := Compress(nil, c, src)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(uint8(c), comp)
		}
	}
	f.Add(uint8(CodecSnappy), []byte{0xff, 0xff, 0xff, 0xff, 0x0f, 0})
	f.Fuzz(func(t *testing.T, codec uint8, data []byte) {
		if len(data) > 64<<10 {
			return // keeps each run, and minimizing, fast
		}
		c := Codec(codec % 6)
		out, err := decompress(nil, c, data, fuzzLimit)
		if err == nil && len(out) > fuzzLimit {
			t.Fatalf("%s: %d bytes over the limit", c, len(out))
		}
		if c > CodecZstd || len(data) > 4<<10 {
			return
		}
		// Whatever the bytes, compressing them must round-trip.
		comp, err := Compress(nil, c, data)
		if err != nil {
			t.Fatalf("%s compress: %v", c, err)
		}
		back, err := decompress(nil, c, comp, fuzzLimit)
		if err != nil || !bytes.Equal(back, data) {
			t.Fatalf("%s round trip: %v", c, err)
		}
	})
}
