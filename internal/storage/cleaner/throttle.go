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

// add counts n bytes of I/O and sleeps when over the rate; it returns
// false when quit closed during the sleep.
func (t *throttler) add(n int) bool {
	if t.unlimited() {
		return true
	}
	t.bytes += float64(n)
	elapsed := t.now().Sub(t.start)
	if elapsed < checkInterval {
		return true
	}
	want := time.Duration(t.bytes / t.rate * float64(time.Second))
	t.start, t.bytes = t.now(), 0
	if want <= elapsed {
		return true
	}
	timer := time.NewTimer(want - elapsed)
	defer timer.Stop()
	select {
	case <-t.quit:
		return false
	case <-timer.C:
		t.start = t.now()
		return true
	}
}
