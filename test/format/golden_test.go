package format

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gofka/gofka/internal/record"
	"github.com/gofka/gofka/internal/storage"
	"github.com/gofka/gofka/internal/storage/checkpoint"
	"github.com/gofka/gofka/internal/storage/producerstate"
	"github.com/gofka/gofka/internal/storage/txnindex"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// goldenFiles writes each file kind from fixed inputs and returns the
// bytes by golden file name.
func goldenFiles(t *testing.T) map[string][]byte {
	out := map[string][]byte{}
	dir := t.TempDir()
	now := time.UnixMilli(1_700_000_000_000)
	cfg := storage.DefaultConfig()
	cfg.IndexIntervalBytes = 100
	tp := checkpoint.TopicPartition{Topic: "golden", Partition: 0}
	l, err := storage.Open(filepath.Join(dir, "golden-0"), tp, storage.Options{Config: cfg,
		TopicID: checkpoint.UUID{0: 1, 15: 2}, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 6 {
		b := record.NewBuilder(record.CodecNone, 0, now.UnixMilli()+int64(i))
		b.SetProducer(7, 0, int32(2*i))
		b.Add(record.Record{Offset: 0, Timestamp: now.UnixMilli() + int64(i), Key: []byte{'k', byte('0' + i%3)}, Value: bytes.Repeat([]byte{'v'}, 40),
			Headers: []record.RecordHeader{{Key: "h", Value: []byte{byte(i)}}}})
		b.Add(record.Record{Offset: 1, Timestamp: now.UnixMilli() + int64(i) + 1, Key: []byte("t"), Value: nil})
		batch, err := b.Build(nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := l.Append(batch, storage.AppendOptions{LeaderEpoch: int32(i / 3)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"00000000000000000000.log", "00000000000000000000.index", "00000000000000000000.timeindex",
		"leader-epoch-checkpoint", "partition.metadata"} {
		out[name] = readFile(t, filepath.Join(dir, "golden-0", name))
	}
	offs, err := checkpoint.EncodeOffsets(map[checkpoint.TopicPartition]int64{tp: 12, {Topic: "other", Partition: 3}: 99})
	if err != nil {
		t.Fatal(err)
	}
	out["recovery-point-offset-checkpoint"] = offs
	mp, err := checkpoint.EncodeMetaProperties(checkpoint.MetaProperties{Version: 1, ClusterID: "AAAAAAAAAAAAAAAAAAAAAA", NodeID: 1,
		DirectoryID: checkpoint.UUID{0: 9, 15: 9}}, now)
	if err != nil {
		t.Fatal(err)
	}
	out["meta.properties"] = mp
	out["00000000000000000000.txnindex"] = txnindex.Encode(nil, txnindex.Aborted{ProducerID: 7, FirstOffset: 3, LastOffset: 9, LastStableOffset: 2})
	st := producerstate.New(0)
	st.Append(producerstate.Batch{ProducerID: 7, Epoch: 1, FirstSeq: 0, LastSeq: 4, MaxTimestamp: now.UnixMilli()}, 0, 4)
	st.SetEnd(5)
	out["00000000000000000005.snapshot"] = st.MarshalSnapshot()
	return out
}

func readFile(t *testing.T, path string) []byte {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestGoldenFiles pins the exact bytes of every file kind; -update
// rewrites them. The independent reader decodes each golden file.
func TestGoldenFiles(t *testing.T) {
	for name, got := range goldenFiles(t) {
		path := filepath.Join("testdata", name+".golden")
		if *update {
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want := readFile(t, path)
		if !bytes.Equal(got, want) {
			t.Errorf("%s: bytes differ from %s (%d vs %d bytes); run with -update if the change is intended", name, path, len(got), len(want))
		}
	}
	tmp := t.TempDir()
	for name, b := range goldenFiles(t) {
		p := filepath.Join(tmp, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for name := range goldenFiles(t) {
		if _, err := checkFile(filepath.Join(tmp, name)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestGoldenDecode checks decoded values of the golden files against the
// fixed inputs, so the reader and the bytes agree field by field.
func TestGoldenDecode(t *testing.T) {
	read := func(name string) []byte { return readFile(t, filepath.Join("testdata", name+".golden")) }
	bs, err := decodeLog(read("00000000000000000000.log"))
	if err != nil || len(bs) != 6 {
		t.Fatalf("log: %d batches, %v", len(bs), err)
	}
	b := bs[4]
	if b.baseOffset != 8 || b.leaderEpoch != 1 || b.producerID != 7 || b.baseSequence != 8 || len(b.records) != 2 ||
		string(b.records[0].key) != "k1" || b.records[1].val != nil || b.records[1].offset != 9 || b.maxTimestamp != 1_700_000_000_005 {
		t.Fatalf("batch 4: %+v", b)
	}
	if es, _ := decodeCheckpoint(read("leader-epoch-checkpoint"), 2); len(es) != 2 || es[1][0] != "1" || es[1][1] != "6" {
		t.Fatalf("epochs %v", es)
	}
	if id, err := decodePartitionMetadata(read("partition.metadata")); err != nil || id[0] != 1 || id[15] != 2 {
		t.Fatalf("topic id %x %v", id, err)
	}
	if tx, err := decodeTxnIndex(read("00000000000000000000.txnindex")); err != nil || tx[0] != (abortedTxn{7, 3, 9, 2}) {
		t.Fatalf("txnindex %v %v", tx, err)
	}
	if ps, err := decodeSnapshot(read("00000000000000000005.snapshot")); err != nil || len(ps) != 1 || ps[0].pid != 7 || ps[0].lastSeq != 4 ||
		ps[0].lastOffset != 4 || ps[0].epoch != 1 || ps[0].txnFirstOffset != -1 {
		t.Fatalf("snapshot %+v %v", ps, err)
	}
	if p, err := decodeProperties(read("meta.properties")); err != nil || p["node.id"] != "1" || p["version"] != "1" {
		t.Fatalf("meta.properties %v %v", p, err)
	}
}
