package replica

import (
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofka/gofka/internal/metadata"
	"github.com/gofka/gofka/internal/storage"
	"github.com/gofka/gofka/internal/storage/checkpoint"
)

// Errors a waiting acks=all append or a follower fetch can end with.
var (
	ErrNotLeader                    = errors.New("replica: not the leader")
	ErrNotEnoughReplicasAfterAppend = errors.New("replica: the ISR shrank below min.insync.replicas")
	ErrNotAssigned                  = errors.New("replica: not a replica of the partition")
	ErrFencedLeaderEpoch            = errors.New("replica: fenced leader epoch")
	ErrUnknownLeaderEpoch           = errors.New("replica: unknown leader epoch")
)

// Host is the broker's side of one replica: its log and the producer state
// kept beside it.
type Host interface {
	// Log is the replica's log.
	Log() *storage.Log
	// AppendReplicated appends batches copied from the leader, keeping
	// their offsets and epochs, and updates the producer state.
	AppendReplicated(b []byte) error
	// Truncate removes every record from offset on.
	Truncate(offset int64) error
	// Restart empties the log and starts it at offset.
	Restart(offset int64) error
	// Wake signals fetches parked on the partition.
	Wake()
}

// follower is what the leader knows of one follower.
type follower struct {
	leo          int64 // -1 until it fetches
	logStart     int64 // its log start offset, from its fetches (KIP-392)
	brokerEpoch  int64
	lastFetch    time.Time
	lastFetchLEO int64 // the leader's end offset at its last fetch
	caughtUp     time.Time
}

// Partition is this node's replica of one partition, as replication sees it.
type Partition struct {
	m    *Manager
	tp   checkpoint.TopicPartition
	id   metadata.UUID
	host Host
	log  *storage.Log

	leading atomic.Bool
	epoch   atomic.Int32 // leader epoch
	isrLen  atomic.Int32
	// throttled: follower.replication.throttled.replicas names this
	// replica (throttle.go).
	throttled atomic.Bool

	mu             sync.Mutex
	known          bool // an image has been applied
	leader         int32
	leaderEpoch    int32
	partitionEpoch int32
	replicas, isr  []int32
	pending        []int32 // the ISR an in-flight AlterPartition proposes
	epochStart     int64   // log end offset when this leader epoch began
	followers      map[int32]*follower
	waiters        []*Waiter
	fetcher        *fetcher // while following
	removed        bool
}

// TopicPartition names the partition.
func (p *Partition) TopicPartition() checkpoint.TopicPartition { return p.tp }

// IsLeader reports whether this replica leads.
func (p *Partition) IsLeader() bool { return p.leading.Load() }

// LeaderEpoch is the partition's leader epoch as this node knows it.
func (p *Partition) LeaderEpoch() int32 { return p.epoch.Load() }

// ISRSize is the size of the committed ISR.
func (p *Partition) ISRSize() int { return int(p.isrLen.Load()) }

// Leader is the partition's leader as this node knows it (-1 for none).
func (p *Partition) Leader() int32 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.leader
}

// State is a copy of the replica's view, for describing and tests.
type State struct {
	Leader, LeaderEpoch, PartitionEpoch int32
	Replicas, ISR, PendingISR           []int32
	HighWatermark, LogEndOffset         int64
	FollowerLEO                         map[int32]int64
}

// State returns the replica's view.
func (p *Partition) State() State {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := State{Leader: p.leader, LeaderEpoch: p.leaderEpoch, PartitionEpoch: p.partitionEpoch,
		Replicas: slices.Clone(p.replicas), ISR: slices.Clone(p.isr), PendingISR: slices.Clone(p.pending),
		HighWatermark: p.log.HighWatermark(), LogEndOffset: p.log.LogEndOffset()}
	if p.followers != nil {
		s.FollowerLEO = map[int32]int64{}
		for id, f := range p.followers {
			s.FollowerLEO[id] = f.leo
		}
	}
	return s
}

// maximalISRLocked is the committed ISR plus the replicas a pending
// expansion adds: the high watermark waits for all of them.
func (p *Partition) maximalISRLocked() []int32 {
	if p.pending == nil {
		return p.isr
	}
	out := slices.Clone(p.isr)
	for _, r := range p.pending {
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out
}

// LeaderAppended moves the high watermark after an append as leader
// (with an ISR of one, to the log end). The caller wakes parked fetches.
func (p *Partition) LeaderAppended() {
	p.mu.Lock()
	p.maybeAdvanceHWLocked()
	p.mu.Unlock()
}

// maybeAdvanceHWLocked sets the high watermark to the smallest log end
// offset in the maximal ISR; it only moves forward. It completes the
// acks=all waits it passes and reports whether it moved.
func (p *Partition) maybeAdvanceHWLocked() bool {
	if !p.leading.Load() {
		return false
	}
	hw := p.log.LogEndOffset()
	for _, r := range p.maximalISRLocked() {
		if r == p.m.cfg.NodeID {
			continue
		}
		f := p.followers[r]
		if f == nil {
			return false // a member this leader has not heard of yet
		}
		hw = min(hw, f.leo)
	}
	if hw <= p.log.HighWatermark() {
		return false
	}
	p.log.SetHighWatermark(hw)
	p.completeWaitersLocked()
	return true
}

// Waiter is an acks=all append waiting for the ISR.
type Waiter struct {
	p      *Partition
	offset int64
	minISR int
	C      chan error // receives once
}

// Await returns a wait that completes once the high watermark reaches
// offset: nil, ErrNotEnoughReplicasAfterAppend when the ISR is then smaller
// than minISR, or ErrNotLeader when leadership moves first. Cancel it when
// giving up.
func (p *Partition) Await(offset int64, minISR int) *Waiter {
	w := &Waiter{p: p, offset: offset, minISR: minISR, C: make(chan error, 1)}
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.leading.Load() {
		w.C <- ErrNotLeader
		return w
	}
	if p.log.HighWatermark() >= offset {
		w.C <- p.reachedLocked(w)
		return w
	}
	p.waiters = append(p.waiters, w)
	return w
}

// Cancel forgets a wait that timed out.
func (w *Waiter) Cancel() {
	p := w.p
	p.mu.Lock()
	defer p.mu.Unlock()
	p.waiters = slices.DeleteFunc(p.waiters, func(x *Waiter) bool { return x == w })
}

func (p *Partition) reachedLocked(w *Waiter) error {
	if len(p.isr) < w.minISR {
		return ErrNotEnoughReplicasAfterAppend
	}
	return nil
}

func (p *Partition) completeWaitersLocked() {
	hw := p.log.HighWatermark()
	p.waiters = slices.DeleteFunc(p.waiters, func(w *Waiter) bool {
		if w.offset > hw {
			return false
		}
		w.C <- p.reachedLocked(w)
		return true
	})
}

func (p *Partition) failWaitersLocked(err error) {
	for _, w := range p.waiters {
		w.C <- err
	}
	p.waiters = nil
}

// FollowerFetched records a follower's fetch at fetchOffset (its log end
// offset) and moves the ISR and the high watermark as Kafka's
// Partition.updateFollowerFetchState does. It reports whether the high
// watermark moved.
func (p *Partition) FollowerFetched(id int32, brokerEpoch int64, fetchOffset int64, now time.Time) (bool, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.leading.Load() {
		return false, ErrNotLeader
	}
	f := p.followers[id]
	if f == nil {
		return false, ErrNotAssigned
	}
	leo := p.log.LogEndOffset()
	switch {
	case fetchOffset >= leo:
		f.caughtUp = now
	case fetchOffset >= f.lastFetchLEO && !f.lastFetch.IsZero():
		f.caughtUp = f.lastFetch
	}
	f.leo, f.brokerEpoch, f.lastFetch, f.lastFetchLEO = fetchOffset, brokerEpoch, now, leo
	p.maybeExpandISRLocked(id, f)
	return p.maybeAdvanceHWLocked(), nil
}

// CheckFollowerEpoch compares a follower's current leader epoch with ours.
func (p *Partition) CheckFollowerEpoch(epoch int32) error {
	cur := p.epoch.Load()
	switch {
	case epoch < 0:
		return nil
	case epoch < cur:
		return ErrFencedLeaderEpoch
	case epoch > cur:
		return ErrUnknownLeaderEpoch
	}
	return nil
}
