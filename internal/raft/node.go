package raft

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/gofka/gofka/internal/metadata"
	"go.etcd.io/raft/v3"
	"go.etcd.io/raft/v3/raftpb"
)

// Config configures a Node.
type Config struct {
	NodeID    int32
	Dir       string // the metadata log directory, __cluster_metadata-0
	ClusterID string
	// Voters bootstraps a new quorum (controller.quorum.voters, or the
	// voters gofka format wrote); ignored once Dir holds a snapshot.
	Voters []Voter
	// Bootstrap and BootstrapEnd seed a new quorum's first snapshot with
	// records ending at that Kafka offset (an upgraded data dir).
	Bootstrap    []metadata.Record
	BootstrapEnd int64
	// Tick is the raft clock; ElectionTimeout and HeartbeatInterval are
	// rounded to ticks.
	Tick              time.Duration
	ElectionTimeout   time.Duration
	HeartbeatInterval time.Duration
	SnapshotBytes     int64
	SnapshotInterval  time.Duration
	// ObserverTimeout is how long the leader lists an observer that
	// stopped fetching and replicates to a removed voter that stopped
	// answering; DefaultObserverTimeout (Kafka's) when 0.
	ObserverTimeout time.Duration
	SM              StateMachine
	// Send delivers messages to a voter; nil only for a single voter.
	Send   func(ctx context.Context, to Voter, msgs []raftpb.Message) error
	Logger *slog.Logger
}

// Node runs one quorum member: its core on one goroutine, fed by a ticker,
// incoming messages and proposals, and one sender goroutine per peer.
type Node struct {
	cfg    Config
	core   *core
	inbox  chan func(*core)
	status statusBox
	quit   chan struct{}
	wg     sync.WaitGroup
	once   sync.Once

	peers     map[int32]*peer // owned by the run goroutine
	startLast uint64          // the log's last index at start
}

// Status is a view of the quorum published after every step.
type Status struct {
	NodeID      int32
	Leader      int32 // -1 when unknown
	Term        uint64
	LeaderReady bool // this node leads and applied its term's first entry
	Commit      uint64
	Applied     uint64
	LastIndex   uint64
	Voters      []Voter
	// Learners are the removed voters the quorum still replicates to
	// (observers in DescribeQuorum); this node is one after its removal.
	Learners []Voter
	// LogEndOffset is the Kafka end offset of the local metadata log.
	LogEndOffset int64
	// HighWatermark is the Kafka end offset of the committed log.
	HighWatermark int64
	// Replicas is each voter's and learner's replication state, on the
	// leader only.
	Replicas map[int32]ReplicaState
	// Observers are the broker-only nodes fetching from this leader, by
	// id, on the leader only.
	Observers []ObserverState
}

// ReplicaState is what the leader knows of one voter's log.
type ReplicaState struct {
	// LogEndOffset is the Kafka end offset the voter's log matches.
	LogEndOffset int64
	// LastContact is when the voter last answered the leader (zero for the
	// leader itself or when unknown).
	LastContact time.Time
}

// Start opens the node's storage and starts it.
func Start(cfg Config) (*Node, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Tick <= 0 {
		cfg.Tick = 50 * time.Millisecond
	}
	c, err := openCore(coreConfig{
		NodeID: cfg.NodeID, Dir: cfg.Dir, ClusterID: cfg.ClusterID, Voters: cfg.Voters,
		Bootstrap: cfg.Bootstrap, BootstrapEnd: cfg.BootstrapEnd,
		ElectionTicks:  ticks(cfg.ElectionTimeout, cfg.Tick, 10),
		HeartbeatTicks: ticks(cfg.HeartbeatInterval, cfg.Tick, 1),
		SnapshotBytes:  cfg.SnapshotBytes, SnapshotInterval: cfg.SnapshotInterval,
		ObserverTimeout: cfg.ObserverTimeout, SM: cfg.SM, Logger: cfg.Logger,
	})
	if err != nil {
		return nil, err
	}
	n := &Node{cfg: cfg, core: c, inbox: make(chan func(*core), 1024), quit: make(chan struct{}),
		peers: map[int32]*peer{}, startLast: c.disk.lastIndex()}
	n.publish()
	if len(c.voters) == 1 && c.voters[0].ID == cfg.NodeID {
		_ = c.rn.Campaign() // a single voter need not wait an election timeout
	}
	n.wg.Add(1)
	go n.run()
	return n, nil
}

func ticks(d, tick time.Duration, min int) int {
	return max(int(d/tick), min)
}

func (n *Node) run() {
	defer n.wg.Done()
	t := time.NewTicker(n.cfg.Tick)
	defer t.Stop()
	n.afterStep() // a lone voter's campaign from Start goes on now, not a tick later
	for {
		select {
		case <-n.quit:
			return
		case <-t.C:
			n.core.tick()
		case f := <-n.inbox:
			f(n.core)
		}
		n.afterStep()
	}
}

// afterStep processes Readies, hands messages to the senders and
// publishes the status.
func (n *Node) afterStep() {
	if err := n.core.process(); err != nil {
		n.cfg.Logger.Error("metadata quorum stopped", "err", err)
	}
	for _, m := range n.core.takeOut() {
		n.peer(nodeID(m.To)).enqueue(m)
	}
	n.publish()
}

func (n *Node) publish() {
	c := n.core
	bs := c.rn.BasicStatus()
	s := &Status{NodeID: n.cfg.NodeID, Leader: -1, Term: bs.Term, LeaderReady: c.leaderReady(),
		Commit: bs.Commit, Applied: c.applied, LastIndex: c.disk.lastIndex(), Voters: c.voters, Learners: c.learners,
		LogEndOffset: c.disk.log.LogEndOffset()}
	if bs.Lead != raft.None {
		s.Leader = nodeID(bs.Lead)
	}
	s.HighWatermark = c.disk.endOffsetAt(bs.Commit)
	if c.isLeader() {
		s.Replicas = map[int32]ReplicaState{}
		c.rn.WithProgress(func(id uint64, _ raft.ProgressType, pr trackerProgress) {
			s.Replicas[nodeID(id)] = ReplicaState{LogEndOffset: c.disk.endOffsetAt(pr.Match), LastContact: c.contact[id]}
		})
		s.Observers = c.observerList()
	}
	n.status.store(s)
}

// Status returns the latest published status.
func (n *Node) Status() *Status { return n.status.load() }

// do runs f on the node's goroutine.
func (n *Node) do(ctx context.Context, f func(*core)) error {
	select {
	case n.inbox <- f:
		return nil
	case <-n.quit:
		return ErrStopped
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Propose commits recs as one batch and waits until this node applied it;
// it returns the Kafka offset of the batch's last record.
func (n *Node) Propose(ctx context.Context, recs []metadata.Record) (int64, error) {
	return n.await(ctx, func(c *core, d done) { c.propose(recs, d) })
}

// AddVoter adds v to the quorum once it has caught up with the leader's
// log (as a learner first, promote.go) and waits until the change is
// applied; ErrNotCaughtUp or ctx's error when it has not caught up by ctx's
// deadline (defaultAddTimeout without one).
func (n *Node) AddVoter(ctx context.Context, v Voter) error {
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(defaultAddTimeout)
	}
	_, err := n.await(ctx, func(c *core, d done) { c.addVoter(v, deadline, d) })
	return err
}

// defaultAddTimeout bounds AddVoter's wait for catch-up without a deadline.
const defaultAddTimeout = 30 * time.Second

// UpdateVoter gives voter v new endpoints and waits until it is applied.
func (n *Node) UpdateVoter(ctx context.Context, v Voter) error {
	_, err := n.await(ctx, func(c *core, d done) { c.proposeConf(updateVoter(v), d) })
	return err
}

// RemoveVoter removes voter id and waits until the change is applied. The
// node removed goes on following the log as a learner (Kafka's removed
// voter keeps fetching as an observer) and AddVoter can make it a voter
// again.
func (n *Node) RemoveVoter(ctx context.Context, id int32) error {
	_, err := n.await(ctx, func(c *core, d done) { c.proposeConf(c.removal(id), d) })
	return err
}

type result struct {
	off int64
	err error
}

func (n *Node) await(ctx context.Context, f func(*core, done)) (int64, error) {
	ch := make(chan result, 1)
	if err := n.do(ctx, func(c *core) { f(c, func(off int64, err error) { ch <- result{off, err} }) }); err != nil {
		return -1, err
	}
	select {
	case r := <-ch:
		return r.off, r.err
	case <-n.quit:
		return -1, ErrStopped
	case <-ctx.Done():
		return -1, ctx.Err()
	}
}

// Step hands raft messages received from a peer to the node.
func (n *Node) Step(ctx context.Context, clusterID string, msgs []raftpb.Message) error {
	if clusterID != n.cfg.ClusterID {
		return fmt.Errorf("raft: message for cluster %q, this is %q", clusterID, n.cfg.ClusterID)
	}
	return n.do(ctx, func(c *core) {
		for _, m := range msgs {
			_ = c.step(m)
		}
	})
}

// Close stops the node and its senders and closes the log.
func (n *Node) Close() error {
	var err error
	n.once.Do(func() {
		close(n.quit)
		n.wg.Wait()
		for _, p := range n.peers {
			p.stop()
		}
		err = n.core.close()
	})
	return err
}

// WaitLeader waits until the quorum has a leader (this node, ready, or
// another) and this node has applied every entry its log held at start
// that is still in it: a restarted node never serves an image older than
// the one it served before.
func (n *Node) WaitLeader(ctx context.Context) error {
	for {
		changed := n.status.changed()
		s := n.Status()
		led := s.LeaderReady || (s.Leader >= 0 && s.Leader != n.cfg.NodeID)
		if led && s.Applied >= min(n.startLast, s.LastIndex) {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("raft: no quorum leader: %w", ctx.Err())
		case <-n.quit:
			return ErrStopped
		case <-changed:
		}
	}
}
