package storage

import (
	"sync"
	"testing"
)

// fixedLog appends n single-record batches of 100 bytes (each 170 bytes,
// offsets 0..n-1) and returns the log.
func fixedLog(t *testing.T, n int, c Config) *Log {
	l := openTest(t, t.TempDir(), c)
	for i := 0; i < n; i++ {
		mustAppend(t, l, makeBatch(1, int64(1000+10*i), int64(1000+10*i), 100), AppendOptions{})
	}
	return l
}

func TestReadLimits(t *testing.T) {
	c := testConfig()
	c.SegmentBytes = 1 << 20
	c.IndexIntervalBytes = 300
	l := fixedLog(t, 10, c)
	defer l.Close()
	const big = 1 << 62
	for _, tc := range []struct {
		name      string
		offset    int64
		maxBytes  int
		maxOffset int64
		minOne    bool
		want      [][2]int64 // batches returned
	}{
		{"all", 0, 1 << 20, big, false, batchRange(0, 10)},
		{"exact two", 0, 340, big, false, batchRange(0, 2)},
		{"partial third dropped", 0, 509, big, false, batchRange(0, 2)},
		{"too small, no minOne", 3, 169, big, false, nil},
		{"too small, minOne", 3, 169, big, true, batchRange(3, 4)},
		{"zero bytes, minOne", 3, 0, big, true, batchRange(3, 4)},
		{"high watermark", 2, 1 << 20, 5, false, batchRange(2, 5)},
		{"high watermark beats minOne", 5, 0, 5, true, nil},
		{"high watermark and bytes", 1, 520, 8, false, batchRange(1, 4)},
		{"from middle via index", 7, 1 << 20, big, false, batchRange(7, 10)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := l.Read(tc.offset, tc.maxBytes, tc.maxOffset, tc.minOne)
			if err != nil {
				t.Fatal(err)
			}
			got := batchesIn(t, readSlice(t, s))
			if len(got) != len(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("got %v, want %v", got, tc.want)
				}
			}
			if len(got) > 0 && s.FirstOffset != got[0][0] {
				t.Fatalf("FirstOffset %d", s.FirstOffset)
			}
		})
	}
}

func batchRange(from, to int64) [][2]int64 {
	var out [][2]int64
	for i := from; i < to; i++ {
		out = append(out, [2]int64{i, i})
	}
	return out
}

func TestReadAcrossSegmentsAndStart(t *testing.T) {
	c := testConfig()
	c.SegmentBytes = 500 // two 170-byte batches per segment
	l := fixedLog(t, 9, c)
	defer l.Close()
	if l.NumSegments() != 5 {
		t.Fatalf("segments %d", l.NumSegments())
	}
	s, err := l.Read(2, 1<<20, 1<<62, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := batchesIn(t, readSlice(t, s)); len(got) != 2 || got[0][0] != 2 {
		t.Fatalf("read one segment: %v", got)
	}
}

// TestReadWhileAppending runs lock-free readers against a writer (-race).
func TestReadWhileAppending(t *testing.T) {
	c := testConfig()
	c.SegmentBytes = 2000
	l := openTest(t, t.TempDir(), c)
	defer l.Close()
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for r := 0; r < 3; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				leo := l.LogEndOffset()
				for off := int64(0); off < leo; off += 7 {
					s, err := l.Read(off, 1000, 1<<62, true)
					if err != nil {
						t.Error(err)
						return
					}
					b := readSlice(t, s)
					if got := batchesIn(t, b); len(got) == 0 || got[0][0] > off || got[0][1] < off {
						t.Errorf("read %d: %v", off, got)
						return
					}
				}
				l.BatchForTimestamp(1050)
			}
		}()
	}
	for i := 0; i < 300; i++ {
		mustAppend(t, l, makeBatch(1+i%3, int64(1000+i), int64(1000+i), 50), AppendOptions{})
	}
	close(stop)
	wg.Wait()
}

// TestReadLongScans: with the offset index far sparser than the scan
// buffer (headerWindowSize), a read at every offset, whole or bounded by
// bytes or a high watermark, still starts at its batch and ends on a
// batch boundary: scans that cross many buffer refills agree with the
// batch layout.
func TestReadLongScans(t *testing.T) {
	c := testConfig()
	c.SegmentBytes = 1 << 20
	c.IndexIntervalBytes = 3 * headerWindowSize
	const n = 400 // 170 bytes each: 68,000 bytes, 8 windows
	l := fixedLog(t, n, c)
	defer l.Close()
	for off := int64(0); off < n; off++ {
		for _, r := range []struct {
			maxBytes  int
			maxOffset int64
			to        int64
		}{
			{1 << 20, n, n},
			{170 * 3, n, min(off+3, n)},
			{1 << 20, min(off+57, n), min(off+57, n)},
			{headerWindowSize + 1, n, min(off+headerWindowSize/170, n)},
		} {
			s, err := l.Read(off, r.maxBytes, r.maxOffset, false)
			if err != nil {
				t.Fatal(err)
			}
			got := batchesIn(t, readSlice(t, s))
			if want := batchRange(off, r.to); len(got) != len(want) || len(got) > 0 && (got[0] != want[0] || got[len(got)-1] != want[len(want)-1]) {
				t.Fatalf("read from %d (max %d bytes, to offset %d): got %d batches %v..., want %d", off, r.maxBytes, r.maxOffset, len(got), got[:min(len(got), 2)], len(want))
			}
		}
	}
}
