package record

import (
	"bytes"
	"testing"
)

// quickSeeds are record sections: records from the Builder (keys, null
// keys, headers, null header values, large values) and damaged copies.
func quickSeeds(t testing.TB) [][]byte {
	b := NewBuilder(CodecNone, 0, 1000)
	b.Add(Record{Offset: 0, Timestamp: 1000, Key: []byte("k"), Value: []byte("v"),
		Headers: []RecordHeader{{Key: "h", Value: []byte("x")}, {Key: "n"}}})
	b.Add(Record{Offset: 1, Timestamp: 999, Value: bytes.Repeat([]byte("ab"), 100)})
	b.Add(Record{Offset: 2, Timestamp: 5000, Key: []byte{}, Value: nil})
	b.Add(Record{Offset: 3, Timestamp: 1000, Value: make([]byte, 9000)}) // three-byte lengths
	batch, err := b.Build(nil)
	if err != nil {
		t.Fatal(err)
	}
	recs := batch[HeaderSize:]
	out := [][]byte{recs, recs[:len(recs)-1], recs[1:]}
	for _, at := range []int{0, 1, 2, 3, 5} {
		d := bytes.Clone(recs)
		d[at] ^= 0x41
		out = append(out, d)
	}
	return out
}

// TestQuickRecordMatchesParseRecord: the whole record walk gives the same
// Info and error with and without the inline path.
func TestQuickRecordMatchesParseRecord(t *testing.T) {
	if _, _, _, ok := quickRecord(quickSeeds(t)[0], 0); !ok {
		t.Fatal("a plain record with a header took the slow path")
	}
	for _, recs := range quickSeeds(t) {
		checkQuickRecord(t, recs)
	}
}

func FuzzQuickRecord(f *testing.F) {
	for _, s := range quickSeeds(f) {
		f.Add(s, int32(0))
	}
	f.Add([]byte{2, 0, 0, 1, 1, 0}, int32(0))
	f.Add([]byte{0x80, 0x01, 0, 0}, int32(1))
	f.Fuzz(func(t *testing.T, b []byte, i int32) {
		rest, ts, nullKey, ok := quickRecord(b, i)
		if !ok {
			return
		}
		var raw rawRecord
		want, err := parseRecord(b, &raw)
		switch {
		case err != nil:
			t.Fatalf("quickRecord accepted what parseRecord rejects: %v", err)
		case raw.offDelta != i:
			t.Fatalf("quickRecord accepted offset delta %d for %d", raw.offDelta, i)
		case len(rest) != len(want) || ts != raw.tsDelta || nullKey != (raw.key == nil):
			t.Fatalf("quickRecord: rest %d ts %d null %v; parseRecord: rest %d ts %d null %v",
				len(rest), ts, nullKey, len(want), raw.tsDelta, raw.key == nil)
		}
	})
}

// checkQuickRecord walks recs record by record with both decoders.
func checkQuickRecord(t *testing.T, recs []byte) {
	t.Helper()
	for i := int32(0); len(recs) > 0; i++ {
		rest, ts, nullKey, ok := quickRecord(recs, i)
		var raw rawRecord
		want, err := parseRecord(recs, &raw)
		if err == nil && raw.offDelta != i {
			err = invalidf("offset delta")
		}
		if !ok {
			if err != nil {
				return
			}
			recs = want // a record quickRecord leaves to parseRecord
			continue
		}
		if err != nil || len(rest) != len(want) || ts != raw.tsDelta || nullKey != (raw.key == nil) {
			t.Fatalf("record %d: quick (%d, %d, %v), full (%d, %d, %v, %v)", i, len(rest), ts, nullKey, len(want), raw.tsDelta, raw.key == nil, err)
		}
		recs = rest
	}
}
