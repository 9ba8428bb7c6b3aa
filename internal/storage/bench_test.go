package storage

import "testing"

// BenchmarkAppend appends 100 batches of 1 KiB per op; allocs/op stays ~0
// (only segment rolls allocate). Old segments are deleted off the clock.
func BenchmarkAppend(b *testing.B) {
	c := DefaultConfig()
	c.SegmentBytes = 8 << 20
	c.FileDeleteDelayMs = 0
	l := openTest(b, b.TempDir(), c)
	defer l.Close()
	batch := makeBatch(1, 1000, 1000, 954)
	if len(batch) != 1024 {
		b.Fatalf("batch size %d", len(batch))
	}
	b.SetBytes(100 * 1024)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j := 0; j < 100; j++ {
			if _, err := l.Append(batch, AppendOptions{LeaderEpoch: 1}); err != nil {
				b.Fatal(err)
			}
		}
		if i%50 == 49 {
			b.StopTimer()
			l.SetHighWatermark(l.LogEndOffset())
			if err := l.DeleteRecordsBefore(l.LogEndOffset()); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
	}
}

func BenchmarkRead(b *testing.B) {
	c := DefaultConfig()
	l := openTest(b, b.TempDir(), c)
	defer l.Close()
	for i := 0; i < 1000; i++ {
		l.Append(makeBatch(10, 1000, 1000, 90), AppendOptions{})
	}
	leo := l.LogEndOffset()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := l.Read(int64(i*37)%leo, 64<<10, leo, true); err != nil {
			b.Fatal(err)
		}
	}
}
