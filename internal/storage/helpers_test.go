package storage

import (
	"bytes"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"
	"go.uber.org/goleak"

	"github.com/gofka/gofka/internal/record"
	"github.com/gofka/gofka/internal/storage/checkpoint"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var testTP = checkpoint.TopicPartition{Topic: "orders", Partition: 3}

// makeBatch builds a valid RecordBatch v2 of n records with valSize-byte
// values; the first record has timestamp firstTs, the last maxTs.
func makeBatch(n int, firstTs, maxTs int64, valSize int) []byte {
	var recs []byte
	for i := 0; i < n; i++ {
		r := kmsg.Record{OffsetDelta: int32(i), Value: bytes.Repeat([]byte{byte('a' + i%26)}, valSize)}
		if i == n-1 {
			r.TimestampDelta64 = maxTs - firstTs
		}
		body := r.AppendTo(nil)[1:] // Length 0 encodes as one byte
		r.Length = int32(len(body))
		recs = r.AppendTo(recs)
	}
	b := kmsg.RecordBatch{
		FirstOffset: 0, Magic: 2, LastOffsetDelta: int32(n - 1),
		FirstTimestamp: firstTs, MaxTimestamp: maxTs,
		ProducerID: -1, ProducerEpoch: -1, FirstSequence: -1,
		NumRecords: int32(n), Records: recs,
	}
	b.Length = int32(record.HeaderSize - record.LogOverhead + len(recs))
	out := b.AppendTo(nil)
	// kmsg writes the CRC as given; compute it over attributes..end.
	crc := record.ComputeCRC(out)
	out[17], out[18], out[19], out[20] = byte(crc>>24), byte(crc>>16), byte(crc>>8), byte(crc)
	return out
}

// fakeClock is a settable clock for tests.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock { return &fakeClock{t: time.UnixMilli(1_700_000_000_000)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// testConfig is a small-segment config for tests.
func testConfig() Config {
	c := DefaultConfig()
	c.SegmentBytes = 4096
	c.SegmentIndexBytes = 1024
	c.IndexIntervalBytes = 256
	c.FileDeleteDelayMs = 0
	return c
}

func openTest(t testing.TB, dir string, c Config, mod ...func(*Options)) *Log {
	t.Helper()
	o := Options{Config: c}
	for _, f := range mod {
		f(&o)
	}
	l, err := Open(dir, testTP, o)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return l
}

func mustAppend(t testing.TB, l *Log, b []byte, o AppendOptions) AppendResult {
	t.Helper()
	res, err := l.Append(b, o)
	if err != nil {
		t.Fatalf("Append: %v", err)
	}
	return res
}

// readSlice reads a slice's bytes.
func readSlice(t testing.TB, s Slice) []byte {
	t.Helper()
	if s.Size == 0 {
		return nil
	}
	b := make([]byte, s.Size)
	if _, err := s.File.ReadAt(b, s.Pos); err != nil {
		t.Fatalf("ReadAt: %v", err)
	}
	return b
}

// batchesIn lists the (base offset, last offset) of the batches in b.
func batchesIn(t testing.TB, b []byte) [][2]int64 {
	t.Helper()
	var out [][2]int64
	if err := record.Split(b, func(batch []byte) error {
		h, err := record.ParseHeader(batch)
		if err != nil {
			return err
		}
		if err := record.CheckCRC(batch); err != nil {
			return err
		}
		out = append(out, [2]int64{h.BaseOffset, h.LastOffset()})
		return nil
	}); err != nil {
		t.Fatalf("split: %v", err)
	}
	return out
}

func segFiles(t testing.TB, dir, suffix string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "*"+suffix))
	if err != nil {
		t.Fatal(err)
	}
	for i := range m {
		m[i] = filepath.Base(m[i])
	}
	return m
}

func fileBytes(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
