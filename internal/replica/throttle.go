package replica

import "time"

// Throttle is the follower side of the replication throttle (KIP-73):
// follower.replication.throttled.rate over the bytes this node fetches for
// replicas that follower.replication.throttled.replicas names.
type Throttle interface {
	// Exceeded reports whether the fetched bytes are over the rate.
	Exceeded(now time.Time) bool
	// Record adds the bytes fetched for a throttled replica.
	Record(bytes int, now time.Time)
}

// SetThrottled marks the replica as throttled while following (its topic's
// follower.replication.throttled.replicas names it).
func (p *Partition) SetThrottled(on bool) { p.throttled.Store(on) }

// holdBack reports whether a fetcher leaves p out of its next fetch, as
// Kafka's ReplicaFetcherThread.shouldFollowerThrottle: a throttled replica
// that has not caught up with the leader's high watermark, while the
// throttle is over its rate. A replica in sync is never held back, so
// throttling never costs a replica its place in the ISR.
func (f *fetcher) holdBack(p *Partition, s *fetchState, now time.Time) bool {
	t := f.m.cfg.Throttle
	return t != nil && p.throttled.Load() && !s.inSync && t.Exceeded(now)
}

// fetched records the bytes fetched for p against the throttle and whether
// p has caught up with the leader's high watermark (Kafka's
// isReplicaInSync: no lag left). The caller holds p.mu.
func (f *fetcher) fetched(p *Partition, bytes int, leaderHW int64) {
	if t := f.m.cfg.Throttle; t != nil && bytes > 0 && p.throttled.Load() {
		t.Record(bytes, f.m.cfg.Now())
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if s := f.parts[p]; s != nil {
		s.lag = max(leaderHW-p.log.LogEndOffset(), 0)
		s.inSync = s.lag == 0
	}
}
