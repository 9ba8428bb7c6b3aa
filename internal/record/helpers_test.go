package record

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"strings"
	"testing"
)

var allCodecs = []Codec{CodecNone, CodecGzip, CodecSnappy, CodecLZ4, CodecZstd}

const (
	testBaseOffset = 100
	testBaseTime   = 1700000000000
)

// sampleRecords covers null and empty keys and values, headers with null
// and empty values, timestamps before the base, and a value large enough
// to span several lz4 and snappy blocks.
func sampleRecords() []Record {
	big := []byte(strings.Repeat("gofka record batch ", 8000)) // ~150 KiB
	return []Record{
		{Offset: 100, Timestamp: testBaseTime, Key: []byte("k0"), Value: []byte("v0")},
		{Offset: 101, Timestamp: testBaseTime + 5, Key: nil, Value: []byte{}},
		{Attributes: 0, Offset: 102, Timestamp: testBaseTime - 10, Key: []byte{}, Value: nil,
			Headers: []RecordHeader{{Key: "h1", Value: []byte("x")}, {Key: "", Value: nil}, {Key: "e", Value: []byte{}}}},
		{Offset: 103, Timestamp: testBaseTime + 5, Key: bytes.Repeat([]byte("K"), 300), Value: big},
	}
}

// buildSample builds sampleRecords into one batch with codec c.
func buildSample(t testing.TB, c Codec) []byte {
	t.Helper()
	b := NewBuilder(c, testBaseOffset, testBaseTime)
	b.SetProducer(7, 2, 11)
	b.SetPartitionLeaderEpoch(9)
	for _, r := range sampleRecords() {
		b.Add(r)
	}
	out, err := b.Build(nil)
	if err != nil {
		t.Fatalf("build %s: %v", c, err)
	}
	return out
}

// smallBatch builds an uncompressed batch of n small records.
func smallBatch(t testing.TB, n int) []byte {
	t.Helper()
	b := NewBuilder(CodecNone, 0, testBaseTime)
	for i := range n {
		b.Add(Record{Offset: int64(i), Timestamp: testBaseTime + int64(i), Key: []byte{byte('a' + i)}, Value: []byte("value")})
	}
	out, err := b.Build(nil)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// testCRC is an independent CRC-32C, so tests do not trust ComputeCRC.
func testCRC(batch []byte) uint32 {
	return crc32.Checksum(batch[21:], crc32.MakeTable(crc32.Castagnoli))
}

// fixCRC recomputes the CRC of a mutated batch.
func fixCRC(batch []byte) []byte {
	binary.BigEndian.PutUint32(batch[17:], testCRC(batch))
	return batch
}

// cloneRecord deep-copies r, keeping nil and empty apart.
func cloneRecord(r *Record) Record {
	c := *r
	c.Key, c.Value = bytes.Clone(r.Key), bytes.Clone(r.Value)
	c.Headers = nil
	for _, h := range r.Headers {
		c.Headers = append(c.Headers, RecordHeader{Key: strings.Clone(h.Key), Value: bytes.Clone(h.Value)})
	}
	return c
}

// collect iterates batch and returns deep copies of its records.
func collect(t testing.TB, batch []byte) (Header, []Record) {
	t.Helper()
	var got []Record
	var hdr Header
	_, err := Iterate(batch, nil, func(h *Header, r *Record) error {
		hdr = *h
		got = append(got, cloneRecord(r))
		return nil
	})
	if err != nil {
		t.Fatalf("iterate: %v", err)
	}
	return hdr, got
}

// withLimit sets MaxDecompressed for one test.
func withLimit(t testing.TB, n int) {
	old := MaxDecompressed
	MaxDecompressed = n
	t.Cleanup(func() { MaxDecompressed = old })
}
