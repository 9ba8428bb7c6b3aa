package cleaner

import (
	"testing"
	"time"
)

// TestThrottle: 1 MB at 10 MB/s takes about 100 ms; quit stops a sleep.
func TestThrottle(t *testing.T) {
	quit := make(chan struct{})
	th := newThrottler(10e6, quit, time.Now)
	start := time.Now()
	for range 100 {
		if !th.add(10_000) {
			t.Fatal("stopped")
		}
	}
	if d := time.Since(start); d < 80*time.Millisecond {
		t.Fatalf("1 MB at 10 MB/s took %v", d)
	}
	close(quit)
	if th.add(10e6) {
		t.Fatal("a sleep ignored quit")
	}
	if !newThrottler(0, quit, time.Now).add(1e9) {
		t.Fatal("unlimited throttler slept")
	}
}
