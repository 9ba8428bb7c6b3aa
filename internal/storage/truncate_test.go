package storage

import (
	"errors"
	"testing"
)

func TestTruncateTo(t *testing.T) {
	c := testConfig()
	c.SegmentBytes = 700 // three 229-byte batches per segment
	l := openTest(t, t.TempDir(), c)
	defer l.Close()
	for i := 0; i < 10; i++ {
		mustAppend(t, l, makeBatch(2, int64(i), int64(i), 75), AppendOptions{}) // offsets 2i, 2i+1
	}
	l.SetHighWatermark(20)
	if err := l.TruncateTo(13); err != nil { // inside batch [12,13]: it goes whole
		t.Fatal(err)
	}
	if l.LogEndOffset() != 12 || l.HighWatermark() != 12 || l.NumSegments() != 3 {
		t.Fatalf("LEO %d HW %d segs %d", l.LogEndOffset(), l.HighWatermark(), l.NumSegments())
	}
	if _, err := l.Read(12, 100, 1<<62, true); err != nil {
		t.Fatal(err)
	}
	res := mustAppend(t, l, makeBatch(1, 50, 50, 10), AppendOptions{})
	if res.FirstOffset != 12 {
		t.Fatalf("append after truncate at %d", res.FirstOffset)
	}
	s, _ := l.Read(12, 1<<20, 1<<62, false)
	if got := batchesIn(t, readSlice(t, s)); len(got) != 1 || got[0] != [2]int64{12, 12} {
		t.Fatalf("after truncate: %v", got)
	}
	if err := l.TruncateTo(0); err != nil || l.LogEndOffset() != 0 || l.NumSegments() != 1 {
		t.Fatalf("truncate fully: %v LEO %d", err, l.LogEndOffset())
	}
	if err := l.TruncateFullyAndStartAt(500); err != nil || l.LogStartOffset() != 500 || l.LogEndOffset() != 500 {
		t.Fatalf("start at 500: %v", err)
	}
}

func TestAppendReplicated(t *testing.T) {
	l := openTest(t, t.TempDir(), testConfig())
	defer l.Close()
	var b []byte
	for _, base := range []int64{0, 3, 10} {
		x := makeBatch(3, 1, 1, 10)
		x[0], x[7] = 0, byte(base) // base offset
		x[15] = 5                  // leader epoch 5
		b = append(b, x...)
	}
	res, err := l.AppendReplicated(b)
	if err != nil || res.FirstOffset != 0 || res.LastOffset != 12 || l.LogEndOffset() != 13 {
		t.Fatalf("%+v %v", res, err)
	}
	if e, _ := l.LatestEpoch(); e != 5 {
		t.Fatalf("epoch %d", e)
	}
	if _, err := l.AppendReplicated(makeBatch(1, 1, 1, 1)); !errors.Is(err, ErrOffsetOutOfRange) {
		t.Fatalf("stale offsets: %v", err)
	}
}

// TestTruncateAtEndDropsEmptyEpochs: a replica that led epoch 1 without
// appending to it keeps its records but forgets the epoch when told to
// truncate at its log end (Kafka's truncateTo does the same).
func TestTruncateAtEndDropsEmptyEpochs(t *testing.T) {
	l := openTest(t, t.TempDir(), testConfig())
	defer l.Close()
	mustAppend(t, l, makeBatch(2, 1, 1, 10), AppendOptions{LeaderEpoch: 0})
	if err := l.AssignLeaderEpoch(1); err != nil {
		t.Fatal(err)
	}
	if e, _ := l.LatestEpoch(); e != 1 {
		t.Fatalf("latest epoch %d, want 1", e)
	}
	if err := l.TruncateTo(l.LogEndOffset()); err != nil {
		t.Fatal(err)
	}
	if e, _ := l.LatestEpoch(); e != 0 || l.LogEndOffset() != 2 {
		t.Fatalf("latest epoch %d, LEO %d after truncating at the end; want 0, 2", e, l.LogEndOffset())
	}
}
