package raft

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gofka/gofka/internal/metadata"
)

func TestElectAndReplicate(t *testing.T) {
	c := newCluster(t, 3)
	c.propose("a", "b", "c")
	c.expect("a", "b", "c")
}

func TestSingleVoter(t *testing.T) {
	c := newCluster(t, 1)
	c.propose("a")
	c.expect("a")
}

func TestProposeOnFollowerFails(t *testing.T) {
	c := newCluster(t, 3)
	l := c.leader()
	for _, id := range c.ids() {
		if id == l {
			continue
		}
		var got error
		c.nodes[id].propose([]metadata.Record{topic("x")}, func(_ int64, err error) { got = err })
		if !errors.Is(got, ErrNotLeader) {
			t.Fatalf("follower %d: got %v, want ErrNotLeader", id, got)
		}
	}
}

func TestRestartReplaysLog(t *testing.T) {
	c := newCluster(t, 3)
	c.propose("a", "b")
	for _, id := range c.ids() {
		c.stop(id)
	}
	for _, v := range c.voters {
		c.start(v.ID, c.voters)
	}
	c.propose("c")
	c.expect("a", "b", "c")
}

func TestLeaderFailover(t *testing.T) {
	c := newCluster(t, 3)
	c.propose("a")
	old := c.leader()
	c.stop(old)
	c.propose("b")
	if c.leader() == old {
		t.Fatal("stopped node still leads")
	}
	c.start(old, c.voters)
	c.expect("a", "b")
}

// An isolated leader's uncommitted entries are truncated when it rejoins,
// on disk too: after a restart it replays the new leader's log.
func TestTruncateUncommitted(t *testing.T) {
	c := newCluster(t, 3)
	c.propose("a")
	old := c.leader()
	for _, id := range c.ids() {
		if id != old {
			c.cut[[2]int32{old, id}] = true
		}
	}
	var lost error = errPending
	c.nodes[old].propose([]metadata.Record{topic("lost")}, func(_ int64, err error) { lost = err })
	c.deliver()
	c.tick(30) // the others elect a new leader; the old one steps down (CheckQuorum)
	if lost == nil || lost == errPending {
		t.Fatalf("isolated proposal: got %v, want a failure", lost)
	}
	c.propose("b")
	c.cut = map[[2]int32]bool{}
	c.expect("a", "b")
	c.stop(old)
	c.start(old, c.voters)
	c.expect("a", "b")
}

// A node that was down while the log was compacted into a snapshot catches
// up from the snapshot, and restarts from it.
func TestSnapshotCatchUp(t *testing.T) {
	c := newCluster(t, 3)
	c.snapB = 1 // every apply snapshots
	for _, id := range c.ids() {
		c.nodes[id].cfg.SnapshotBytes = 1
	}
	c.propose("a")
	l := c.leader()
	var down int32
	for _, id := range c.ids() {
		if id != l {
			down = id
			break
		}
	}
	c.stop(down)
	var want []string
	want = append(want, "a")
	for i := 0; i < 20; i++ {
		name := fmt.Sprint("t", i)
		c.propose(name)
		want = append(want, name)
	}
	if c.nodes[l].disk.first <= 2 {
		t.Fatalf("leader log not compacted: first index %d", c.nodes[l].disk.first)
	}
	c.start(down, c.voters)
	c.expect(want...)
	snaps, _ := listSnapshots(filepath.Join(c.dir, fmt.Sprint(down)))
	if len(snaps) != 1 || snaps[0].endOffset == 0 {
		t.Fatalf("caught-up node's snapshots: %v", snaps)
	}
	for _, id := range c.ids() {
		c.stop(id)
	}
	for _, v := range c.voters {
		c.start(v.ID, c.voters)
	}
	c.expect(want...)
}

func TestAddAndRemoveVoter(t *testing.T) {
	c := newCluster(t, 3)
	c.propose("a")
	l := c.leader()
	c.start(4, nil) // a new node joins with no configuration
	v4 := Voter{ID: 4, Listener: "CONTROLLER", Host: "127.0.0.1", Port: 9004}
	var got error = errPending
	c.nodes[l].proposeConf(addVoter(v4), func(_ int64, err error) { got = err })
	c.deliver()
	c.tick(5)
	if got != nil {
		t.Fatalf("add voter: %v", got)
	}
	c.propose("b")
	c.expect("a", "b")
	if vs := c.nodes[4].voters; len(vs) != 4 || vs[3] != v4 {
		t.Fatalf("node 4 voters: %+v", vs)
	}
	// Remove a follower; the remaining three keep committing.
	var rm int32
	for _, id := range c.ids() {
		if id != l && id != 4 {
			rm = id
			break
		}
	}
	got = errPending
	c.nodes[l].proposeConf(removeVoter(rm), func(_ int64, err error) { got = err })
	c.deliver()
	if got != nil {
		t.Fatalf("remove voter: %v", got)
	}
	c.stop(rm)
	c.propose("c")
	c.expect("a", "b", "c")
	// The configuration survives a restart of everyone.
	for _, id := range c.ids() {
		c.stop(id)
	}
	for id := int32(1); id <= 4; id++ {
		if id != rm {
			c.start(id, nil)
		}
	}
	c.propose("d")
	c.expect("a", "b", "c", "d")
	if n := len(c.nodes[c.leader()].voters); n != 3 {
		t.Fatalf("voters after restart: %d, want 3", n)
	}
}

func TestCorruptSnapshotStopsOpen(t *testing.T) {
	c := newCluster(t, 1)
	c.propose("a")
	c.stop(1)
	dir := filepath.Join(c.dir, "1")
	snaps, _ := listSnapshots(dir)
	path := filepath.Join(dir, snaps[len(snaps)-1].name)
	data, _ := os.ReadFile(path)
	data[len(data)-3] ^= 0xff
	os.WriteFile(path, data, 0o644)
	_, err := openCore(coreConfig{NodeID: 1, Dir: dir, SM: &namesSM{}, ElectionTicks: 10, HeartbeatTicks: 1})
	if err == nil {
		t.Fatal("open with a corrupt snapshot succeeded")
	}
	if want := snaps[len(snaps)-1].name; !strings.Contains(err.Error(), want) {
		t.Fatalf("error %q does not name %s", err, want)
	}
}

func TestOtherClusterRefused(t *testing.T) {
	c := newCluster(t, 1)
	c.propose("a")
	c.stop(1)
	_, err := openCore(coreConfig{NodeID: 1, Dir: filepath.Join(c.dir, "1"), ClusterID: "other",
		SM: &namesSM{}, ElectionTicks: 10, HeartbeatTicks: 1})
	if err == nil || !strings.Contains(err.Error(), "belongs to cluster test") {
		t.Fatalf("got %v", err)
	}
}

// A metadata log that lost committed entries (a truncated or corrupt
// segment) is refused at open, naming the directory.
func TestTruncatedLogRefused(t *testing.T) {
	c := newCluster(t, 1)
	c.propose("a", "b")
	c.tick(15) // past a second: quorum-state records the commit
	c.propose("c")
	c.tick(15)
	c.stop(1)
	dir := filepath.Join(c.dir, "1")
	segs, _ := filepath.Glob(filepath.Join(dir, "*.log"))
	if len(segs) != 1 {
		t.Fatalf("segments: %v", segs)
	}
	st, _ := os.Stat(segs[0])
	if err := os.Truncate(segs[0], st.Size()/3); err != nil {
		t.Fatal(err)
	}
	_, err := openCore(coreConfig{NodeID: 1, Dir: dir, SM: &namesSM{}, ElectionTicks: 10, HeartbeatTicks: 1, ClusterID: "test"})
	if err == nil || !strings.Contains(err.Error(), "corrupt or truncated") || !strings.Contains(err.Error(), dir) {
		t.Fatalf("got %v, want a refusal naming %s", err, dir)
	}
}

// A voter removed (RemoveRaftVoter) becomes a learner: it knows the leader
// and goes on applying the committed log, past a snapshot the leader took
// while it was cut off, through a restart of everyone; AddVoter makes it a
// voter again.
func TestRemovedVoterFollows(t *testing.T) {
	c := newCluster(t, 3)
	c.propose("a")
	l, rm := c.leader(), c.follower()
	c.conf(c.nodes[l].removal(rm))
	c.propose("b")
	c.expect("a", "b")
	for _, id := range c.ids() {
		n := c.nodes[id]
		if len(n.voters) != 2 || slices.ContainsFunc(n.voters, func(v Voter) bool { return v.ID == rm }) ||
			len(n.learners) != 1 || n.learners[0].ID != rm || n.learners[0].Port != uint16(9000+rm) {
			t.Fatalf("node %d: voters %v learners %v", id, n.voters, n.learners)
		}
	}
	if lead := c.nodes[rm].rn.BasicStatus().Lead; lead != raftID(l) {
		t.Fatalf("removed node's leader %d, want %d", nodeID(lead), l)
	}

	// Cut off, the removed node misses entries the leader then drops in a
	// snapshot; healed, it catches up from that snapshot.
	c.cut[[2]int32{l, rm}] = true
	for _, id := range c.ids() {
		c.nodes[id].cfg.SnapshotBytes = 1
	}
	c.propose("c", "d")
	if first, _ := c.nodes[l].mem.FirstIndex(); first <= c.nodes[rm].applied+1 {
		t.Fatalf("leader's log starts at %d, the removed node applied %d: no snapshot between", first, c.nodes[rm].applied)
	}
	delete(c.cut, [2]int32{l, rm})
	c.expect("a", "b", "c", "d")

	// The learner survives a restart of everyone (it is in the snapshots).
	for _, id := range c.ids() {
		c.stop(id)
	}
	for id := int32(1); id <= 3; id++ {
		c.start(id, nil)
	}
	c.propose("e")
	c.expect("a", "b", "c", "d", "e")
	if n := c.nodes[c.leader()]; len(n.voters) != 2 || len(n.learners) != 1 {
		t.Fatalf("after restart: voters %v learners %v", n.voters, n.learners)
	}

	// Added back, it votes again.
	c.conf(addVoter(c.voters[rm-1]))
	c.propose("f")
	c.expect("a", "b", "c", "d", "e", "f")
	for _, id := range c.ids() {
		if n := c.nodes[id]; len(n.voters) != 3 || len(n.learners) != 0 {
			t.Fatalf("node %d after re-adding: voters %v learners %v", id, n.voters, n.learners)
		}
	}
}

// The leader removing itself steps down; the other two elect a leader and
// the old one follows it.
func TestRemovedLeaderFollows(t *testing.T) {
	c := newCluster(t, 3)
	c.propose("a")
	l := c.leader()
	var got error = errPending
	c.nodes[l].proposeConf(c.nodes[l].removal(l), func(_ int64, err error) { got = err })
	c.deliver()
	if got != nil {
		t.Fatalf("remove the leader: %v", got)
	}
	c.propose("b")
	if nl := c.leader(); nl == l {
		t.Fatalf("the removed leader %d leads still", l)
	}
	c.expect("a", "b")
	if lead := nodeID(c.nodes[l].rn.BasicStatus().Lead); lead != c.leader() {
		t.Fatalf("old leader follows %d, want %d", lead, c.leader())
	}
}

// AddVoter makes a new node a learner first and a voter only once it has
// caught up: while the node is down the quorum (one voter) goes on
// committing, the addition fails at its deadline and the node stays a
// learner; once it runs, a second addition promotes it.
func TestAddVoterWaitsForCatchUp(t *testing.T) {
	c := newCluster(t, 1)
	c.propose("a")
	v2 := Voter{ID: 2, Listener: "CONTROLLER", Host: "127.0.0.1", Port: 9002}
	var got error = errPending
	c.nodes[1].addVoter(v2, c.now.Add(2*time.Second), func(_ int64, err error) { got = err })
	c.deliver()
	c.propose("b")
	c.expect("a", "b")
	n := c.nodes[1]
	if got != errPending || len(n.voters) != 1 || len(n.learners) != 1 || n.learners[0] != v2 {
		t.Fatalf("node 2 down: outcome %v, voters %v, learners %v; want pending, a learner", got, n.voters, n.learners)
	}
	var busy error = errPending
	n.addVoter(Voter{ID: 3, Listener: "CONTROLLER", Host: "127.0.0.1", Port: 9003}, c.now.Add(time.Second),
		func(_ int64, err error) { busy = err })
	if !errors.Is(busy, errVoterChangeBusy) {
		t.Fatalf("a second addition during the first: %v, want %v", busy, errVoterChangeBusy)
	}
	c.tick(20)
	if !errors.Is(got, ErrNotCaughtUp) || len(n.voters) != 1 || len(n.learners) != 1 {
		t.Fatalf("past the deadline: outcome %v, voters %v, learners %v", got, n.voters, n.learners)
	}
	c.propose("c")

	c.start(2, nil) // formatted without voters: waits for the leader's snapshot
	got = errPending
	n.addVoter(v2, c.now.Add(5*time.Second), func(_ int64, err error) { got = err })
	c.tick(10)
	if got != nil {
		t.Fatalf("node 2 running: outcome %v, want it added", got)
	}
	c.propose("d")
	c.expect("a", "b", "c", "d")
	for _, id := range c.ids() {
		if n := c.nodes[id]; len(n.voters) != 2 || len(n.learners) != 0 {
			t.Fatalf("node %d: voters %v learners %v, want 2 voters", id, n.voters, n.learners)
		}
	}
}
