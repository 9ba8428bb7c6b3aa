package replica

import (
	"slices"
	"time"

	"github.com/gofka/gofka/internal/storage/checkpoint"
)

// ReadReplica is a follower a consumer may be sent to read from (KIP-392).
type ReadReplica struct {
	ID           int32
	LogEndOffset int64
	// SinceCaughtUp is how long ago the follower last caught up with the
	// leader's log end.
	SinceCaughtUp time.Duration
}

// SetFollowerLogStart records a follower's log start offset, which its
// fetches report.
func (p *Partition) SetFollowerLogStart(id int32, start int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if f := p.followers[id]; f != nil {
		f.logStart = start
	}
}

// ReadReplicas lists the followers a consumer reading at offset may be sent
// to, as Kafka's ReplicaManager.findPreferredReadReplica picks them: in the
// ISR, with offset between their log start and log end. A follower out of
// the ISR may lag without bound and is never offered. None unless this
// replica leads.
func (p *Partition) ReadReplicas(offset int64, now time.Time) []ReadReplica {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.leading.Load() {
		return nil
	}
	var out []ReadReplica
	for _, id := range p.isr {
		f := p.followers[id]
		if id == p.m.cfg.NodeID || f == nil || f.leo < offset || f.logStart > offset {
			continue
		}
		out = append(out, ReadReplica{ID: id, LogEndOffset: f.leo, SinceCaughtUp: now.Sub(f.caughtUp)})
	}
	return out
}

// InISR reports whether replica id is in the committed ISR.
func (p *Partition) InISR(id int32) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Contains(p.isr, id)
}

// EpochStart is the log end offset at which this leader's epoch began;
// false unless this replica leads. Until the high watermark reaches it, a
// new leader cannot tell consumers the latest offset (Kafka answers
// ListOffsets with OFFSET_NOT_AVAILABLE then).
func (p *Partition) EpochStart() (int64, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.epochStart, p.leading.Load()
}

// FetcherLags returns, for each partition this node follows and has
// fetched at least once, the leader's high watermark less its log end
// offset as of the last fetch (Kafka's FetcherLagMetrics ConsumerLag).
func (m *Manager) FetcherLags() map[checkpoint.TopicPartition]int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[checkpoint.TopicPartition]int64{}
	for _, f := range m.fetchers {
		f.mu.Lock()
		for p, s := range f.parts {
			if s.lag >= 0 {
				out[p.tp] = s.lag
			}
		}
		f.mu.Unlock()
	}
	return out
}
