package replica

import (
	"context"
	"hash/fnv"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofka/gofka/internal/metadata"
	"github.com/gofka/gofka/internal/storage/checkpoint"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Config is a Manager's settings, from the broker's replica.* configs.
type Config struct {
	NodeID                int32
	BrokerEpoch           func() int64  // this broker's registration epoch
	LagTime               time.Duration // replica.lag.time.max.ms
	FetchWait             time.Duration // replica.fetch.wait.max.ms
	FetchMinBytes         int32         // replica.fetch.min.bytes
	FetchMaxBytes         int32         // replica.fetch.max.bytes, per partition
	FetchResponseMaxBytes int32         // replica.fetch.response.max.bytes
	FetchBackoff          time.Duration // replica.fetch.backoff.ms
	NumFetchers           int           // num.replica.fetchers per source broker
	Throttle              Throttle      // follower.replication.throttled.rate; nil for none
	Logger                *slog.Logger
	Now                   func() time.Time
}

// Client sends requests to one broker.
type Client interface {
	Request(ctx context.Context, req kmsg.Request) (kmsg.Response, error)
	Close() error
}

// Transport is how replication reaches other nodes.
type Transport interface {
	// Dial returns a client of broker id's inter-broker listener.
	Dial(id int32) (Client, error)
	// AlterPartition sends a request to the active controller.
	AlterPartition(ctx context.Context, req *kmsg.AlterPartitionRequest) (*kmsg.AlterPartitionResponse, error)
}

// Metrics are the counters Kafka's ReplicaManager exports.
type Metrics struct {
	isrShrinks, isrExpands atomic.Int64
}

// ISRShrinks counts ISR shrinks proposed by this node.
func (m *Metrics) ISRShrinks() int64 { return m.isrShrinks.Load() }

// ISRExpands counts ISR expansions proposed by this node.
func (m *Metrics) ISRExpands() int64 { return m.isrExpands.Load() }

// Manager owns this node's replicas, its fetchers and its ISR checks.
type Manager struct {
	cfg     Config
	tr      Transport
	log     *slog.Logger
	metrics Metrics

	mu       sync.Mutex
	parts    map[checkpoint.TopicPartition]*Partition
	fetchers map[fetcherKey]*fetcher

	ctx    context.Context
	cancel context.CancelFunc
	wgMu   sync.Mutex // orders goAsync's Add before Close's Wait
	closed bool       // under wgMu: no goroutine starts once Close began
	wg     sync.WaitGroup
}

// recovering is the LeaderRecoveryState of a leader elected uncleanly.
const recovering = 1

type fetcherKey struct {
	leader int32
	idx    int
}

// NewManager starts a manager; Close stops it.
func NewManager(cfg Config, tr Transport) *Manager {
	if cfg.NumFetchers < 1 {
		cfg.NumFetchers = 1
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.LagTime <= 0 {
		cfg.LagTime = 30 * time.Second
	}
	ctx, cancel := context.WithCancel(context.Background())
	m := &Manager{cfg: cfg, tr: tr, log: cfg.Logger.With("component", "replica"),
		parts: map[checkpoint.TopicPartition]*Partition{}, fetchers: map[fetcherKey]*fetcher{},
		ctx: ctx, cancel: cancel}
	m.goAsync(m.shrinkLoop)
	return m
}

// Metrics returns the manager's counters.
func (m *Manager) Metrics() *Metrics { return &m.metrics }

// goAsync runs fn on a goroutine the manager waits for at Close; once
// Close has begun it does nothing.
func (m *Manager) goAsync(fn func(ctx context.Context)) {
	m.wgMu.Lock()
	defer m.wgMu.Unlock()
	if m.closed {
		return
	}
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		fn(m.ctx)
	}()
}

// Close stops every fetcher and check and waits for them.
func (m *Manager) Close() {
	m.wgMu.Lock()
	m.closed = true
	m.wgMu.Unlock()
	m.cancel()
	m.mu.Lock()
	for _, f := range m.fetchers {
		f.stop()
	}
	m.fetchers = map[fetcherKey]*fetcher{}
	for _, p := range m.parts {
		p.mu.Lock()
		p.leading.Store(false)
		p.failWaitersLocked(ErrNotLeader)
		p.mu.Unlock()
	}
	m.mu.Unlock()
	m.wg.Wait()
}

// Add registers a replica hosted by this node; Apply gives it its role.
func (m *Manager) Add(tp checkpoint.TopicPartition, id metadata.UUID, host Host) *Partition {
	m.mu.Lock()
	defer m.mu.Unlock()
	if p := m.parts[tp]; p != nil && p.host == host {
		return p
	}
	p := &Partition{m: m, tp: tp, id: id, host: host, log: host.Log(), leader: -1, leaderEpoch: -1, partitionEpoch: -1}
	m.parts[tp] = p
	return p
}

// Remove stops replicating p (the replica was deleted or moved away).
func (m *Manager) Remove(p *Partition) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.parts[p.tp] == p {
		delete(m.parts, p.tp)
	}
	p.mu.Lock()
	p.removed = true
	p.leading.Store(false)
	p.failWaitersLocked(ErrNotLeader)
	f := p.fetcher
	p.fetcher = nil
	p.mu.Unlock()
	if f != nil {
		m.leaveFetcherLocked(f, p)
	}
}

// Partitions returns every replica, for metrics and describing.
func (m *Manager) Partitions() []*Partition {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]*Partition, 0, len(m.parts))
	for _, p := range m.parts {
		out = append(out, p)
	}
	return out
}

// Apply gives p the role the partition image names: leader, follower of
// the image's leader, or idle without a leader. Images older than what p
// knows are ignored.
func (m *Manager) Apply(p *Partition, pi *metadata.PartitionImage) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.ctx.Err() != nil {
		return // closed: the node is stopping
	}
	p.mu.Lock()
	if p.removed || (p.known && (pi.LeaderEpoch < p.leaderEpoch ||
		pi.LeaderEpoch == p.leaderEpoch && pi.PartitionEpoch <= p.partitionEpoch)) {
		p.mu.Unlock()
		return
	}
	newEpoch := !p.known || pi.LeaderEpoch != p.leaderEpoch
	wasLeader := p.leading.Load()
	p.known = true
	p.leader, p.leaderEpoch = pi.Leader, pi.LeaderEpoch
	p.replicas = slices.Clone(pi.Replicas)
	p.setISRLocked(pi.ISR, pi.PartitionEpoch)
	p.pending = nil
	p.epoch.Store(pi.LeaderEpoch)
	var join, leave *fetcher
	if pi.Leader == m.cfg.NodeID {
		leave = p.becomeLeaderLocked(newEpoch || !wasLeader)
		if pi.LeaderRecoveryState == recovering {
			// Elected uncleanly (KIP-704): this log is now the partition's
			// truth; tell the controller it has recovered.
			p.proposeLocked(p.isr)
		}
	} else {
		join, leave = m.becomeFollowerLocked(p, newEpoch || wasLeader)
	}
	moved := p.maybeAdvanceHWLocked()
	p.mu.Unlock()
	if moved {
		p.host.Wake()
	}
	if leave != nil {
		m.leaveFetcherLocked(leave, p)
	}
	if join != nil {
		join.add(p)
	}
}

// becomeLeaderLocked starts leading; a new epoch starts at the log end
// and every follower is heard anew (Kafka's makeLeader). It returns the
// fetcher p leaves.
func (p *Partition) becomeLeaderLocked(fresh bool) *fetcher {
	leave := p.fetcher
	p.fetcher = nil
	now := p.m.cfg.Now()
	if fresh {
		if err := p.log.AssignLeaderEpoch(p.leaderEpoch); err != nil {
			p.m.log.Error("assign leader epoch", "partition", p.tp.String(), "err", err)
		}
		p.epochStart = p.log.LogEndOffset()
		p.followers = map[int32]*follower{}
		p.m.log.Info("leading", "partition", p.tp.String(), "epoch", p.leaderEpoch, "isr", p.isr,
			"leo", p.log.LogEndOffset(), "hw", p.log.HighWatermark())
	}
	for _, r := range p.replicas {
		if _, ok := p.followers[r]; !ok && r != p.m.cfg.NodeID {
			p.followers[r] = &follower{leo: -1, caughtUp: now}
		}
	}
	for r := range p.followers {
		if !slices.Contains(p.replicas, r) {
			delete(p.followers, r)
		}
	}
	p.leading.Store(true)
	return leave
}

// becomeFollowerLocked stops leading and picks the fetcher of the new
// leader; a new epoch truncates again before fetching.
func (m *Manager) becomeFollowerLocked(p *Partition, fresh bool) (join, leave *fetcher) {
	if p.leading.Swap(false) {
		p.failWaitersLocked(ErrNotLeader)
		p.followers = nil
		m.log.Info("following", "partition", p.tp.String(), "leader", p.leader, "epoch", p.leaderEpoch)
	}
	if p.leader < 0 {
		leave, p.fetcher = p.fetcher, nil
		return nil, leave
	}
	want := m.fetcherLocked(p.leader, fetcherIndex(p.tp, m.cfg.NumFetchers))
	if p.fetcher == want && !fresh {
		return nil, nil
	}
	leave, p.fetcher = p.fetcher, want
	if leave == want {
		leave = nil
	}
	return want, leave
}

func fetcherIndex(tp checkpoint.TopicPartition, n int) int {
	h := fnv.New32a()
	h.Write([]byte(tp.Topic))
	return int((h.Sum32() + uint32(tp.Partition)) % uint32(n))
}

// fetcherLocked returns the fetcher for leader and idx, starting it.
func (m *Manager) fetcherLocked(leader int32, idx int) *fetcher {
	k := fetcherKey{leader, idx}
	if f := m.fetchers[k]; f != nil {
		return f
	}
	f := newFetcher(m, leader, idx)
	m.fetchers[k] = f
	m.goAsync(f.run)
	return f
}

// leaveFetcherLocked takes p off f and stops f when it has nothing left.
func (m *Manager) leaveFetcherLocked(f *fetcher, p *Partition) {
	if f.remove(p) == 0 {
		delete(m.fetchers, fetcherKey{f.leader, f.idx})
		f.stop()
	}
}

// shrinkLoop checks the ISRs this node leads every half lag time.
func (m *Manager) shrinkLoop(ctx context.Context) {
	t := time.NewTicker(m.cfg.LagTime / 2)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			now := m.cfg.Now()
			for _, p := range m.Partitions() {
				p.maybeShrinkISR(now)
			}
		}
	}
}
