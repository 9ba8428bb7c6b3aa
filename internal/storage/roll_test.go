package storage

import (
	"slices"
	"testing"
	"time"
)

func TestRollOnSegmentBytes(t *testing.T) {
	dir := t.TempDir()
	c := testConfig()
	c.SegmentBytes = 1000
	l := openTest(t, dir, c)
	defer l.Close()
	b := makeBatch(1, 1, 1, 200) // 270 bytes
	if len(b) != 270 {
		t.Fatalf("batch size %d", len(b))
	}
	for i := 0; i < 10; i++ {
		mustAppend(t, l, slices.Clone(b), AppendOptions{})
	}
	// 3 batches (810 bytes) fit; the 4th would pass 1000 bytes.
	want := []string{"00000000000000000000.log", "00000000000000000003.log", "00000000000000000006.log", "00000000000000000009.log"}
	if got := segFiles(t, dir, ".log"); !slices.Equal(got, want) {
		t.Fatalf("segments %v, want %v", got, want)
	}
	if l.NumSegments() != 4 || l.Size() != 10*270 {
		t.Fatalf("segments %d size %d", l.NumSegments(), l.Size())
	}
	// Rolled segments' indexes are trimmed; the active one is preallocated.
	if n := len(fileBytes(t, dir+"/00000000000000000000.timeindex")); n != 12 {
		t.Fatalf("rolled timeindex %d bytes, want one final entry", n)
	}
	if n := len(fileBytes(t, dir+"/00000000000000000009.index")); n != 1024 {
		t.Fatalf("active index %d bytes, want preallocated 1024", n)
	}
	for off := int64(0); off < 10; off++ {
		s, err := l.Read(off, 1, 1<<62, true)
		if err != nil || batchesIn(t, readSlice(t, s))[0][0] != off {
			t.Fatalf("read %d: %v", off, err)
		}
	}
}

func TestRollOnSegmentMs(t *testing.T) {
	c := testConfig()
	c.SegmentMs = 1000
	for _, tc := range []struct {
		name   string
		ts     []int64 // batch timestamps; -1: none, roll by clock
		advanc time.Duration
		segs   int
	}{
		{"timestamps within", []int64{0, 500, 999, 1000}, 0, 1},
		{"timestamp past segment.ms", []int64{0, 500, 1001, 1200, 2002}, 0, 3},
		{"no timestamps, clock", []int64{-1, -1, -1}, 600 * time.Millisecond, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clk := newClock()
			l := openTest(t, t.TempDir(), c, func(o *Options) { o.Now = clk.Now })
			defer l.Close()
			base := int64(1_000_000)
			for _, ts := range tc.ts {
				if ts >= 0 {
					ts += base
				}
				mustAppend(t, l, makeBatch(1, ts, ts, 10), AppendOptions{})
				clk.Add(tc.advanc)
			}
			if l.NumSegments() != tc.segs {
				t.Fatalf("segments %d, want %d", l.NumSegments(), tc.segs)
			}
		})
	}
}

func TestRollJitter(t *testing.T) {
	c := testConfig()
	c.SegmentMs, c.SegmentJitterMs = 1000, 500
	l := openTest(t, t.TempDir(), c)
	defer l.Close()
	if j := l.active().rollJitterMs; j < 0 || j >= 500 {
		t.Fatalf("jitter %d", j)
	}
}

func TestRollOnFullIndex(t *testing.T) {
	c := testConfig()
	c.SegmentIndexBytes = 3 * 12 // time index: 3 slots, 2 usable while active
	c.IndexIntervalBytes = 0
	l := openTest(t, t.TempDir(), c)
	defer l.Close()
	for i := int64(0); i < 10; i++ {
		mustAppend(t, l, makeBatch(1, i, i, 10), AppendOptions{})
	}
	// Entries come from the 2nd batch on; after 2 time entries the
	// segment is full: batches 0..2 per segment, then a roll.
	if l.NumSegments() != 4 {
		t.Fatalf("segments %d, want 4", l.NumSegments())
	}
}

func TestRollExplicitAndOffsetOverflow(t *testing.T) {
	l := openTest(t, t.TempDir(), testConfig())
	defer l.Close()
	if err := l.Roll(); err != nil || l.NumSegments() != 1 {
		t.Fatalf("roll of empty segment: %v, %d", err, l.NumSegments())
	}
	mustAppend(t, l, makeBatch(1, 1, 1, 1), AppendOptions{})
	if err := l.Roll(); err != nil || l.NumSegments() != 2 || l.active().base != 1 {
		t.Fatalf("roll: %v, %d", err, l.NumSegments())
	}
	s := l.active()
	if !s.canHold(s.base+1<<31-1) || s.canHold(s.base+1<<31) {
		t.Fatal("canHold bounds")
	}
}
