package record

import (
	"bytes"
	"encoding/binary"
	"reflect"
	"testing"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// kmsgRecords turns records into franz-go's kmsg.Record, with the deltas
// and lengths a franz-go producer writes.
func kmsgRecords(recs []Record, baseOffset, baseTime int64) []kmsg.Record {
	out := make([]kmsg.Record, len(recs))
	for i, r := range recs {
		k := kmsg.Record{
			Attributes: r.Attributes, TimestampDelta64: r.Timestamp - baseTime,
			OffsetDelta: int32(r.Offset - baseOffset), Key: r.Key, Value: r.Value,
		}
		for _, h := range r.Headers {
			k.Headers = append(k.Headers, kmsg.Header{Key: h.Key, Value: h.Value})
		}
		k.Length = int32(len(k.AppendTo(nil)) - 1) // body size; Length 0 took one byte
		out[i] = k
	}
	return out
}

// kmsgBatch encodes recs as franz-go would produce them: records appended
// by kmsg.Record, compressed by franz-go's compressor, the batch by
// kmsg.RecordBatch, with an independent CRC-32C.
func kmsgBatch(t testing.TB, c Codec, recs []kmsg.Record, mod func(*kmsg.RecordBatch)) []byte {
	t.Helper()
	var raw []byte
	for i := range recs {
		raw = recs[i].AppendTo(raw)
	}
	if c != CodecNone {
		comp, err := kgo.DefaultCompressor([]kgo.CompressionCodec{{}, kgo.GzipCompression(),
			kgo.SnappyCompression(), kgo.Lz4Compression(), kgo.ZstdCompression()}[c])
		if err != nil {
			t.Fatal(err)
		}
		raw, _ = comp.Compress(new(bytes.Buffer), raw)
	}
	b := kmsg.RecordBatch{
		FirstOffset: testBaseOffset, PartitionLeaderEpoch: -1, Magic: 2, Attributes: int16(c),
		LastOffsetDelta: int32(len(recs) - 1), FirstTimestamp: testBaseTime, MaxTimestamp: testBaseTime + 5,
		ProducerID: -1, ProducerEpoch: -1, FirstSequence: -1, NumRecords: int32(len(recs)), Records: raw,
	}
	if mod != nil {
		mod(&b)
	}
	out := b.AppendTo(nil)
	binary.BigEndian.PutUint32(out[8:], uint32(len(out)-12))
	return fixCRC(out)
}

// TestKmsgToRecord validates and iterates batches franz-go produces.
func TestKmsgToRecord(t *testing.T) {
	want := sampleRecords()
	for _, c := range allCodecs {
		batch := kmsgBatch(t, c, kmsgRecords(want, testBaseOffset, testBaseTime), nil)
		info, _, err := Validate(batch, nil)
		if err != nil {
			t.Fatalf("%s: validate: %v", c, err)
		}
		if info.NumRecords != 4 || info.MaxTimestamp != testBaseTime+5 || info.OffsetOfMaxTs != 1 ||
			info.MinTimestamp != testBaseTime-10 || !info.NullKey || info.Header.Codec() != c {
			t.Errorf("%s: info %+v", c, info)
		}
		_, got := collect(t, batch)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: records differ\n got %+v\nwant %+v", c, got, want)
		}
	}
}

// TestRecordToKmsg decodes Builder batches with kmsg and franz-go's
// decompressor.
func TestRecordToKmsg(t *testing.T) {
	want := sampleRecords()
	dec := kgo.DefaultDecompressor()
	for _, c := range allCodecs {
		batch := buildSample(t, c)
		var kb kmsg.RecordBatch
		if err := kb.ReadFrom(batch); err != nil {
			t.Fatalf("%s: kmsg ReadFrom: %v", c, err)
		}
		if uint32(kb.CRC) != testCRC(batch) || int(kb.Length) != len(batch)-12 {
			t.Fatalf("%s: CRC %08x want %08x, length %d", c, uint32(kb.CRC), testCRC(batch), kb.Length)
		}
		wantHdr := kmsg.RecordBatch{
			FirstOffset: testBaseOffset, Length: kb.Length, PartitionLeaderEpoch: 9, Magic: 2, CRC: kb.CRC,
			Attributes: int16(c), LastOffsetDelta: 3, FirstTimestamp: testBaseTime, MaxTimestamp: testBaseTime + 5,
			ProducerID: 7, ProducerEpoch: 2, FirstSequence: 11, NumRecords: 4, Records: kb.Records,
		}
		if !reflect.DeepEqual(kb, wantHdr) {
			t.Fatalf("%s: batch\n got %+v\nwant %+v", c, kb, wantHdr)
		}
		raw, err := dec.Decompress(kb.Records, kgo.CompressionCodecType(c))
		if err != nil {
			t.Fatalf("%s: franz-go decompress: %v", c, err)
		}
		checkKmsgRecords(t, c, raw, kmsgRecords(want, testBaseOffset, testBaseTime))
	}
}

// checkKmsgRecords reads records with kmsg.Record.ReadFrom and compares.
func checkKmsgRecords(t *testing.T, c Codec, raw []byte, want []kmsg.Record) {
	t.Helper()
	for i := range want {
		var r kmsg.Record
		if err := r.ReadFrom(raw); err != nil {
			t.Fatalf("%s: record %d: %v", c, i, err)
		}
		r.TimestampDelta = 0 // ReadFrom fills the legacy field too
		w := want[i]
		if !reflect.DeepEqual(r, w) {
			t.Fatalf("%s: record %d\n got %+v\nwant %+v", c, i, r, w)
		}
		raw = raw[sizeVarint(r.Length)+int(r.Length):]
	}
	if len(raw) != 0 {
		t.Fatalf("%s: %d bytes after the records", c, len(raw))
	}
}
