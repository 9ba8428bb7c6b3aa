package broker

import (
	"sync"
	"sync/atomic"

	"github.com/gofka/gofka/internal/config"
	"github.com/gofka/gofka/internal/replica"
	"github.com/gofka/gofka/internal/storage"
	"github.com/gofka/gofka/internal/storage/checkpoint"
)

// partition is this node's replica of one topic partition; rep says
// whether it leads or follows and keeps the high watermark.
type partition struct {
	tp          checkpoint.TopicPartition
	topicID     [16]byte
	log         *storage.Log
	cfg         atomic.Pointer[config.Topic]
	leaderEpoch atomic.Int32
	offline     atomic.Bool        // its log dir failed: KAFKA_STORAGE_ERROR (log_dirs.go)
	prod        *prodLog           // producer state and aborted transactions (txn_partition.go)
	rep         *replica.Partition // leader or follower (replication.go)
	// leaderThrottled: leader.replication.throttled.replicas names this
	// replica (replication_throttle.go).
	leaderThrottled atomic.Bool

	gen     atomic.Uint64 // changes woken so far (fetch_park.go)
	nwait   atomic.Int32  // len(waiters), read without the lock on append
	waitMu  sync.Mutex
	waiters map[waiter]struct{}
}

func (p *partition) config() *config.Topic { return p.cfg.Load() }

// waiter is a request parked on a partition's changes: a Fetch
// (parkedFetch) or a ShareFetch (chanWaiter).
type waiter interface {
	// wake says the partition changed; inline says the caller holds no
	// lock and may answer the request on its own goroutine.
	wake(inline bool)
}

// chanWaiter is a waiter that signals a goroutine.
type chanWaiter struct{ ch chan struct{} }

func (w *chanWaiter) wake(bool) {
	select {
	case w.ch <- struct{}{}:
	default:
	}
}

// addWaiter registers a parked request to be woken on changes.
func (p *partition) addWaiter(w waiter) {
	p.waitMu.Lock()
	if p.waiters == nil {
		p.waiters = make(map[waiter]struct{})
	}
	p.waiters[w] = struct{}{}
	p.nwait.Store(int32(len(p.waiters)))
	p.waitMu.Unlock()
}

func (p *partition) removeWaiter(w waiter) {
	p.waitMu.Lock()
	delete(p.waiters, w)
	p.nwait.Store(int32(len(p.waiters)))
	p.waitMu.Unlock()
}

// wake wakes every request parked on this partition, checking parked
// fetches on other goroutines: the caller may hold locks. The common
// case, no waiters, costs two atomic operations.
func (p *partition) wake() { p.wakeWaiters(false) }

// wakeInline is wake for a caller that holds no lock (an append as
// leader): it checks parked fetches on its own goroutine, as Kafka's
// append path completes its delayed fetches.
func (p *partition) wakeInline() { p.wakeWaiters(true) }

func (p *partition) wakeWaiters(inline bool) {
	p.gen.Add(1)
	if p.nwait.Load() == 0 {
		return
	}
	var buf [8]waiter
	ws := buf[:0]
	p.waitMu.Lock()
	for w := range p.waiters {
		ws = append(ws, w)
	}
	p.waitMu.Unlock()
	for _, w := range ws { // outside waitMu: an answered fetch removes itself
		w.wake(inline)
	}
}

// partitionSet is the node's partitions by topic name, published as an
// immutable map so produce and fetch look partitions up without locks.
type partitionSet struct {
	mu  sync.Mutex // serializes writers
	cur atomic.Pointer[map[string][]*partition]
}

func (s *partitionSet) get(topic string, idx int32) *partition {
	m := s.cur.Load()
	if m == nil {
		return nil
	}
	ps := (*m)[topic]
	if idx < 0 || int(idx) >= len(ps) {
		return nil
	}
	return ps[idx]
}

// update copies the map, lets fn change the copy, and publishes it.
func (s *partitionSet) update(fn func(m map[string][]*partition)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	next := make(map[string][]*partition)
	if m := s.cur.Load(); m != nil {
		for k, v := range *m {
			next[k] = v
		}
	}
	fn(next)
	s.cur.Store(&next)
}

func (s *partitionSet) all() []*partition {
	m := s.cur.Load()
	if m == nil {
		return nil
	}
	var out []*partition
	for _, ps := range *m {
		for _, p := range ps {
			if p != nil {
				out = append(out, p)
			}
		}
	}
	return out
}

// storageConfig converts a resolved topic config into the log's settings.
// Without "delete" in cleanup.policy nothing is deleted by age or size.
func storageConfig(t *config.Topic) storage.Config {
	c := storage.Config{
		SegmentBytes:       t.SegmentBytes,
		SegmentMs:          t.SegmentMs,
		SegmentJitterMs:    t.SegmentJitterMs,
		SegmentIndexBytes:  t.SegmentIndexBytes,
		IndexIntervalBytes: t.IndexIntervalBytes,
		RetentionMs:        t.RetentionMs,
		RetentionBytes:     t.RetentionBytes,
		FlushMessages:      t.FlushMessages,
		FlushMs:            t.FlushMs,
		FileDeleteDelayMs:  t.FileDeleteDelayMs,
		Preallocate:        t.Preallocate,
	}
	if !t.Delete() {
		c.RetentionMs, c.RetentionBytes = -1, -1
	}
	return c
}
