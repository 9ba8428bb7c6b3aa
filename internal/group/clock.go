package group

import "time"

// Clock tells the time and runs functions later. The coordinator arms
// every timeout (session, rebalance, initial delay, expiry) through it.
type Clock interface {
	Now() time.Time
	// AfterFunc calls f once, on some goroutine, after d.
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a pending AfterFunc call.
type Timer interface {
	// Stop cancels the call; it reports false when f already ran or was stopped.
	Stop() bool
}

// SystemClock is the real clock.
type SystemClock struct{}

// Now returns time.Now.
func (SystemClock) Now() time.Time { return time.Now() }

// AfterFunc wraps time.AfterFunc.
func (SystemClock) AfterFunc(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }
