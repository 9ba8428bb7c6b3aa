package quota

import (
	"math"
	"testing"
	"time"
)

// TestReplicationThrottle: unlimited by default and at math.MaxInt64;
// exceeded once the recorded bytes are over the bound, and no longer once
// the rate has fallen back.
func TestReplicationThrottle(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	q := NewReplication(Window{Num: 2, Size: time.Second})
	q.Record(1<<30, now)
	if q.Limited() || q.Exceeded(now) {
		t.Fatal("a new throttle limits")
	}
	q.SetBound(1000)
	if !q.Limited() || !q.Exceeded(now) {
		t.Fatal("1 GiB in a second is within 1000 B/s")
	}
	q.SetBound(math.MaxInt64)
	if q.Limited() || q.Exceeded(now) {
		t.Fatal("math.MaxInt64 limits")
	}

	q = NewReplication(Window{Num: 2, Size: time.Second})
	q.SetBound(1000)
	q.Record(900, now)
	if q.Exceeded(now) {
		t.Error("900 B in a second exceeds 1000 B/s")
	}
	q.Record(200, now.Add(100*time.Millisecond))
	if !q.Exceeded(now.Add(100 * time.Millisecond)) {
		t.Error("1100 B in a second is within 1000 B/s")
	}
	if rate, bound := q.Measure(now.Add(100 * time.Millisecond)); rate != 1100 || bound != 1000 {
		t.Errorf("measure: %v of %v, want 1100 of 1000", rate, bound)
	}
	if q.Exceeded(now.Add(3 * time.Second)) {
		t.Error("still exceeded once the samples expired")
	}
}
