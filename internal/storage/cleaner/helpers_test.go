package cleaner

import (
	"encoding/binary"
	"fmt"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/gofka/gofka/internal/record"
	"github.com/gofka/gofka/internal/storage"
	"github.com/gofka/gofka/internal/storage/checkpoint"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var testTP = checkpoint.TopicPartition{Topic: "compacted", Partition: 0}

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.UnixMilli(1_700_000_000_000)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// openLog opens a log with small segments.
func openLog(t *testing.T, dir string, clk *clock, segBytes int64) *storage.Log {
	t.Helper()
	cfg := storage.DefaultConfig()
	cfg.SegmentBytes, cfg.FileDeleteDelayMs = segBytes, 0
	l, err := storage.Open(dir, testTP, storage.Options{Config: cfg, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// rec is one record to write: key, value (nil = tombstone).
type rec struct {
	key, val []byte
}

// batchOpts qualify a built batch.
type batchOpts struct {
	pid          int64
	txn, control bool
	codec        record.Codec
}

// build builds one batch of recs (offsets assigned by Append).
func build(t testing.TB, ts int64, recs []rec, o batchOpts) []byte {
	t.Helper()
	b := record.NewBuilder(o.codec, 0, ts)
	if o.pid > 0 {
		b.SetProducer(o.pid, 0, 0)
	}
	b.SetTransactional(o.txn || o.control)
	b.SetControl(o.control)
	for i, r := range recs {
		b.Add(record.Record{Offset: int64(i), Timestamp: ts, Key: r.key, Value: r.val})
	}
	out, err := b.Build(nil)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// marker is a transaction marker batch.
func marker(t testing.TB, ts, pid int64, commit bool) []byte {
	key := make([]byte, 4)
	if commit {
		binary.BigEndian.PutUint16(key[2:], controlCommit)
	}
	return build(t, ts, []rec{{key: key, val: []byte{0, 0, 0, 0, 0, 0}}}, batchOpts{pid: pid, control: true})
}

func appendB(t testing.TB, l *storage.Log, b []byte) storage.AppendResult {
	t.Helper()
	res, err := l.Append(b, storage.AppendOptions{})
	if err != nil {
		t.Fatal(err)
	}
	l.SetHighWatermark(l.LogEndOffset())
	return res
}

// readRec is one record read back.
type readRec struct {
	off      int64
	key, val string
	null     bool
	control  bool
	horizon  bool
}

// readAll reads every record from the log start, checking that batches
// and offsets strictly increase.
func readAll(t testing.TB, l *storage.Log) []readRec {
	t.Helper()
	out, err := readLog(l)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func readLog(l *storage.Log) ([]readRec, error) {
	var out []readRec
	var scratch []byte
	off, last := l.LogStartOffset(), int64(-1)
	for off < l.LogEndOffset() {
		sl, err := l.Read(off, 1<<20, l.LogEndOffset(), true)
		if err != nil {
			return nil, fmt.Errorf("read %d: %w", off, err)
		}
		if sl.Size == 0 {
			break
		}
		buf := make([]byte, sl.Size)
		if _, err := sl.File.ReadAt(buf, sl.Pos); err != nil {
			return nil, fmt.Errorf("read %d: %w", off, err)
		}
		err = record.Split(buf, func(b []byte) error {
			if err := record.CheckCRC(b); err != nil {
				return err
			}
			h, _ := record.ParseHeader(b)
			off = h.LastOffset() + 1
			scratch, err = record.Iterate(b, scratch, func(h *record.Header, r *record.Record) error {
				if r.Offset <= last {
					return fmt.Errorf("offset %d after %d", r.Offset, last)
				}
				last = r.Offset
				out = append(out, readRec{off: r.Offset, key: string(r.Key), val: string(r.Value),
					null: r.Value == nil, control: h.Control(), horizon: h.HasDeleteHorizon()})
				return nil
			})
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// newTestCleaner cleans one log with policy pol.
func newTestCleaner(l *storage.Log, clk *clock, pol Policy, mem int64) *Cleaner {
	return New(Config{DedupeBufferSize: mem, Now: clk.Now, IOBufferSize: 64 << 10}, Source{
		Logs:   func() []*storage.Log { return []*storage.Log{l} },
		Policy: func(*storage.Log) (Policy, bool) { return pol, true },
	})
}
