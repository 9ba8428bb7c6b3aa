package raft

import (
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/gofka/gofka/internal/metadata"
	"go.etcd.io/raft/v3"
	"go.etcd.io/raft/v3/raftpb"
)

// namesSM is a state machine that keeps the names of applied TopicRecords.
type namesSM struct {
	names      []string
	lastOffset int64
}

func (s *namesSM) Apply(off int64, recs []metadata.Record) error {
	if off <= s.lastOffset {
		return fmt.Errorf("offset %d not after %d", off, s.lastOffset)
	}
	for _, r := range recs {
		s.names = append(s.names, r.(*metadata.TopicRecord).Name)
	}
	s.lastOffset = off
	return nil
}

func (s *namesSM) Restore(off int64, recs []metadata.Record) error {
	s.names, s.lastOffset = nil, off
	for _, r := range recs {
		s.names = append(s.names, r.(*metadata.TopicRecord).Name)
	}
	return nil
}

func (s *namesSM) Snapshot() []metadata.Record {
	var out []metadata.Record
	for _, n := range s.names {
		out = append(out, topic(n))
	}
	return out
}

func topic(name string) *metadata.TopicRecord {
	r := metadata.NewTopicRecord()
	r.Name = name
	return r
}

// cluster is cores wired through an in-memory network driven by hand:
// deterministic, with no goroutines, sockets or sleeps.
type cluster struct {
	t      *testing.T
	dir    string
	voters []Voter
	nodes  map[int32]*core
	sms    map[int32]*namesSM
	cut    map[[2]int32]bool // links that drop messages
	sent   map[int32]int     // messages sent to each node
	now    time.Time
	snapB  int64

	lastMsgs []string
}

func newCluster(t *testing.T, n int) *cluster {
	c := &cluster{t: t, dir: t.TempDir(), nodes: map[int32]*core{}, sms: map[int32]*namesSM{},
		cut: map[[2]int32]bool{}, sent: map[int32]int{}, now: time.Unix(1700000000, 0), snapB: 1 << 30}
	for id := int32(1); id <= int32(n); id++ {
		c.voters = append(c.voters, Voter{ID: id, Listener: "CONTROLLER", Host: "127.0.0.1", Port: uint16(9000 + id)})
	}
	for _, v := range c.voters {
		c.start(v.ID, c.voters)
	}
	t.Cleanup(func() {
		for _, n := range c.nodes {
			n.close()
		}
	})
	return c
}

// start opens node id from its directory (bootstrapping with voters).
func (c *cluster) start(id int32, voters []Voter) {
	c.t.Helper()
	sm := &namesSM{lastOffset: -1}
	n, err := openCore(coreConfig{NodeID: id, Dir: filepath.Join(c.dir, fmt.Sprint(id)), ClusterID: "test",
		Voters: voters, ElectionTicks: 10, HeartbeatTicks: 1, SnapshotBytes: c.snapB, SM: sm,
		Now: func() time.Time { return c.now }})
	if err != nil {
		c.t.Fatalf("open node %d: %v", id, err)
	}
	c.nodes[id], c.sms[id] = n, sm
}

// stop closes node id as a crash would leave it (nothing more is written).
func (c *cluster) stop(id int32) {
	c.nodes[id].close()
	delete(c.nodes, id)
}

// deliver runs Readies and delivers messages until the network is quiet.
func (c *cluster) deliver() {
	c.t.Helper()
	for round := 0; round < 1000; round++ {
		var msgs []raftpb.Message
		for _, id := range c.ids() {
			if err := c.nodes[id].process(); err != nil {
				c.t.Fatalf("node %d: %v", id, err)
			}
			msgs = append(msgs, c.nodes[id].takeOut()...)
		}
		if len(msgs) == 0 {
			return
		}
		c.lastMsgs = nil
		for _, m := range msgs {
			c.lastMsgs = append(c.lastMsgs, fmt.Sprintf("%v %d->%d i%d t%d rej%v", m.Type, m.From, m.To, m.Index, m.Term, m.Reject))
		}
		for _, m := range msgs {
			from, to := nodeID(m.From), nodeID(m.To)
			c.sent[to]++
			n, ok := c.nodes[to]
			if !ok || c.cut[[2]int32{from, to}] || c.cut[[2]int32{to, from}] {
				if m.Type == raftpb.MsgSnap && c.nodes[from] != nil {
					c.nodes[from].rn.ReportSnapshot(m.To, raft.SnapshotFailure) // as a peer's failed send
				}
				continue
			}
			_ = n.step(m)
			if m.Type == raftpb.MsgSnap {
				c.nodes[from].rn.ReportSnapshot(m.To, 0)
			}
		}
	}
	c.t.Fatalf("network did not quiesce: %v", c.lastMsgs)
}

func (c *cluster) ids() []int32 {
	var ids []int32
	for id := range c.nodes {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// tick advances every node's clock by n ticks, delivering after each.
func (c *cluster) tick(n int) {
	for i := 0; i < n; i++ {
		c.now = c.now.Add(100 * time.Millisecond)
		for _, id := range c.ids() {
			c.nodes[id].tick()
		}
		c.deliver()
	}
}

// leader ticks until one node is a ready leader and returns it.
func (c *cluster) leader() int32 {
	c.t.Helper()
	for i := 0; i < 100; i++ {
		for _, id := range c.ids() {
			if c.nodes[id].leaderReady() {
				return id
			}
		}
		c.tick(1)
	}
	c.t.Fatal("no leader elected")
	return -1
}

// propose proposes topic names on the leader and waits for them.
func (c *cluster) propose(names ...string) {
	c.t.Helper()
	l := c.leader()
	for _, name := range names {
		var got error = errPending
		c.nodes[l].propose([]metadata.Record{topic(name)}, func(_ int64, err error) { got = err })
		c.deliver()
		if got != nil {
			c.t.Fatalf("propose %s on %d: %v", name, l, got)
		}
	}
}

var errPending = fmt.Errorf("pending")

// expect checks that every running node applied exactly names.
func (c *cluster) expect(names ...string) {
	c.t.Helper()
	c.tick(3)
	for _, id := range c.ids() {
		if got := c.sms[id].names; !slices.Equal(got, names) {
			c.t.Errorf("node %d applied %v, want %v", id, got, names)
		}
	}
}

// conf proposes a configuration change on the leader and waits for it.
func (c *cluster) conf(cc raftpb.ConfChangeV2) {
	c.t.Helper()
	var got error = errPending
	c.nodes[c.leader()].proposeConf(cc, func(_ int64, err error) { got = err })
	c.deliver()
	c.tick(3)
	if got != nil {
		c.t.Fatalf("conf change %v: %v", cc.Changes, got)
	}
}

// follower is node 1, or 2 when 1 leads.
func (c *cluster) follower() int32 {
	if c.leader() == 1 {
		return 2
	}
	return 1
}
