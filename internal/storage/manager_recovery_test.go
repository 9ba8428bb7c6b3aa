package storage

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/gofka/gofka/internal/storage/checkpoint"
)

// crashedDir fills a log dir with n partitions of a few small batches each
// (default config: 10 MiB preallocated indexes) and aborts the Manager as
// kill -9 would, so the next open recovers every partition.
func crashedDir(tb testing.TB, n int) string {
	tb.Helper()
	dir := tb.TempDir()
	m, err := OpenManager(managerConfig(dir), func(checkpoint.TopicPartition) Config { return DefaultConfig() })
	if err != nil {
		tb.Fatal(err)
	}
	for i := 0; i < n; i++ {
		tp := checkpoint.TopicPartition{Topic: fmt.Sprintf("t%d", i/10), Partition: int32(i % 10)}
		l, err := m.GetOrCreate(tp, checkpoint.UUID{byte(i/10 + 1)}, DefaultConfig())
		if err != nil {
			tb.Fatal(err)
		}
		for j := 0; j < 3; j++ {
			mustAppend(tb, l, makeBatch(2, 1000, 1000, 50), AppendOptions{LeaderEpoch: 1})
		}
	}
	m.Abort()
	return dir
}

// BenchmarkOpenAfterCrash measures OpenManager of a dir of 500 partitions
// after a crash (each one's active segment recovered), with 1, 2 and 4
// recovery threads. Numbers: docs/operations.md.
func BenchmarkOpenAfterCrash(b *testing.B) {
	dir := crashedDir(b, 500)
	for _, threads := range []int{1, 2, 4} {
		b.Run(fmt.Sprint("threads=", threads), func(b *testing.B) {
			c := managerConfig(dir)
			c.RecoveryThreadsPerDir = threads
			for b.Loop() {
				m, err := OpenManager(c, func(checkpoint.TopicPartition) Config { return DefaultConfig() })
				if err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				m.Abort()
				b.StartTimer()
			}
		})
	}
}

// After a crash, OpenManager recovers every partition (several at once)
// without reading the preallocated indexes it rebuilds, and writes no
// leader epoch checkpoint that recovery left unchanged.
func TestOpenAfterCrashRebuildsWithoutReading(t *testing.T) {
	const n = 40
	dir := crashedDir(t, n)
	idx := filepath.Join(dir, "t0-0", "00000000000000000000.index")
	if st, err := os.Stat(idx); err != nil || st.Size() != DefaultSegmentIndexBytes {
		t.Fatalf("crash left index %v, %v; want it preallocated", st, err)
	}
	epochs := filepath.Join(dir, "t0-0", epochFile)
	before, err := os.Stat(epochs)
	if err != nil {
		t.Fatal(err)
	}
	c := managerConfig(dir)
	c.RecoveryThreadsPerDir = 4
	indexBytesRead.Store(0)
	m, err := OpenManager(c, func(checkpoint.TopicPartition) Config { return DefaultConfig() })
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if got := indexBytesRead.Load(); got != 0 {
		t.Errorf("open read %d index bytes; the recovered segments' indexes are rebuilt, not read", got)
	}
	if logs := m.Logs(); len(logs) != n {
		t.Fatalf("%d logs, want %d", len(logs), n)
	}
	for _, l := range m.Logs() {
		if l.LogEndOffset() != 6 || l.RecoveryPoint() != 6 {
			t.Fatalf("%s: LEO %d, recovery point %d, want 6", l.TopicPartition(), l.LogEndOffset(), l.RecoveryPoint())
		}
		if e, _ := l.LatestEpoch(); e != 1 {
			t.Fatalf("%s: latest epoch %d", l.TopicPartition(), e)
		}
	}
	if after, err := os.Stat(epochs); err != nil || !after.ModTime().Equal(before.ModTime()) || !os.SameFile(before, after) {
		t.Errorf("leader epoch checkpoint rewritten though unchanged: %v", err)
	}
}
