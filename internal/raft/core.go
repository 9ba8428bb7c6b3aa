package raft

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/gofka/gofka/internal/metadata"
	"go.etcd.io/raft/v3"
	"go.etcd.io/raft/v3/raftpb"
)

var (
	// ErrNotLeader is returned for a proposal made on a node that is not
	// the quorum leader (Kafka's NOT_CONTROLLER).
	ErrNotLeader = errors.New("raft: not the quorum leader")
	// ErrLeaderChanged is returned to waiters whose leader stepped down
	// before their proposal was applied; it may still commit.
	ErrLeaderChanged = errors.New("raft: leader changed before the proposal was applied")
	// ErrStopped is returned once the node has stopped.
	ErrStopped = errors.New("raft: stopped")
	// ErrNoVoters is returned when a new quorum has no voters to start with.
	ErrNoVoters    = errors.New("raft: no voters to bootstrap the quorum")
	errUnknownPeer = errors.New("raft: no endpoint for peer")
)

// StateMachine is what the quorum's committed entries are applied to.
// Its methods are called on the node's goroutine, in log order.
type StateMachine interface {
	// Apply applies one committed batch; lastOffset is the Kafka offset of
	// its last record.
	Apply(lastOffset int64, recs []metadata.Record) error
	// Restore replaces the state with a snapshot's records.
	Restore(lastOffset int64, recs []metadata.Record) error
	// Snapshot returns records that rebuild the current state.
	Snapshot() []metadata.Record
}

// coreConfig configures a core.
type coreConfig struct {
	NodeID    int32
	Dir       string
	ClusterID string
	// Voters bootstraps a new quorum: written as the first snapshot when
	// Dir holds none. Empty for a node that joins an existing quorum.
	Voters []Voter
	// Bootstrap holds records for the first snapshot of a new quorum, which
	// ends at Kafka offset BootstrapEnd (a data dir upgraded in place).
	Bootstrap      []metadata.Record
	BootstrapEnd   int64
	ElectionTicks  int
	HeartbeatTicks int
	// SnapshotBytes and SnapshotInterval trigger a snapshot after that many
	// bytes of committed batches or that long since the last one.
	SnapshotBytes    int64
	SnapshotInterval time.Duration
	// ObserverTimeout is how long the leader lists an observer after its
	// last fetch, and replicates to a learner after its last answer
	// (observers.go); DefaultObserverTimeout when 0.
	ObserverTimeout time.Duration
	SM              StateMachine
	Now             func() time.Time
	Logger          *slog.Logger
}

// done receives a proposal's outcome: the Kafka offset of its last record.
type done func(offset int64, err error)

// core is one quorum member without goroutines or sockets: tick, step and
// propose feed it; process persists, applies and queues messages in out.
type core struct {
	cfg  coreConfig
	rn   *raft.RawNode
	mem  *raft.MemoryStorage
	disk *diskLog

	hard        raftpb.HardState // as last written to quorum-state
	stateAt     time.Time        // when quorum-state was last written
	lead        uint64
	voters      []Voter // the applied configuration
	learners    []Voter // removed voters the leader still replicates to
	confState   raftpb.ConfState
	applied     uint64
	appliedTerm uint64
	sinceSnap   int64
	snapNow     bool
	lastSnap    time.Time

	nextID      uint64
	waiters     map[uint64]done
	confWaiter  done
	confPending []byte
	promoting   *promotion // a voter addition waiting for its learner (promote.go)
	out         []raftpb.Message
	contact     map[uint64]time.Time // when each peer last answered
	broken      error

	observers   map[int32]*ObserverState // broker-only nodes fetching from this leader
	leaderSince time.Time                // when this node last became leader or stepped down
	quiet       map[uint64]bool          // learners not answering (observers.go)
	probed      map[uint64]time.Time     // when a quiet learner was last sent a heartbeat
}

// openCore loads the newest snapshot, the log after it and the quorum
// state from cfg.Dir (bootstrapping a new quorum there first).
func openCore(cfg coreConfig) (*core, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.ObserverTimeout <= 0 {
		cfg.ObserverTimeout = DefaultObserverTimeout
	}
	c := &core{cfg: cfg, mem: raft.NewMemoryStorage(), waiters: map[uint64]done{}, contact: map[uint64]time.Time{},
		nextID: uint64(cfg.Now().UnixNano()), lastSnap: cfg.Now(), observers: map[int32]*ObserverState{},
		quiet: map[uint64]bool{}, probed: map[uint64]time.Time{}}
	if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("raft: %w", err)
	}
	snap, err := c.loadSnapshot()
	if err != nil {
		return nil, err
	}
	if err := c.loadLog(snap); err != nil {
		return nil, err
	}
	if err := c.loadState(); err != nil {
		c.disk.close()
		return nil, err
	}
	return c, nil
}

// loadSnapshot restores the newest snapshot, writing the bootstrap one
// first when there is none.
func (c *core) loadSnapshot() (*snapshotFile, error) {
	snaps, err := listSnapshots(c.cfg.Dir)
	if err != nil {
		return nil, err
	}
	if len(snaps) == 0 {
		return c.bootstrap()
	}
	newest := snaps[len(snaps)-1]
	s, data, err := readSnapshot(c.cfg.Dir, newest.name)
	if err != nil {
		return nil, err
	}
	if s.mark.endOffset != newest.endOffset || s.mark.term != newest.epoch {
		return nil, fmt.Errorf("raft: snapshot %s: %w: header says end offset %d epoch %d",
			newest.name, errCorrupt, s.mark.endOffset, s.mark.term)
	}
	return s, c.restore(s, data)
}

// bootstrapMark is where a new quorum's first snapshot sits: index 1 in
// term 1 (etcd raft cannot take a snapshot at index 0), before any record.
var bootstrapMark = snapshotMark{index: 1, term: 1, endOffset: 0}

// bootstrap writes the first snapshot of a new quorum with its voters. A
// node without voters (joining later) starts empty and waits for the
// leader's snapshot.
func (c *core) bootstrap() (*snapshotFile, error) {
	s := &snapshotFile{mark: snapshotMark{}, voters: nil}
	if len(c.cfg.Voters) == 0 {
		return s, nil
	}
	mark := bootstrapMark
	mark.endOffset = c.cfg.BootstrapEnd
	s = &snapshotFile{mark: mark, voters: c.cfg.Voters, records: c.cfg.Bootstrap}
	data, err := s.encode(c.cfg.Now().UnixMilli())
	if err != nil {
		return nil, err
	}
	if err := writeSnapshotFile(c.cfg.Dir, s.mark, data); err != nil {
		return nil, err
	}
	return s, c.restore(s, data)
}

// restore makes s the state of the storage and the state machine.
func (c *core) restore(s *snapshotFile, data []byte) error {
	if s.mark.index == 0 {
		return nil
	}
	cs := confStateOf(s.voters, s.learners)
	err := c.mem.ApplySnapshot(raftpb.Snapshot{Data: data, Metadata: raftpb.SnapshotMetadata{
		Index: s.mark.index, Term: s.mark.term, ConfState: cs}})
	if err != nil {
		return fmt.Errorf("raft: apply snapshot: %w", err)
	}
	if err := c.cfg.SM.Restore(s.mark.endOffset-1, s.records); err != nil {
		return fmt.Errorf("raft: restore snapshot at %d: %w", s.mark.endOffset, err)
	}
	c.voters, c.learners, c.confState = s.voters, s.learners, cs
	c.applied, c.appliedTerm, c.sinceSnap = s.mark.index, s.mark.term, 0
	return nil
}

func confStateOf(voters, learners []Voter) raftpb.ConfState {
	var cs raftpb.ConfState
	for _, v := range voters {
		cs.Voters = append(cs.Voters, raftID(v.ID))
	}
	for _, v := range learners {
		cs.Learners = append(cs.Learners, raftID(v.ID))
	}
	return cs
}

// loadLog opens the log after the snapshot into the memory storage.
func (c *core) loadLog(s *snapshotFile) error {
	d, ents, err := openDiskLog(c.cfg.Dir, s.mark, s.voters, c.cfg.Logger)
	if err != nil {
		return err
	}
	c.disk = d
	if err := c.mem.Append(ents); err != nil {
		d.close()
		return fmt.Errorf("raft: load entries: %w", err)
	}
	return nil
}

// loadState reads quorum-state and starts the RawNode.
func (c *core) loadState() error {
	hs, cluster, err := readState(c.cfg.Dir)
	if err != nil {
		return err
	}
	if cluster != "" && c.cfg.ClusterID != "" && cluster != c.cfg.ClusterID {
		return fmt.Errorf("raft: %s belongs to cluster %s, not %s", c.cfg.Dir, cluster, c.cfg.ClusterID)
	}
	first, _ := c.mem.FirstIndex()
	last, _ := c.mem.LastIndex()
	if hs.Commit > last {
		return fmt.Errorf("raft: %w: the metadata log in %s ends at entry %d, but entries up to %d were committed "+
			"(a corrupt or truncated segment?)", errCorrupt, c.cfg.Dir, last, hs.Commit)
	}
	hs.Commit = max(hs.Commit, first-1)
	if !raft.IsEmptyHardState(hs) {
		if err := c.mem.SetHardState(hs); err != nil {
			return fmt.Errorf("raft: %w", err)
		}
	}
	c.hard = hs
	rn, err := raft.NewRawNode(&raft.Config{
		ID: raftID(c.cfg.NodeID), ElectionTick: c.cfg.ElectionTicks, HeartbeatTick: c.cfg.HeartbeatTicks,
		Storage: c.mem, Applied: c.applied, MaxSizePerMsg: 1 << 20, MaxInflightMsgs: 256,
		MaxUncommittedEntriesSize: 64 << 20, CheckQuorum: true, PreVote: true,
		DisableProposalForwarding: true, StepDownOnRemoval: true, Logger: raftLogger{c.cfg.Logger},
	})
	if err != nil {
		return fmt.Errorf("raft: %w", err)
	}
	c.rn = rn
	return nil
}

func (c *core) close() error { return c.disk.close() }

// tick advances the logical clock.
func (c *core) tick() {
	c.rn.Tick()
	c.expireObservers()
	c.checkPromotion()
}

// step hands a message from a peer to raft.
func (c *core) step(m raftpb.Message) error {
	if c.broken != nil {
		return c.broken
	}
	if m.Type == raftpb.MsgAppResp || m.Type == raftpb.MsgHeartbeatResp {
		c.contact[m.From] = c.cfg.Now()
	}
	return c.rn.Step(m)
}

// isLeader reports whether this node leads the quorum.
func (c *core) isLeader() bool { return c.rn.BasicStatus().RaftState == raft.StateLeader }

// leaderReady reports whether this node leads and has applied everything
// committed before its term (its own term's first entry).
func (c *core) leaderReady() bool { return c.isLeader() && c.appliedTerm == c.rn.BasicStatus().Term }

// propose proposes recs as one batch; d gets the outcome once applied.
func (c *core) propose(recs []metadata.Record, d done) {
	if err := c.proposeErr(); err != nil {
		d(-1, err)
		return
	}
	c.nextID++
	id := c.nextID
	data, err := proposalData(id, recs, c.cfg.Now().UnixMilli())
	if err == nil {
		err = c.rn.Propose(data)
	}
	if err != nil {
		d(-1, fmt.Errorf("raft: propose: %w", err))
		return
	}
	c.waiters[id] = d
}

func (c *core) proposeErr() error {
	switch {
	case c.broken != nil:
		return c.broken
	case !c.leaderReady():
		return ErrNotLeader
	}
	return nil
}

// removal is the configuration change RemoveRaftVoter of voter id makes:
// its demotion to a learner, which goes on following the log.
func (c *core) removal(id int32) raftpb.ConfChangeV2 {
	if i := slices.IndexFunc(c.voters, func(v Voter) bool { return v.ID == id }); i >= 0 {
		return addLearner(c.voters[i])
	}
	return removeVoter(id)
}

// proposeConf proposes one configuration change; d gets the outcome.
func (c *core) proposeConf(cc raftpb.ConfChangeV2, d done) {
	if err := c.proposeErr(); err != nil {
		d(-1, err)
		return
	}
	if c.confWaiter != nil {
		d(-1, errVoterChangeBusy)
		return
	}
	data, _ := cc.Marshal()
	if err := c.rn.ProposeConfChange(cc); err != nil {
		d(-1, fmt.Errorf("raft: propose voter change: %w", err))
		return
	}
	c.confWaiter, c.confPending = d, data
}

// process handles every pending Ready: persist, queue messages, apply.
func (c *core) process() error {
	for c.broken == nil && c.rn.HasReady() {
		if err := c.handle(c.rn.Ready()); err != nil {
			c.broken = fmt.Errorf("raft: node %d stopped: %w", c.cfg.NodeID, err)
			c.failWaiters(c.broken)
			return c.broken
		}
	}
	c.checkPromotion()
	return c.broken
}

func (c *core) handle(rd raft.Ready) error {
	if rd.SoftState != nil {
		c.softState(*rd.SoftState)
	}
	if !raft.IsEmptySnap(rd.Snapshot) {
		if err := c.install(rd.Snapshot); err != nil {
			return err
		}
	}
	if err := c.persist(rd); err != nil {
		return err
	}
	c.out = append(c.out, rd.Messages...)
	if err := c.apply(rd.CommittedEntries); err != nil {
		return err
	}
	c.rn.Advance(rd)
	return c.maybeSnapshot()
}

// softState notes the leader; waiters of a leader that stepped down fail.
func (c *core) softState(ss raft.SoftState) {
	if ss.RaftState != raft.StateLeader {
		c.failWaiters(ErrLeaderChanged)
	}
	if ss.Lead != c.lead {
		c.resetFollowers()
	}
	c.lead = ss.Lead
}

func (c *core) failWaiters(err error) {
	for id, d := range c.waiters {
		d(-1, err)
		delete(c.waiters, id)
	}
	if c.confWaiter != nil {
		w := c.confWaiter
		c.confWaiter, c.confPending = nil, nil
		w(-1, err)
	}
	c.failPromotion(err)
}

// persist writes entries, fsyncs, and writes quorum-state when the term,
// vote or leader changed, and at most once a second when only the commit
// index advanced: the commit it holds may lag, but a log that lost entries
// below it (a corrupt segment) is refused at open.
func (c *core) persist(rd raft.Ready) error {
	if err := c.disk.append(rd.Entries, nodeID(max(c.lead, 1))); err != nil {
		return err
	}
	if err := c.mem.Append(rd.Entries); err != nil {
		return fmt.Errorf("raft: %w", err)
	}
	if len(rd.Entries) > 0 {
		if err := c.disk.sync(); err != nil {
			return err
		}
	}
	if raft.IsEmptyHardState(rd.HardState) {
		return nil
	}
	if err := c.mem.SetHardState(rd.HardState); err != nil {
		return fmt.Errorf("raft: %w", err)
	}
	hs := rd.HardState
	commitDue := hs.Commit > c.hard.Commit && c.cfg.Now().Sub(c.stateAt) >= time.Second
	if hs.Term == c.hard.Term && hs.Vote == c.hard.Vote && !commitDue {
		return nil
	}
	if err := writeState(c.cfg.Dir, c.cfg.ClusterID, hs, c.lead); err != nil {
		return err
	}
	c.hard, c.stateAt = hs, c.cfg.Now()
	return nil
}

// apply hands committed entries to the state machine in order.
func (c *core) apply(ents []raftpb.Entry) error {
	for _, e := range ents {
		if e.Index <= c.applied {
			continue
		}
		if err := c.applyOne(e); err != nil {
			return fmt.Errorf("raft: apply entry %d: %w", e.Index, err)
		}
		c.applied, c.appliedTerm = e.Index, e.Term
		c.sinceSnap += int64(len(e.Data))
	}
	return nil
}

func (c *core) applyOne(e raftpb.Entry) error {
	switch {
	case e.Type == raftpb.EntryConfChangeV2:
		return c.applyConf(e)
	case e.Type != raftpb.EntryNormal || len(e.Data) == 0:
		return nil
	}
	recs, err := decodeRecords(e.Data[idSize:])
	if err != nil {
		return err
	}
	off := c.disk.endOffset(e.Index) - 1
	if err := c.cfg.SM.Apply(off, recs); err != nil {
		return err
	}
	if d, ok := c.waiters[proposalID(e.Data)]; ok {
		delete(c.waiters, proposalID(e.Data))
		d(off, nil)
	}
	return nil
}

func (c *core) applyConf(e raftpb.Entry) error {
	var cc raftpb.ConfChangeV2
	if err := cc.Unmarshal(e.Data); err != nil {
		return corruptf("conf change: %v", err)
	}
	voters, learners, err := confMembers(c.voters, c.learners, cc)
	if err != nil {
		return err
	}
	c.confState = *c.rn.ApplyConfChange(cc)
	c.voters, c.learners = voters, learners
	// A node added here takes a snapshot that names it: etcd raft refuses
	// one from before its addition. Snapshot at once.
	c.snapNow = true
	if c.confWaiter != nil && slices.Equal(c.confPending, e.Data) {
		w := c.confWaiter
		c.confWaiter, c.confPending = nil, nil
		w(c.disk.endOffset(e.Index)-1, nil)
	}
	return nil
}

// install makes a snapshot sent by the leader this node's state.
func (c *core) install(snap raftpb.Snapshot) error {
	s, err := parseSnapshot(snap.Data)
	if err != nil {
		return err
	}
	if s.mark.index != snap.Metadata.Index || s.mark.term != snap.Metadata.Term {
		return fmt.Errorf("raft: snapshot %d/%d: %w: header says %d/%d", snap.Metadata.Index,
			snap.Metadata.Term, errCorrupt, s.mark.index, s.mark.term)
	}
	if err := writeSnapshotFile(c.cfg.Dir, s.mark, snap.Data); err != nil {
		return err
	}
	if err := c.disk.reset(s.mark, s.voters); err != nil {
		return err
	}
	if err := c.mem.ApplySnapshot(snap); err != nil {
		return fmt.Errorf("raft: install snapshot: %w", err)
	}
	if err := c.cfg.SM.Restore(s.mark.endOffset-1, s.records); err != nil {
		return fmt.Errorf("raft: restore snapshot: %w", err)
	}
	c.voters, c.learners, c.confState = s.voters, s.learners, snap.Metadata.ConfState
	c.applied, c.appliedTerm, c.sinceSnap = s.mark.index, s.mark.term, 0
	c.lastSnap = c.cfg.Now()
	return nil
}

// maybeSnapshot snapshots the state machine when enough was applied since
// the last snapshot, or long enough ago.
func (c *core) maybeSnapshot() error {
	snapIndex := c.disk.first - 1
	if c.applied <= snapIndex {
		return nil
	}
	due := c.snapNow || c.sinceSnap >= c.cfg.SnapshotBytes ||
		(c.cfg.SnapshotInterval > 0 && c.cfg.Now().Sub(c.lastSnap) >= c.cfg.SnapshotInterval)
	if !due {
		return nil
	}
	return c.snapshot()
}

// snapshot writes a snapshot at the applied index and drops the log up to it.
func (c *core) snapshot() error {
	term, err := c.mem.Term(c.applied)
	if err != nil {
		return fmt.Errorf("raft: snapshot: %w", err)
	}
	s := &snapshotFile{
		mark:     snapshotMark{index: c.applied, term: term, endOffset: c.disk.endOffset(c.applied)},
		voters:   c.voters,
		learners: c.learners,
		records:  c.cfg.SM.Snapshot(),
	}
	data, err := s.encode(c.cfg.Now().UnixMilli())
	if err != nil {
		return err
	}
	if err := writeSnapshotFile(c.cfg.Dir, s.mark, data); err != nil {
		return err
	}
	if _, err := c.mem.CreateSnapshot(c.applied, &c.confState, data); err != nil {
		return fmt.Errorf("raft: snapshot: %w", err)
	}
	if err := c.mem.Compact(c.applied); err != nil {
		return fmt.Errorf("raft: compact: %w", err)
	}
	c.sinceSnap, c.lastSnap, c.snapNow = 0, c.cfg.Now(), false
	c.cfg.Logger.Info("metadata snapshot written", "index", c.applied, "end.offset", s.mark.endOffset, "records", len(s.records))
	return c.disk.compact(c.applied, c.voters)
}

// takeOut returns and clears the messages to send (but those to a quiet
// learner, which are dropped).
func (c *core) takeOut() []raftpb.Message {
	out := slices.DeleteFunc(c.out, func(m raftpb.Message) bool { return !c.keep(m) })
	c.out = nil
	return out
}

// WriteBootstrap writes the first snapshot of a new quorum, naming its
// voters, into dir (gofka format --standalone or --initial-controllers).
// A dir that has a snapshot already is refused.
func WriteBootstrap(dir string, voters []Voter) error {
	snaps, err := listSnapshots(dir)
	if err != nil {
		return err
	}
	if len(snaps) > 0 {
		return fmt.Errorf("raft: %s holds a metadata snapshot already", dir)
	}
	if len(voters) == 0 {
		return ErrNoVoters
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("raft: %w", err)
	}
	s := &snapshotFile{mark: bootstrapMark, voters: voters}
	data, err := s.encode(time.Now().UnixMilli())
	if err != nil {
		return err
	}
	return writeSnapshotFile(dir, s.mark, data)
}

// BootstrapRecordsFile is where gofka format leaves the records a new
// cluster starts with (kafka-storage format --add-scram writes Kafka's
// bootstrap.checkpoint there too), in the metadata log dir.
const BootstrapRecordsFile = "bootstrap.checkpoint"

// WriteBootstrapRecords writes recs to dir/bootstrap.checkpoint, a
// snapshot-format file the active controller of a new cluster commits
// with its first records (gofka format --add-scram).
func WriteBootstrapRecords(dir string, recs []metadata.Record) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("raft: %w", err)
	}
	data, err := (&snapshotFile{records: recs}).encode(time.Now().UnixMilli())
	if err != nil {
		return err
	}
	path := filepath.Join(dir, BootstrapRecordsFile)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return fmt.Errorf("raft: write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("raft: write %s: %w", path, err)
	}
	return nil
}

// ReadBootstrapRecords reads dir/bootstrap.checkpoint; none when there is
// no such file.
func ReadBootstrapRecords(dir string) ([]metadata.Record, error) {
	data, err := os.ReadFile(filepath.Join(dir, BootstrapRecordsFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("raft: %w", err)
	}
	s, err := parseSnapshot(data)
	if err != nil {
		return nil, fmt.Errorf("raft: %s: %w", BootstrapRecordsFile, err)
	}
	return s.records, nil
}
