package quota

import (
	"math"
	"time"
)

// Window is the sampling of a rate: Num samples of Size each, Kafka's
// quota.window.num and quota.window.size.seconds.
type Window struct {
	Num  int
	Size time.Duration
}

// DefaultWindow is Kafka's default client quota window: 11 samples of 1s.
var DefaultWindow = Window{Num: 11, Size: time.Second}

func (w Window) valid() Window {
	if w.Num < 2 {
		w.Num = 2
	}
	if w.Size <= 0 {
		w.Size = time.Second
	}
	return w
}

// sample is one window of a Rate.
type sample struct {
	start int64 // unix nanos; 0 means unused
	value float64
}

// Rate is Kafka's Rate over a SampledStat: the sum of the values recorded in
// the last Num windows, divided by the time they cover (at least Num-1
// whole windows, so a new rate does not spike). It is not safe for
// concurrent use; its owner locks it.
type Rate struct {
	w       Window
	samples []sample
	cur     int
}

// NewRate returns an empty rate sampled by w.
func NewRate(w Window) *Rate {
	w = w.valid()
	return &Rate{w: w, samples: make([]sample, w.Num)}
}

// Record adds v at now. A new sample starts on the grid of the samples
// before it (Kafka starts it at the record's time), so samples cover the
// time without gaps and an expiring sample takes exactly one window of
// time out of the rate, not more.
func (r *Rate) Record(v float64, now time.Time) {
	t := now.UnixNano()
	s := &r.samples[r.cur]
	if s.start == 0 || t >= s.start+int64(r.w.Size) {
		start := t
		if s.start != 0 { // on the grid of the first sample: no gaps between samples
			start -= (t - s.start) % int64(r.w.Size)
		}
		r.cur = (r.cur + 1) % len(r.samples)
		s = &r.samples[r.cur]
		*s = sample{start: start}
	}
	s.value += v
}

// Unrecord removes v from the current sample, as Kafka does when a fetch
// it recorded is answered empty after all.
func (r *Rate) Unrecord(v float64, now time.Time) { r.Record(-v, now) }

// purge forgets samples older than the whole window.
func (r *Rate) purge(t int64) {
	expire := int64(r.w.Size) * int64(r.w.Num)
	for i := range r.samples {
		if s := &r.samples[i]; s.start != 0 && t-s.start >= expire {
			*s = sample{}
		}
	}
}

// elapsed is the time the rate covers at now: from the oldest sample, but
// never less than Num-1 whole windows, so a new rate does not spike.
// Kafka's Rate.windowSize pads a short elapsed time with whole windows
// instead (2.5 windows of 11 become 10.5); that under-measures between
// window boundaries and lets a saturating client oscillate around its
// quota, so Gofka takes the plain maximum (TestRateSteady).
func (r *Rate) elapsed(t int64) time.Duration {
	return max(time.Duration(t-r.oldest(t)), time.Duration(r.w.Num-1)*r.w.Size)
}

// oldest is the start of the oldest live sample, t when there is none.
func (r *Rate) oldest(t int64) int64 {
	oldest := t
	for _, s := range r.samples {
		if s.start != 0 && s.start < oldest {
			oldest = s.start
		}
	}
	return oldest
}

// total sums the live samples.
func (r *Rate) total() float64 {
	var sum float64
	for _, s := range r.samples {
		if s.start != 0 {
			sum += s.value
		}
	}
	return sum
}

// Measure returns the rate per second at now.
func (r *Rate) Measure(now time.Time) float64 {
	t := now.UnixNano()
	r.purge(t)
	return r.total() / r.elapsed(t).Seconds()
}

// ThrottleTime is Kafka's QuotaUtils.throttleTime: how long the client must
// wait for the rate at now to fall back to bound, (rate-bound)/bound x
// elapsed; 0 when it is within.
func (r *Rate) ThrottleTime(bound float64, now time.Time) time.Duration {
	rate := r.Measure(now)
	if rate <= bound || bound <= 0 && rate <= 0 {
		return 0
	}
	if bound <= 0 {
		return math.MaxInt64
	}
	el := r.elapsed(now.UnixNano())
	return time.Duration((rate - bound) / bound * float64(el))
}

// MaxValueInWindow is the most a client under bound may take in one
// window span: Kafka's getMaxValueInQuotaWindow, bound x (Num-1) x Size.
func (r *Rate) MaxValueInWindow(bound float64) float64 {
	return bound * float64(r.w.Num-1) * r.w.Size.Seconds()
}
