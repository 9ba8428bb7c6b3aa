package storage

import "testing"

func TestBatchForTimestamp(t *testing.T) {
	c := testConfig()
	c.SegmentBytes = 700 // four 170-byte batches per segment
	c.IndexIntervalBytes = 200
	l := openTest(t, t.TempDir(), c)
	defer l.Close()
	// Timestamps per batch (offset = index): not monotonic.
	ts := []int64{100, 200, 150, 300, 250, 400, 500, 450, 600, 550, 700, 650}
	for _, x := range ts {
		mustAppend(t, l, makeBatch(1, x, x, 100), AppendOptions{})
	}
	for _, tc := range []struct {
		ts    int64
		found bool
		off   int64
	}{
		{0, true, 0}, {100, true, 0}, {101, true, 1}, {160, true, 1}, {201, true, 3},
		{300, true, 3}, {301, true, 5}, {420, true, 6}, {501, true, 8}, {610, true, 10},
		{700, true, 10}, {701, false, 0},
	} {
		b, found, err := l.BatchForTimestamp(tc.ts)
		if err != nil || found != tc.found {
			t.Fatalf("ts %d: found %v err %v", tc.ts, found, err)
		}
		if found {
			if got := batchesIn(t, b); got[0][0] != tc.off {
				t.Errorf("ts %d: batch %d, want %d", tc.ts, got[0][0], tc.off)
			}
		}
	}
	b, found, err := l.MaxTimestampBatch()
	if err != nil || !found || batchesIn(t, b)[0][0] != 10 {
		t.Fatalf("max timestamp batch: %v %v", found, err)
	}
	// Behind the log start offset, lookups start at the start offset.
	l.SetHighWatermark(l.LogEndOffset())
	if err := l.DeleteRecordsBefore(6); err != nil {
		t.Fatal(err)
	}
	if b, _, _ := l.BatchForTimestamp(0); batchesIn(t, b)[0][0] != 6 {
		t.Fatalf("lookup below start: %v", batchesIn(t, b))
	}
}

func TestTimestampLookupEmpty(t *testing.T) {
	l := openTest(t, t.TempDir(), testConfig())
	defer l.Close()
	if _, found, err := l.BatchForTimestamp(0); found || err != nil {
		t.Fatal(found, err)
	}
	if _, found, err := l.MaxTimestampBatch(); found || err != nil {
		t.Fatal(found, err)
	}
}
