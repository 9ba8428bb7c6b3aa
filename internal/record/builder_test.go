package record

import (
	"bytes"
	"encoding/hex"
	"flag"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/twmb/franz-go/pkg/kmsg"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// goldenBatch builds the fixed batch pinned in testdata/.
func goldenBatch(t testing.TB) []byte {
	b := NewBuilder(CodecNone, 1000, 1700000000000)
	b.SetProducer(4242, 3, 17)
	b.SetPartitionLeaderEpoch(5)
	b.SetTransactional(true)
	b.Add(Record{Offset: 1000, Timestamp: 1700000000000, Key: []byte("key"), Value: []byte("value")})
	b.Add(Record{Offset: 1001, Timestamp: 1700000000123, Key: nil, Value: []byte("v2"),
		Headers: []RecordHeader{{Key: "trace", Value: []byte{1, 2}}, {Key: "n", Value: nil}}})
	b.Add(Record{Offset: 1002, Timestamp: 1699999999000, Key: []byte{}, Value: nil})
	out, err := b.Build(nil)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestGolden pins the exact bytes of a small uncompressed batch, and
// checks the file independently through kmsg and CRC-32C.
func TestGolden(t *testing.T) {
	path := filepath.Join("testdata", "batch_v2_uncompressed.hex")
	got := goldenBatch(t)
	if *update {
		if err := os.WriteFile(path, []byte(hex.Dump(got)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	file, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := undump(t, file)
	if !bytes.Equal(got, want) {
		t.Fatalf("batch bytes differ from %s (go test -update to rewrite)\n got:\n%s", path, hex.Dump(got))
	}
	var kb kmsg.RecordBatch
	if err := kb.ReadFrom(want); err != nil || uint32(kb.CRC) != testCRC(want) {
		t.Fatalf("golden file: kmsg %v, CRC %08x vs %08x", err, uint32(kb.CRC), testCRC(want))
	}
	if kb.FirstOffset != 1000 || kb.ProducerID != 4242 || kb.FirstSequence != 17 || kb.Attributes != 0x10 ||
		kb.NumRecords != 3 || kb.LastOffsetDelta != 2 || kb.MaxTimestamp != 1700000000123 {
		t.Fatalf("golden header %+v", kb)
	}
}

// undump parses the output of hex.Dump.
func undump(t *testing.T, dump []byte) []byte {
	var out []byte
	for _, line := range bytes.Split(dump, []byte("\n")) {
		if len(line) < 10 {
			continue
		}
		hexPart := line[10:min(len(line), 58)]
		b, err := hex.DecodeString(string(bytes.ReplaceAll(hexPart, []byte(" "), nil)))
		if err != nil {
			t.Fatalf("bad dump line %q: %v", line, err)
		}
		out = append(out, b...)
	}
	return out
}

func TestBuilderRoundTrip(t *testing.T) {
	for _, c := range allCodecs {
		batch := buildSample(t, c)
		if _, _, err := Validate(batch, nil); err != nil {
			t.Fatalf("%s: %v", c, err)
		}
		h, got := collect(t, batch)
		if !reflect.DeepEqual(got, sampleRecords()) {
			t.Errorf("%s: records differ", c)
		}
		if h.ProducerID != 7 || h.ProducerEpoch != 2 || h.BaseSequence != 11 || h.PartitionLeaderEpoch != 9 {
			t.Errorf("%s: header %+v", c, h)
		}
	}
}

func TestBuilderResetAndErrors(t *testing.T) {
	b := NewBuilder(CodecZstd, 10, 0)
	if _, err := b.Build(nil); err == nil {
		t.Error("empty batch built")
	}
	b.Add(Record{Offset: 10})
	b.Add(Record{Offset: 10})
	if _, err := b.Build(nil); err == nil {
		t.Error("repeated offset accepted")
	}
	b.Reset(CodecNone, 10, 0)
	b.Add(Record{Offset: 9})
	if _, err := b.Build(nil); err == nil {
		t.Error("offset below base accepted")
	}
	b.Reset(CodecNone, 0, 0)
	b.Add(Record{Offset: math.MaxInt32 + 1})
	if _, err := b.Build(nil); err == nil {
		t.Error("offset delta over int32 accepted")
	}
	b.Reset(Codec(6), 0, 0)
	b.Add(Record{Offset: 0})
	if _, err := b.Build(nil); err == nil {
		t.Error("codec 6 built")
	}
	b.Reset(CodecGzip, 50, 7)
	b.SetProducer(1, 1, 1)
	b.Reset(CodecNone, 0, 0)
	b.Add(Record{Offset: 0, Timestamp: 3})
	b.Add(Record{Offset: 2, Timestamp: 1}) // gaps are allowed, as after compaction
	if b.Len() != 2 {
		t.Fatalf("Len %d", b.Len())
	}
	prefix := []byte("xyz")
	out, err := b.Build(prefix)
	if err != nil || !bytes.HasPrefix(out, prefix) {
		t.Fatalf("build after reset: %v", err)
	}
	h, _ := ParseHeader(out[3:])
	if h.ProducerID != -1 || h.BaseSequence != -1 || h.LastOffsetDelta != 2 || h.MaxTimestamp != 3 || h.Codec() != CodecNone {
		t.Errorf("reset kept settings: %+v", h)
	}
}
