package quota

import (
	"math"
	"sync"
	"time"
)

// Replication is one side of a broker's replication throttle (KIP-73),
// Kafka's ReplicationQuotaManager: the bytes of throttled replicas are
// recorded in a Rate, and once the rate is over the bound, replicas that
// are throttled and out of sync get no more bytes until it falls back.
// Which replicas are throttled is the caller's business (the topics'
// *.replication.throttled.replicas). Safe for concurrent use.
type Replication struct {
	mu    sync.Mutex
	rate  *Rate
	bound float64 // bytes per second; +Inf when unlimited
}

// NewReplication returns an unlimited throttle sampled by w (Kafka's
// replication.quota.window.num and replication.quota.window.size.seconds).
func NewReplication(w Window) *Replication {
	return &Replication{rate: NewRate(w), bound: math.Inf(1)}
}

// SetBound sets the rate in bytes per second; math.MaxInt64 (the configs'
// default) means unlimited.
func (q *Replication) SetBound(bytesPerSec int64) {
	b := float64(bytesPerSec)
	if bytesPerSec == math.MaxInt64 {
		b = math.Inf(1)
	}
	q.mu.Lock()
	q.bound = b
	q.mu.Unlock()
}

// Limited reports whether a bound is set.
func (q *Replication) Limited() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return !math.IsInf(q.bound, 1)
}

// Exceeded reports whether the measured rate is over the bound (Kafka's
// isQuotaExceeded).
func (q *Replication) Exceeded(now time.Time) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return !math.IsInf(q.bound, 1) && q.rate.Measure(now) > q.bound
}

// Record adds the bytes of throttled replicas sent or fetched at now.
func (q *Replication) Record(bytes int, now time.Time) {
	q.mu.Lock()
	q.rate.Record(float64(bytes), now)
	q.mu.Unlock()
}

// Measure returns the rate and the bound (+Inf when unlimited) at now.
func (q *Replication) Measure(now time.Time) (rate, bound float64) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.rate.Measure(now), q.bound
}
