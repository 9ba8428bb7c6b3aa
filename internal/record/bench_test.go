package record

import (
	"bytes"
	"testing"
)

// benchBatch is 100 records of 1 KiB values, uncompressed.
func benchBatch(t testing.TB) []byte {
	b := NewBuilder(CodecNone, 0, testBaseTime)
	val := bytes.Repeat([]byte("v"), 1024)
	for i := range 100 {
		b.Add(Record{Offset: int64(i), Timestamp: testBaseTime + int64(i), Key: []byte("key"), Value: val,
			Headers: []RecordHeader{{Key: "h", Value: []byte("x")}}})
	}
	out, err := b.Build(nil)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func BenchmarkValidate(b *testing.B) {
	batch := benchBatch(b)
	var scratch []byte
	b.ReportAllocs()
	b.SetBytes(int64(len(batch)))
	for b.Loop() {
		var err error
		if _, scratch, err = Validate(batch, scratch); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkIterate(b *testing.B) {
	batch := benchBatch(b)
	var scratch []byte
	n := 0
	fn := func(_ *Header, r *Record) error { n += len(r.Value) + len(r.Headers); return nil }
	b.ReportAllocs()
	b.SetBytes(int64(len(batch)))
	for b.Loop() {
		var err error
		if scratch, err = Iterate(batch, scratch, fn); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkValidateCompressed(b *testing.B) {
	for _, c := range allCodecs[1:] {
		b.Run(c.String(), func(b *testing.B) {
			batch, _, err := Recompress(nil, benchBatch(b), c, nil)
			if err != nil {
				b.Fatal(err)
			}
			var scratch []byte
			b.ReportAllocs()
			for b.Loop() {
				if _, scratch, err = Validate(batch, scratch); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkValidateSmall is the produce hot case: 5000 records of 100 B
// values, no key, no headers, as a batching producer sends them. The
// batches cycle through 64 copies (34 MB, more than the CPU's caches), as
// the frames of a busy broker arrive from the socket.
func BenchmarkValidateSmall(b *testing.B) {
	bl := NewBuilder(CodecNone, 0, testBaseTime)
	val := bytes.Repeat([]byte("v"), 100)
	for i := range 5000 {
		bl.Add(Record{Offset: int64(i), Timestamp: testBaseTime, Value: val})
	}
	batch, err := bl.Build(nil)
	if err != nil {
		b.Fatal(err)
	}
	copies := make([][]byte, 64)
	for i := range copies {
		copies[i] = bytes.Clone(batch)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(batch)))
	i := 0
	for b.Loop() {
		if _, _, err := Validate(copies[i%len(copies)], nil); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*5000), "ns/record")
}
