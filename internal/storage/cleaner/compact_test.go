package cleaner

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gofka/gofka/internal/record"
	"github.com/gofka/gofka/internal/storage"
)

// updates is the acceptance size: 1,000,000 updates over 1,000 keys; -short
// (make test-unit) runs a tenth.
func updates(t *testing.T) (total, keys int) {
	if testing.Short() {
		return 100_000, 1_000
	}
	return 1_000_000, 1_000
}

// TestCompactionAcceptance writes many updates of few keys, cleans while
// a reader re-reads the log, and checks that the latest value of every key
// is there at its original offset and nothing else.
func TestCompactionAcceptance(t *testing.T) {
	total, keys := updates(t)
	clk := newClock()
	l := openLog(t, t.TempDir(), clk, 1<<20)
	defer l.Close()
	latest := make(map[string]int64, keys)
	const perBatch = 2000
	for i := 0; i < total; i += perBatch {
		recs := make([]rec, 0, perBatch)
		for j := i; j < i+perBatch; j++ {
			k := fmt.Sprintf("k%04d", j%keys)
			recs = append(recs, rec{key: []byte(k), val: fmt.Appendf(nil, "%d", j)})
		}
		res := appendB(t, l, build(t, clk.Now().UnixMilli(), recs, batchOpts{codec: codecFor(i)}))
		for j := range recs {
			latest[string(recs[j].key)] = res.FirstOffset + int64(j)
		}
	}
	if err := l.Roll(); err != nil {
		t.Fatal(err)
	}
	sizeBefore := l.Size()
	c := newTestCleaner(l, clk, Policy{MinCleanableDirtyRatio: 0.5}, 1<<20)
	stop := startReader(t, l)
	passes := 0
	for {
		cleaned, st, err := c.CleanOnce()
		if err != nil {
			t.Fatal(err)
		}
		if !cleaned {
			break
		}
		passes++
		t.Logf("pass %d: %+v", passes, st)
	}
	stop()
	got := readAll(t, l)
	if len(got) != keys {
		t.Fatalf("%d records after cleaning, want %d", len(got), keys)
	}
	for _, r := range got {
		if latest[r.key] != r.off || r.val != fmt.Sprint(r.off) {
			t.Fatalf("key %s at %d value %s; latest is %d", r.key, r.off, r.val, latest[r.key])
		}
	}
	t.Logf("%d updates over %d keys: %d passes, %d -> %d bytes, %d segments", total, keys, passes, sizeBefore, l.Size(), l.NumSegments())
	checkTombstones(t, l, clk, c, keys)
}

// checkTombstones deletes a tenth of the keys; the tombstones stay for
// delete.retention.ms (the test policy's 0 is replaced by one hour) and
// are gone after it.
func checkTombstones(t *testing.T, l *storage.Log, clk *clock, c *Cleaner, keys int) {
	c.src.Policy = func(*storage.Log) (Policy, bool) {
		return Policy{MinCleanableDirtyRatio: 0.01, DeleteRetentionMs: 3_600_000}, true
	}
	var recs []rec
	for k := 0; k < keys; k += 10 {
		recs = append(recs, tomb(fmt.Sprintf("k%04d", k)))
	}
	appendB(t, l, build(t, clk.Now().UnixMilli(), recs, batchOpts{}))
	if err := l.Roll(); err != nil {
		t.Fatal(err)
	}
	cleanAll(t, c)
	if got := readAll(t, l); len(got) != keys {
		t.Fatalf("%d records with tombstones inside delete.retention.ms, want %d", len(got), keys)
	}
	clk.Advance(time.Hour + time.Second)
	cleanAll(t, c)
	got := readAll(t, l)
	if len(got) != keys-len(recs) {
		t.Fatalf("%d records after delete.retention.ms, want %d", len(got), keys-len(recs))
	}
	for _, r := range got {
		if r.null {
			t.Fatalf("tombstone for %s still there", r.key)
		}
	}
}

// codecFor mixes compressed and plain batches.
func codecFor(i int) record.Codec {
	if (i/2000)%3 == 0 {
		return record.CodecZstd
	}
	return record.CodecNone
}

// startReader re-reads the log from its start until stopped and fails the
// test if a pass ever shows offsets out of order or a value that is not
// the one written at its offset.
func startReader(t *testing.T, l *storage.Log) func() {
	var stop atomic.Bool
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for !stop.Load() {
			recs, err := readLog(l)
			if err != nil {
				t.Errorf("reader: %v", err)
				return
			}
			for _, r := range recs {
				if !r.null && r.val != fmt.Sprint(r.off) {
					t.Errorf("reader: offset %d holds %q", r.off, r.val)
					return
				}
			}
		}
	}()
	return func() { stop.Store(true); wg.Wait() }
}
