package storage

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// cleanFixture makes a log of three one-batch segments (offsets 0, 1, 2
// plus an empty active segment at 3) and a cleaned segment at base 0 that
// holds only the batch at offset 1.
func cleanFixture(t *testing.T) (*Log, *CleanedSegment, string) {
	dir := t.TempDir()
	l := openTest(t, dir, testConfig())
	for range 3 {
		mustAppend(t, l, makeBatch(1, 1000, 1000, 10), AppendOptions{})
		if err := l.Roll(); err != nil {
			t.Fatal(err)
		}
	}
	f, size, err := l.SegmentFile(1)
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, size)
	if _, err := f.ReadAt(b, 0); err != nil {
		t.Fatal(err)
	}
	c, err := l.NewCleanedSegment(0)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Append(b, 1000); err != nil {
		t.Fatal(err)
	}
	return l, c, dir
}

func offsetsOf(t *testing.T, l *Log) []int64 {
	var out []int64
	for off := l.LogStartOffset(); off < l.LogEndOffset(); {
		s, err := l.Read(off, 1<<20, l.LogEndOffset(), true)
		if err != nil || s.Size == 0 {
			break
		}
		for _, bo := range batchesIn(t, readSlice(t, s)) {
			out = append(out, bo[0])
			off = bo[1] + 1
		}
	}
	return out
}

func TestReplaceSegments(t *testing.T) {
	l, c, dir := cleanFixture(t)
	if err := l.ReplaceSegments(c, []int64{0, 1}); err != nil {
		t.Fatal(err)
	}
	if got := offsetsOf(t, l); len(got) != 2 || got[0] != 1 || got[1] != 2 {
		t.Fatalf("offsets %v, want [1 2]", got)
	}
	if got := l.SegmentBases(); len(got) != 3 || got[0] != 0 || got[1] != 2 {
		t.Fatalf("segments %v", got)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	l = openTest(t, dir, testConfig())
	defer l.Close()
	if got := offsetsOf(t, l); len(got) != 2 || got[0] != 1 {
		t.Fatalf("offsets after reopen %v", got)
	}
}

func TestReplaceSegmentsAborted(t *testing.T) {
	l, c, _ := cleanFixture(t)
	defer l.Close()
	if err := l.ReplaceSegments(c, []int64{0, 5}); !errors.Is(err, ErrCleaningAborted) {
		t.Fatalf("err %v", err)
	}
	if m, _ := filepath.Glob(filepath.Join(l.Dir(), "*.swap")); len(m) != 0 {
		t.Fatalf("left %v", m)
	}
}

// TestSwapRecovery reopens a log a crash left at each step of a swap.
func TestSwapRecovery(t *testing.T) {
	tests := []struct {
		name string
		step func(t *testing.T, c *CleanedSegment)
		want []int64
	}{
		{"cleaned files only", func(t *testing.T, c *CleanedSegment) {}, []int64{0, 1, 2}},
		{"swap before old segments renamed", func(t *testing.T, c *CleanedSegment) {
			if err := c.renameFiles(cleanedSuffix, swapSuffix); err != nil {
				t.Fatal(err)
			}
		}, []int64{1, 2}},
		{"index swapped, log still cleaned", func(t *testing.T, c *CleanedSegment) {
			p := c.s.path(indexSuffix)
			if err := os.Rename(p+cleanedSuffix, p+swapSuffix); err != nil {
				t.Fatal(err)
			}
		}, []int64{0, 1, 2}},
		{"old segments deleted, swap not renamed", func(t *testing.T, c *CleanedSegment) {
			if err := c.renameFiles(cleanedSuffix, swapSuffix); err != nil {
				t.Fatal(err)
			}
			for _, b := range []int64{0, 1} {
				p := filepath.Join(c.s.dir, segmentName(b)+logSuffix)
				if err := os.Rename(p, p+deletedSuffix); err != nil {
					t.Fatal(err)
				}
			}
		}, []int64{1, 2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l, c, dir := cleanFixture(t)
			if err := c.finish(); err != nil {
				t.Fatal(err)
			}
			tc.step(t, c)
			c.s.close()
			l.close(false) // a crash: no clean shutdown
			l = openTest(t, dir, testConfig())
			defer l.Close()
			got := offsetsOf(t, l)
			if len(got) != len(tc.want) {
				t.Fatalf("offsets %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("offsets %v, want %v", got, tc.want)
				}
			}
			for _, pat := range []string{"*.swap", "*.cleaned", "*.deleted"} {
				if m, _ := filepath.Glob(filepath.Join(dir, pat)); len(m) != 0 {
					t.Fatalf("left %v", m)
				}
			}
		})
	}
}

// TestCleanedSegmentIndexReopens: a swapped-in cleaned segment keeps only
// its .log open, and a truncation into it writes its indexes through
// files reopened under their final names.
func TestCleanedSegmentIndexReopens(t *testing.T) {
	l, c, dir := cleanFixture(t)
	defer l.Close()
	if err := l.ReplaceSegments(c, []int64{0, 1}); err != nil {
		t.Fatal(err)
	}
	if got := openFiles(t, dir); got[".index"] != 2 || got[".timeindex"] != 2 {
		t.Fatalf("open files %v: want the indexes of segment 2 (flushed by nobody yet) and the active one only", got)
	}
	if err := l.TruncateTo(1); err != nil { // the cleaned segment 0 is active (and empty) again
		t.Fatal(err)
	}
	for range 2 {
		mustAppend(t, l, makeBatch(1, 2000, 2000, 300), AppendOptions{})
	}
	if err := l.Flush(); err != nil {
		t.Fatal(err)
	}
	if got := offsetsOf(t, l); len(got) != 2 || got[0] != 1 || got[1] != 2 {
		t.Fatalf("offsets %v, want [1 2]", got)
	}
	if x := l.segments()[0].offIdx; len(l.segments()) != 1 || x.count() != 1 {
		t.Fatalf("%d segments, %d entries in the cleaned segment's index, want 1 and 1", len(l.segments()), x.count())
	}
	if st, err := os.Stat(filepath.Join(dir, segmentName(0)+indexSuffix)); err != nil || st.Size() == 0 {
		t.Fatalf("cleaned segment's index file after truncation: %v", err)
	}
}
