package quota

import (
	"math"
	"time"
)

// TokenBucket is the rate of KIP-599 for controller mutations: it holds up
// to rate x Num x Size tokens (the burst), refills at rate per second, and
// each mutation takes its partition count, so a burst is admitted whole and
// the debt is paid back over time. Not safe for concurrent use.
type TokenBucket struct {
	w      Window
	tokens float64
	last   int64 // unix nanos of the last refill; 0 before the first
}

// NewTokenBucket returns a full bucket sampled by w.
func NewTokenBucket(w Window) *TokenBucket { return &TokenBucket{w: w.valid(), tokens: math.NaN()} }

// burst is the bucket's capacity at rate.
func (b *TokenBucket) burst(rate float64) float64 {
	return rate * float64(b.w.Num) * b.w.Size.Seconds()
}

// refill adds the tokens earned since the last refill.
func (b *TokenBucket) refill(rate float64, now time.Time) {
	t := now.UnixNano()
	if math.IsNaN(b.tokens) {
		b.tokens = b.burst(rate)
	} else if t > b.last {
		b.tokens += rate * time.Duration(t-b.last).Seconds()
	}
	b.tokens = min(b.tokens, b.burst(rate))
	b.last = max(b.last, t)
}

// Exceeded reports whether the bucket is in debt at now: a strict caller
// refuses new mutations until it is not.
func (b *TokenBucket) Exceeded(rate float64, now time.Time) bool {
	b.refill(rate, now)
	return b.tokens < 0
}

// Take removes n tokens at now, going into debt when needed.
func (b *TokenBucket) Take(n, rate float64, now time.Time) {
	b.refill(rate, now)
	b.tokens -= n
}

// ThrottleTime is how long until the bucket is out of debt at rate.
func (b *TokenBucket) ThrottleTime(rate float64, now time.Time) time.Duration {
	b.refill(rate, now)
	if b.tokens >= 0 {
		return 0
	}
	if rate <= 0 {
		return math.MaxInt64
	}
	return time.Duration(-b.tokens / rate * float64(time.Second))
}
