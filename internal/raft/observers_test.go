package raft

import (
	"slices"
	"testing"
	"time"
)

// The leader tracks the observers that fetch from it: their position in
// Kafka offsets, fetch and caught-up times (Kafka's rule, the previous
// fetch counting when this one reached the end as of that one), and
// forgets one that stopped fetching; a follower tracks none, and a new
// leader starts with none.
func TestLeaderTracksObservers(t *testing.T) {
	c := newCluster(t, 3)
	c.propose("a", "b")
	l := c.leader()
	for _, id := range c.ids() {
		c.nodes[id].cfg.ObserverTimeout = 2 * time.Second
	}
	dir := [16]byte{1, 2, 3}
	fetch := func(id int32, next uint64) *FetchResponse {
		t.Helper()
		r, err := c.nodes[id].fetch(&FetchRequest{NodeID: 7, DirectoryID: dir, NextIndex: next, MaxBytes: 1 << 20})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	observer := func() ObserverState {
		t.Helper()
		obs := c.nodes[l].observerList()
		if len(obs) != 1 || obs[0].ID != 7 || obs[0].DirectoryID != dir {
			t.Fatalf("observers %+v, want node 7", obs)
		}
		return obs[0]
	}

	r := fetch(l, 0) // a new observer: from the snapshot on
	t0 := c.now
	if o := observer(); o.LogEndOffset != 0 || !o.LastFetch.Equal(t0) || !o.LastCaughtUp.IsZero() {
		t.Fatalf("after the first fetch: %+v", o)
	}
	next := r.Entries[len(r.Entries)-1].Index + 1
	end := c.nodes[l].disk.endOffsetAt(c.nodes[l].applied)
	c.tick(1)
	fetch(l, next) // holds everything committed
	if o := observer(); o.LogEndOffset != end || !o.LastCaughtUp.Equal(c.now) {
		t.Fatalf("caught up at %v, end %d: %+v", c.now, end, o)
	}

	c.propose("c")
	c.tick(1)
	t1 := c.now
	fetch(l, next) // behind now
	if o := observer(); o.LogEndOffset != end || !o.LastCaughtUp.Before(t1) {
		t.Fatalf("behind at %v: %+v", t1, o)
	}
	c.propose("d")
	c.tick(1)
	fetch(l, c.nodes[l].applied) // reached the end as of the previous fetch, not this one's
	if o := observer(); !o.LastCaughtUp.Equal(t1) {
		t.Fatalf("caught up %v, want the previous fetch's %v", o.LastCaughtUp, t1)
	}

	for _, id := range c.ids() {
		if id != l {
			fetch(id, 0)
			if obs := c.nodes[id].observerList(); len(obs) != 0 {
				t.Fatalf("follower %d tracks %+v", id, obs)
			}
		}
	}
	c.tick(21) // past the observer session timeout
	if obs := c.nodes[l].observerList(); len(obs) != 0 {
		t.Fatalf("observers after the timeout: %+v", obs)
	}

	fetch(l, 0)
	observer()
	c.stop(l)
	nl := c.leader()
	if obs := c.nodes[nl].observerList(); len(obs) != 0 {
		t.Fatalf("the new leader %d tracks %+v", nl, obs)
	}
}

// A removed voter that stops answering the leader for the observer
// session timeout is quiet: the leader sends it a heartbeat now and then
// and nothing else, snapshots included. Back, it answers a heartbeat,
// catches up from a snapshot, and can be added back as a voter.
func TestQuietLearner(t *testing.T) {
	c := newCluster(t, 3)
	c.propose("a")
	l, rm := c.leader(), c.follower()
	for _, id := range c.ids() {
		c.nodes[id].cfg.ObserverTimeout = 2 * time.Second
	}
	c.conf(c.nodes[l].removal(rm))
	c.stop(rm)

	c.tick(20) // two seconds without an answer
	if !c.nodes[l].quiet[raftID(rm)] {
		t.Fatalf("learner %d not quiet after the observer session timeout", rm)
	}
	before := c.sent[rm]
	for _, id := range c.ids() {
		c.nodes[id].cfg.SnapshotBytes = 1
	}
	c.propose("b", "c")
	c.tick(40) // four seconds: two heartbeats at most
	if n := c.sent[rm] - before; n > 2 {
		t.Fatalf("%d messages to the quiet learner in 4s, want 2 heartbeats at most", n)
	}
	if first, _ := c.nodes[l].mem.FirstIndex(); first <= 3 {
		t.Fatalf("leader's log starts at %d: no snapshot since the learner left", first)
	}

	c.start(rm, nil)
	c.tick(25) // a heartbeat reaches it within two seconds
	if c.nodes[l].quiet[raftID(rm)] {
		t.Fatalf("learner %d still quiet after answering", rm)
	}
	c.expect("a", "b", "c")

	c.conf(addVoter(c.voters[rm-1]))
	c.propose("d")
	c.expect("a", "b", "c", "d")
	for _, id := range c.ids() {
		if n := c.nodes[id]; len(n.voters) != 3 || len(n.learners) != 0 {
			t.Fatalf("node %d after re-adding: voters %v learners %v", id, n.voters, n.learners)
		}
	}
}

// A voter's directory id (KIP-853's voter key) survives the snapshot's
// VotersRecord, beside a voter without one.
func TestVoterDirectoryIDInSnapshot(t *testing.T) {
	voters := []Voter{
		{ID: 1, Listener: "CONTROLLER", Host: "127.0.0.1", Port: 9001, DirectoryID: [16]byte{1, 2, 3, 15: 9}},
		{ID: 2, Listener: "CONTROLLER", Host: "127.0.0.1", Port: 9002},
	}
	learners := []Voter{{ID: 3, Listener: "CONTROLLER", Host: "127.0.0.1", Port: 9003, DirectoryID: [16]byte{7, 15: 7}}}
	s := &snapshotFile{mark: bootstrapMark, voters: voters, learners: learners}
	data, err := s.encode(1700000000000)
	if err != nil {
		t.Fatal(err)
	}
	got, err := parseSnapshot(data)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.voters, voters) || !slices.Equal(got.learners, learners) {
		t.Fatalf("voters %+v learners %+v, want %+v %+v", got.voters, got.learners, voters, learners)
	}
}
