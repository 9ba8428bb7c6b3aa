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

	nwait   atomic.Int32 // len(waiters), read without the lock on append
	waitMu  sync.Mutex
	waiters map[*fetchWaiter]struct{}
}

func (p *partition) config() *config.Topic { return p.cfg.Load() }

// addWaiter registers a parked fetch to be woken on append.
func (p *partition) addWaiter(w *fetchWaiter) {
	p.waitMu.Lock()
	if p.waiters == nil {
		p.waiters = make(map[*fetchWaiter]struct{})
	}
	p.waiters[w] = struct{}{}
	p.nwait.Store(int32(len(p.waiters)))
	p.waitMu.Unlock()
}

func (p *partition) removeWaiter(w *fetchWaiter) {
	p.waitMu.Lock()
	delete(p.waiters, w)
	p.nwait.Store(int32(len(p.waiters)))
	p.waitMu.Unlock()
}

// wake signals every parked fetch on this partition. The common case, no
// waiters, costs one atomic load.
func (p *partition) wake() {
	if p.nwait.Load() == 0 {
		return
	}
	p.waitMu.Lock()
	for w := range p.waiters {
		w.signal()
	}
	p.waitMu.Unlock()
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
