package storage

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// retentionLog builds a log of 9 batches, 2 per segment (5 segments, the
// last holding one), batch i with timestamp 1000*i, high watermark at LEO.
func retentionLog(t *testing.T, mod func(*Config)) *Log {
	c := testConfig()
	c.SegmentBytes = 500
	c.RetentionMs, c.RetentionBytes = -1, -1
	if mod != nil {
		mod(&c)
	}
	l := openTest(t, t.TempDir(), c)
	for i := int64(0); i < 9; i++ {
		mustAppend(t, l, makeBatch(1, 1000*i, 1000*i, 100), AppendOptions{})
	}
	l.SetHighWatermark(l.LogEndOffset())
	if l.NumSegments() != 5 {
		t.Fatalf("segments %d", l.NumSegments())
	}
	return l
}

func TestRetentionByTime(t *testing.T) {
	for _, tc := range []struct {
		now          int64
		deleted, lso int64
		segs         int
	}{
		{now: 9000, deleted: 0, lso: 0, segs: 5},  // newest in segment 0 is 1000: 8000 old, not > 8000
		{now: 9001, deleted: 1, lso: 2, segs: 4},  // segment 0 expired
		{now: 12001, deleted: 2, lso: 4, segs: 3}, // segments up to max ts 3000
		// All expired: the active segment is rolled first and survives empty.
		{now: 100000, deleted: 5, lso: 9, segs: 1},
	} {
		l := retentionLog(t, func(c *Config) { c.RetentionMs = 8000 })
		n, err := l.EnforceRetention(time.UnixMilli(tc.now))
		if err != nil || int64(n) != tc.deleted || l.LogStartOffset() != tc.lso || l.NumSegments() != tc.segs {
			t.Errorf("now %d: deleted %d (%v), lso %d, segs %d; want %d, %d, %d",
				tc.now, n, err, l.LogStartOffset(), l.NumSegments(), tc.deleted, tc.lso, tc.segs)
		}
		if _, err := l.Read(tc.lso-1, 100, 1<<62, true); tc.lso > 0 && !errors.Is(err, ErrOffsetOutOfRange) {
			t.Errorf("read below start: %v", err)
		}
		if l.LogEndOffset() != 9 {
			t.Errorf("LEO %d", l.LogEndOffset())
		}
		l.Close()
	}
}

func TestRetentionRespectsHighWatermark(t *testing.T) {
	l := retentionLog(t, func(c *Config) { c.RetentionMs = 1 })
	defer l.Close()
	l.SetHighWatermark(3) // only segment 0 (offsets 0-1) is below it
	n, err := l.EnforceRetention(time.UnixMilli(1 << 40))
	if err != nil || n != 1 || l.LogStartOffset() != 2 {
		t.Fatalf("deleted %d, lso %d, %v", n, l.LogStartOffset(), err)
	}
}

func TestRetentionByBytes(t *testing.T) {
	for _, tc := range []struct {
		bytes   int64
		deleted int
	}{
		{-1, 0}, {9 * 170, 0}, {9*170 - 1, 0}, {9*170 - 340, 1}, {5 * 170, 2}, {340, 3}, {170, 4}, {0, 5},
	} {
		l := retentionLog(t, func(c *Config) { c.RetentionBytes = tc.bytes })
		n, err := l.EnforceRetention(time.Now())
		if err != nil || n != tc.deleted {
			t.Errorf("retention.bytes %d: deleted %d (%v), want %d", tc.bytes, n, err, tc.deleted)
		}
		l.Close()
	}
}

func TestDeleteRecordsBefore(t *testing.T) {
	l := retentionLog(t, nil)
	defer l.Close()
	if err := l.DeleteRecordsBefore(10); !errors.Is(err, ErrOffsetOutOfRange) {
		t.Fatalf("past HW: %v", err)
	}
	if err := l.DeleteRecordsBefore(5); err != nil {
		t.Fatal(err)
	}
	// Segments [0,1] and [2,3] go; [4,5] holds the start offset.
	if l.LogStartOffset() != 5 || l.NumSegments() != 3 {
		t.Fatalf("lso %d segs %d", l.LogStartOffset(), l.NumSegments())
	}
	if _, err := l.Read(4, 100, 1<<62, true); !errors.Is(err, ErrOffsetOutOfRange) {
		t.Fatalf("read 4: %v", err)
	}
	s, err := l.Read(5, 1000, 1<<62, false)
	if err != nil || batchesIn(t, readSlice(t, s))[0][0] != 5 {
		t.Fatalf("read 5: %v", err)
	}
	if err := l.DeleteRecordsBefore(3); err != nil || l.LogStartOffset() != 5 {
		t.Fatalf("lowering: %v %d", err, l.LogStartOffset())
	}
	if err := l.DeleteRecordsBefore(9); err != nil || l.NumSegments() != 1 || l.LogStartOffset() != 9 {
		t.Fatalf("delete all: %v segs %d", err, l.NumSegments())
	}
}

func TestDeletedSegmentsDelayed(t *testing.T) {
	l := retentionLog(t, func(c *Config) { c.FileDeleteDelayMs = 60000 })
	s, err := l.Read(0, 1000, 1<<62, false) // a reader holds segment 0
	if err != nil {
		t.Fatal(err)
	}
	if err := l.DeleteRecordsBefore(2); err != nil {
		t.Fatal(err)
	}
	dir := l.Dir()
	if _, err := os.Stat(filepath.Join(dir, "00000000000000000000.log.deleted")); err != nil {
		t.Fatalf("renamed file: %v", err)
	}
	if got := batchesIn(t, readSlice(t, s)); len(got) != 2 {
		t.Fatalf("reader of deleted segment: %v", got)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "*.deleted")); len(m) != 0 {
		t.Fatalf("left after close: %v", m)
	}
}

// TestRetentionStartOffsetThenBytes checks that retention.bytes counts what
// is left after segments below the log start offset went.
func TestRetentionStartOffsetThenBytes(t *testing.T) {
	l := retentionLog(t, func(c *Config) { c.RetentionBytes = 5 * 170 })
	dir, c := l.Dir(), l.config()
	l.Close()
	l = openTest(t, dir, c, func(o *Options) { o.LogStartOffset, o.HighWatermark, o.Clean = 4, 9, true })
	defer l.Close()
	n, err := l.EnforceRetention(time.Now())
	if err != nil || n != 2 || l.LogStartOffset() != 4 || l.Size() != 5*170 {
		t.Fatalf("deleted %d (%v), lso %d, size %d", n, err, l.LogStartOffset(), l.Size())
	}
}
