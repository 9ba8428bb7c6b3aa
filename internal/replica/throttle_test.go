package replica

import (
	"slices"
	"sync"
	"testing"
	"time"
)

type fakeThrottle struct {
	mu       sync.Mutex
	exceeded bool
	recorded int
}

func (t *fakeThrottle) Exceeded(time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.exceeded
}

func (t *fakeThrottle) set(exceeded bool) {
	t.mu.Lock()
	t.exceeded = exceeded
	t.mu.Unlock()
}

func (t *fakeThrottle) bytes() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.recorded
}

func (t *fakeThrottle) Record(n int, _ time.Time) {
	t.mu.Lock()
	t.recorded += n
	t.mu.Unlock()
}

// TestFollowerThrottleHoldsBackOutOfSyncReplicas: a throttled follower
// that lags the leader's high watermark is left out of fetches while the
// throttle is over its rate (Kafka's shouldFollowerThrottle); in sync,
// unthrottled, or under the rate, it is fetched. Its fetched bytes count.
func TestFollowerThrottleHoldsBackOutOfSyncReplicas(t *testing.T) {
	thr := &fakeThrottle{exceeded: true}
	m, p, _, clk := newTestPartition(t, &fakeTransport{})
	m.cfg.Throttle = thr
	m.Apply(p, image(2, 0, 0, []int32{1, 2}, []int32{2}))
	p.mu.Lock()
	f := p.fetcher
	p.mu.Unlock()
	f.truncated(p)
	if lags := m.FetcherLags(); len(lags) != 0 {
		t.Errorf("fetcher lags before a fetch: %v", lags)
	}
	fetching := func() bool {
		_, fetch, _ := f.snapshot(clk.Now())
		return slices.Contains(fetch, p)
	}
	if !fetching() {
		t.Fatal("an unthrottled replica is held back")
	}
	p.SetThrottled(true)
	if _, fetch, next := f.snapshot(clk.Now()); slices.Contains(fetch, p) || next.IsZero() {
		t.Fatalf("a lagging throttled replica over the rate is fetched (next %v)", next)
	}
	thr.set(false)
	if !fetching() {
		t.Error("held back under the rate")
	}
	thr.set(true)
	p.mu.Lock()
	f.fetched(p, 100, 0) // the leader's high watermark is 0: caught up
	p.mu.Unlock()
	if !fetching() {
		t.Error("an in-sync replica is held back")
	}
	if lags := m.FetcherLags(); lags[testTP] != 0 {
		t.Errorf("fetcher lag %v, want 0", lags)
	}
	if thr.bytes() != 100 {
		t.Errorf("recorded %d bytes, want 100", thr.bytes())
	}
	p.mu.Lock()
	f.fetched(p, 50, 10) // behind again
	p.mu.Unlock()
	if fetching() {
		t.Error("a replica behind again is fetched over the rate")
	}
	if lags := m.FetcherLags(); lags[testTP] != 10 {
		t.Errorf("fetcher lag %v, want 10", lags)
	}
	p.SetThrottled(false)
	p.mu.Lock()
	f.fetched(p, 70, 10)
	p.mu.Unlock()
	if !fetching() || thr.bytes() != 150 {
		t.Errorf("unthrottled: fetched %v, recorded %d bytes, want 150", fetching(), thr.bytes())
	}
}
