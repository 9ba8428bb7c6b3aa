package cleaner

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gofka/gofka/internal/storage"
)

// bigMemoryBound is what cleaning a 2 GiB log may add to the Go heap:
// the dedupe buffer (16 MiB here) plus I/O buffers, batch scratch and
// the cleaned segment's in-memory indexes, with room to spare. It does
// not depend on the log size.
const (
	bigLogBytes     = 2 << 30
	bigDedupeBuffer = 16 << 20
	bigMemoryBound  = bigDedupeBuffer + 48<<20
)

// TestCleanBigLogMemory (GOFKA_BIG=1, run by make fault) writes a 2 GiB
// compacted log of 1 KB records over 100,000 keys, cleans it, and checks
// that the heap in use while cleaning never exceeds the bound above the
// heap before cleaning. It logs the peak heap and the process's peak RSS.
func TestCleanBigLogMemory(t *testing.T) {
	if os.Getenv("GOFKA_BIG") == "" {
		t.Skip("GOFKA_BIG=1 runs the 2 GiB cleaning test")
	}
	clk := newClock()
	l := openLog(t, t.TempDir(), clk, 256<<20)
	defer l.Close()
	const keys, perBatch = 100_000, 200
	val := []byte(strings.Repeat("v", 1000))
	recs := make([]rec, perBatch)
	for n := 0; l.Size() < bigLogBytes; n += perBatch {
		for j := range recs {
			recs[j] = rec{key: fmt.Appendf(recs[j].key[:0], "key-%06d", (n+j)%keys), val: val}
		}
		appendB(t, l, build(t, clk.Now().UnixMilli(), recs, batchOpts{}))
	}
	if err := l.Roll(); err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	peak, stop := samplePeakHeap()
	c := New(Config{DedupeBufferSize: bigDedupeBuffer, Now: clk.Now}, Source{
		Logs:   func() []*storage.Log { return []*storage.Log{l} },
		Policy: func(*storage.Log) (Policy, bool) { return Policy{MinCleanableDirtyRatio: 0.01}, true },
	})
	start, size := time.Now(), l.Size()
	passes := cleanAll(t, c)
	stop()
	used := int64(peak.Load()) - int64(base)
	t.Logf("cleaned %d MiB in %d passes, %v: %d -> %d MiB; heap before %d MiB, peak +%d MiB (bound %d MiB); peak RSS %s",
		size>>20, passes, time.Since(start).Round(time.Millisecond), size>>20, l.Size()>>20, base>>20, used>>20, bigMemoryBound>>20, peakRSS())
	if used > bigMemoryBound {
		t.Fatalf("cleaning used %d MiB of heap, bound %d MiB", used>>20, bigMemoryBound>>20)
	}
	if got := len(readAll(t, l)); got != keys {
		t.Fatalf("%d records after cleaning, want %d", got, keys)
	}
}

// samplePeakHeap records the largest HeapInuse until stopped.
func samplePeakHeap() (*atomic.Uint64, func()) {
	var peak atomic.Uint64
	quit := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-quit:
				return
			case <-t.C:
			}
		}
	}()
	return &peak, func() { close(quit); wg.Wait() }
}

// peakRSS is VmHWM from /proc/self/status.
func peakRSS() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "unknown"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			return strings.TrimSpace(strings.TrimPrefix(l, "VmHWM:"))
		}
	}
	return "unknown"
}
