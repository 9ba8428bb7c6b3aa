package cleaner

import (
	"fmt"
	"testing"
	"time"

	"github.com/gofka/gofka/internal/storage"
)

// write appends one batch per record (so every record can be cleaned on
// its own) and rolls, returning the offset of each record.
func write(t *testing.T, l *storage.Log, clk *clock, recs ...rec) []int64 {
	t.Helper()
	var offs []int64
	for _, r := range recs {
		offs = append(offs, appendB(t, l, build(t, clk.Now().UnixMilli(), []rec{r}, batchOpts{})).FirstOffset)
	}
	if err := l.Roll(); err != nil {
		t.Fatal(err)
	}
	return offs
}

func kv(k, v string) rec { return rec{key: []byte(k), val: []byte(v)} }
func tomb(k string) rec  { return rec{key: []byte(k)} }

func cleanAll(t *testing.T, c *Cleaner) int {
	t.Helper()
	n := 0
	for {
		cleaned, _, err := c.CleanOnce()
		if err != nil {
			t.Fatal(err)
		}
		if !cleaned {
			return n
		}
		n++
	}
}

func keysOf(rs []readRec) string {
	s := ""
	for _, r := range rs {
		v := r.val
		if r.null {
			v = "<nil>"
		}
		k := r.key
		if r.control {
			k, v = "", "marker"
		}
		s += fmt.Sprintf("%d:%s=%s ", r.off, k, v)
	}
	return s
}

// TestTombstonesExpire: a tombstone is kept (with a delete horizon) by the
// first pass and removed by the first pass after delete.retention.ms.
func TestTombstonesExpire(t *testing.T) {
	clk := newClock()
	l := openLog(t, t.TempDir(), clk, 1<<20)
	defer l.Close()
	write(t, l, clk, kv("a", "1"), kv("b", "1"), kv("a", "2"), tomb("b"), kv("c", "1"))
	pol := Policy{MinCleanableDirtyRatio: 0.01, DeleteRetentionMs: 60_000}
	c := newTestCleaner(l, clk, pol, 1<<16)
	cleanAll(t, c)
	got := readAll(t, l)
	if s := keysOf(got); s != "2:a=2 3:b=<nil> 4:c=1 " {
		t.Fatalf("after first pass: %s", s)
	}
	if !got[1].horizon {
		t.Fatal("tombstone batch has no delete horizon")
	}
	clk.Advance(59 * time.Second)
	if n := cleanAll(t, c); n != 0 {
		t.Fatalf("%d passes before the horizon", n)
	}
	clk.Advance(2 * time.Second)
	if n := cleanAll(t, c); n != 1 {
		t.Fatalf("%d passes after the horizon, want 1 (expired tombstones make a log cleanable)", n)
	}
	if s := keysOf(readAll(t, l)); s != "2:a=2 4:c=1 " {
		t.Fatalf("after the horizon: %s", s)
	}
}

// TestTransactions: aborted data is dropped, committed data compacted, and
// a marker stays until its transaction is empty and its horizon passed.
func TestTransactions(t *testing.T) {
	clk := newClock()
	l := openLog(t, t.TempDir(), clk, 1<<20)
	defer l.Close()
	ts := clk.Now().UnixMilli()
	appendB(t, l, build(t, ts, []rec{kv("a", "aborted")}, batchOpts{pid: 7, txn: true}))
	appendB(t, l, build(t, ts, []rec{kv("x", "plain")}, batchOpts{}))
	appendB(t, l, marker(t, ts, 7, false))
	appendB(t, l, build(t, ts, []rec{kv("b", "committed")}, batchOpts{pid: 7, txn: true}))
	appendB(t, l, marker(t, ts, 7, true))
	appendB(t, l, build(t, ts, []rec{kv("c", "open")}, batchOpts{pid: 8, txn: true}))
	appendB(t, l, build(t, ts, []rec{kv("c", "later")}, batchOpts{}))
	if err := l.Roll(); err != nil {
		t.Fatal(err)
	}
	pol := Policy{MinCleanableDirtyRatio: 0.01, DeleteRetentionMs: 1000}
	c := newTestCleaner(l, clk, pol, 1<<16)
	cleanAll(t, c)
	// The open transaction of producer 8 (offset 5) bounds the range:
	// "c=open" is not replaced by "c=later" yet.
	want := "1:x=plain 2:=marker 3:b=committed 4:=marker 5:c=open 6:c=later "
	if s := keysOf(readAll(t, l)); s != want {
		t.Fatalf("got  %s\nwant %s", s, want)
	}
	appendB(t, l, marker(t, ts, 8, true))
	appendB(t, l, build(t, ts, []rec{kv("b", "new")}, batchOpts{}))
	write(t, l, clk)
	clk.Advance(2 * time.Second)
	cleanAll(t, c)
	clk.Advance(2 * time.Second)
	cleanAll(t, c)
	// Both transactions of producer 7 are now empty: their markers went
	// after delete.retention.ms; producer 8's marker still covers c=open?
	// No: c=later replaced it, so that marker went too.
	want = "1:x=plain 6:c=later 8:b=new "
	if s := keysOf(readAll(t, l)); s != want {
		t.Fatalf("got  %s\nwant %s", s, want)
	}
}

// TestSmallMapManyPasses: a map smaller than the key set still converges
// to one record per key over several passes.
func TestSmallMapManyPasses(t *testing.T) {
	clk := newClock()
	l := openLog(t, t.TempDir(), clk, 4<<10)
	defer l.Close()
	latest := map[string]int64{}
	for round := range 5 {
		for k := range 200 {
			key := fmt.Sprintf("k%03d", k)
			res := appendB(t, l, build(t, clk.Now().UnixMilli(), []rec{kv(key, fmt.Sprint(round))}, batchOpts{}))
			latest[key] = res.FirstOffset
		}
	}
	if err := l.Roll(); err != nil {
		t.Fatal(err)
	}
	c := newTestCleaner(l, clk, Policy{MinCleanableDirtyRatio: 0.01}, 24*100)
	if n := cleanAll(t, c); n < 2 {
		t.Fatalf("%d passes with a 90-key map", n)
	}
	got := readAll(t, l)
	if len(got) != 200 {
		t.Fatalf("%d records, want 200", len(got))
	}
	for _, r := range got {
		if latest[r.key] != r.off {
			t.Fatalf("%s at %d, latest %d", r.key, r.off, latest[r.key])
		}
	}
}

// TestCompactionLags: min.compaction.lag.ms keeps young segments dirty;
// max.compaction.lag.ms forces a pass below the dirty ratio.
func TestCompactionLags(t *testing.T) {
	clk := newClock()
	l := openLog(t, t.TempDir(), clk, 1<<20)
	defer l.Close()
	write(t, l, clk, kv("a", "1"), kv("a", "2"))
	c := newTestCleaner(l, clk, Policy{MinCleanableDirtyRatio: 0.01, MinCompactionLagMs: 10_000}, 1<<16)
	if n := cleanAll(t, c); n != 0 {
		t.Fatalf("cleaned a segment inside min.compaction.lag.ms")
	}
	clk.Advance(11 * time.Second)
	if n := cleanAll(t, c); n != 1 {
		t.Fatalf("%d passes after the lag", n)
	}
	write(t, l, clk, kv("b", "1"))
	c = newTestCleaner(l, clk, Policy{MinCleanableDirtyRatio: 0.99, MaxCompactionLagMs: 5_000}, 1<<16)
	if n := cleanAll(t, c); n != 0 {
		t.Fatal("cleaned below the dirty ratio")
	}
	clk.Advance(6 * time.Second)
	if n := cleanAll(t, c); n != 1 {
		t.Fatalf("max.compaction.lag.ms did not force a pass")
	}
}
