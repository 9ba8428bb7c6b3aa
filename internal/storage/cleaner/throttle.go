package cleaner

import "time"

// throttler limits the cleaner's I/O to a rate in bytes per second, as
// Kafka's Throttler: it counts bytes and, at most every checkInterval,
// sleeps long enough to bring the observed rate back to the limit.
type throttler struct {
	rate  float64 // bytes per second; <= 0 or +Inf is unlimited
	quit  <-chan struct{}
	now   func() time.Time
	start time.Time
	bytes float64
}

const checkInterval = 300 * time.Millisecond

func newThrottler(rate float64, quit <-chan struct{}, now func() time.Time) *throttler {
	return &throttler{rate: rate, quit: quit, now: now, start: now()}
}

func (t *throttler) unlimited() bool { return t.rate <= 0 || t.rate >= 1e300 }

// add counts n bytes of I/O and sleeps while the bytes since the window
// started are ahead of the rate; it returns false when quit closed during
// the sleep. The window restarts every checkInterval.
func (t *throttler) add(n int) bool {
	if t.unlimited() {
		return true
	}
	t.bytes += float64(n)
	elapsed := t.now().Sub(t.start)
	want := time.Duration(t.bytes / t.rate * float64(time.Second))
	if ahead := want - elapsed; ahead > 10*time.Millisecond {
		timer := time.NewTimer(ahead)
		select {
		case <-t.quit:
			timer.Stop()
			return false
		case <-timer.C:
		}
		elapsed = want
	}
	if elapsed >= checkInterval {
		t.start, t.bytes = t.now(), 0
	}
	return true
}
