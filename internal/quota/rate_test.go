package quota

import (
	"math"
	"testing"
	"time"
)

var t0 = time.Unix(1_700_000_000, 0)

func at(ms int64) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }

func TestRateWindows(t *testing.T) {
	type rec struct {
		ms int64
		v  float64
	}
	tests := []struct {
		name   string
		w      Window
		recs   []rec
		now    int64
		want   float64
		bound  float64
		thrott time.Duration
	}{
		// a new rate spreads over Num-1 windows: no spike at start
		{"first sample", Window{Num: 11, Size: time.Second}, []rec{{0, 1000}}, 0, 100, 1000, 0},
		{"within quota", Window{Num: 3, Size: time.Second}, []rec{{0, 100}, {1500, 100}}, 1500, 100, 100, 0},
		// Kafka's QuotaUtils test: observed 100 over quota 50 with 3 samples
		{"over quota", Window{Num: 3, Size: time.Second}, []rec{{0, 200}}, 0, 100, 50, 2000 * time.Millisecond},
		// the elapsed time counts once more than Num-1 windows passed
		{"long elapsed", Window{Num: 3, Size: time.Second}, []rec{{0, 300}, {1000, 300}, {2500, 300}}, 2500, 360, 1000, 0},
		// samples older than Num windows are purged
		{"purged", Window{Num: 2, Size: time.Second}, []rec{{0, 1000}, {2500, 10}}, 2500, 10, 1000, 0},
		{"all purged", Window{Num: 2, Size: time.Second}, []rec{{0, 1000}}, 5000, 0, 1, 0},
		{"unrecord", Window{Num: 2, Size: time.Second}, []rec{{0, 1000}, {10, -400}}, 10, 600, 1000, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := NewRate(tc.w)
			for _, x := range tc.recs {
				r.Record(x.v, at(x.ms))
			}
			if got := r.Measure(at(tc.now)); math.Abs(got-tc.want) > 1e-9 {
				t.Errorf("Measure = %v, want %v", got, tc.want)
			}
			if got := r.ThrottleTime(tc.bound, at(tc.now)); got != tc.thrott {
				t.Errorf("ThrottleTime(%v) = %v, want %v", tc.bound, got, tc.thrott)
			}
		})
	}
}

// TestRateSteadyState feeds a rate at twice its bound, each record waiting
// out the throttle it was given, and checks the long-run rate is the bound.
func TestRateSteadyState(t *testing.T) {
	r := NewRate(Window{Num: 11, Size: time.Second})
	const bound = 1 << 20
	now, start, sent := t0, t0.Add(20*time.Second), 0.0
	for now.Before(t0.Add(60 * time.Second)) {
		r.Record(64<<10, now)
		if !now.Before(start) {
			sent += 64 << 10
		}
		now = now.Add(max(r.ThrottleTime(bound, now), 5*time.Millisecond))
	}
	rate := sent / now.Sub(start).Seconds()
	if rate < 0.9*bound || rate > 1.1*bound {
		t.Fatalf("steady rate %.0f B/s, want %d ± 10%%", rate, bound)
	}
}

func TestRateMaxValueInWindow(t *testing.T) {
	r := NewRate(Window{Num: 11, Size: time.Second})
	if got := r.MaxValueInWindow(1000); got != 10000 {
		t.Fatalf("MaxValueInWindow = %v, want 10000", got)
	}
}

func TestTokenBucket(t *testing.T) {
	w := Window{Num: 2, Size: time.Second}
	b := NewTokenBucket(w)
	const rate = 5.0 // burst 10
	if b.Exceeded(rate, at(0)) {
		t.Fatal("a full bucket is exceeded")
	}
	b.Take(12, rate, at(0)) // admitted whole, 2 in debt
	if !b.Exceeded(rate, at(0)) {
		t.Fatal("a bucket in debt is not exceeded")
	}
	if got := b.ThrottleTime(rate, at(0)); got != 400*time.Millisecond {
		t.Fatalf("ThrottleTime = %v, want 400ms", got)
	}
	if b.Exceeded(rate, at(400)) {
		t.Fatal("still exceeded after the debt was refilled")
	}
	b.Take(1, rate, at(10_000)) // refills only up to the burst
	if got := b.ThrottleTime(rate, at(10_000)); got != 0 {
		t.Fatalf("ThrottleTime after refill = %v", got)
	}
}
