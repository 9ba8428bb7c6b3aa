package raft

import (
	"context"
	"testing"
	"time"

	"github.com/gofka/gofka/internal/metadata"
)

// TestLoneVoterLeadsWithoutTicks: a single voter campaigns in Start and
// becomes a ready leader, and commits, without its clock ever ticking
// (the tick here is an hour), so `gofka server` serves as soon as its
// log is on disk, and WaitLeader wakes on the status change itself.
func TestLoneVoterLeadsWithoutTicks(t *testing.T) {
	n, err := Start(Config{NodeID: 1, Dir: t.TempDir(), ClusterID: "test",
		Voters: []Voter{{ID: 1, Host: "127.0.0.1", Port: 9093}},
		Tick:   time.Hour, SnapshotBytes: 1 << 30,
		SM: &metadata.Machine{Pub: metadata.NewPublisher(nil), ClusterID: "test"}})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := n.WaitLeader(ctx); err != nil {
		t.Fatalf("no leader without a tick: %v", err)
	}
	if _, err := n.Propose(ctx, []metadata.Record{topic("a")}); err != nil {
		t.Fatalf("propose: %v", err)
	}
}

func TestStatusBoxWakesWaiters(t *testing.T) {
	var b statusBox
	b.store(&Status{Leader: -1})
	ch := b.changed()
	if ch != b.changed() {
		t.Fatal("two waiters before a store got different channels")
	}
	select {
	case <-ch:
		t.Fatal("woken before any store")
	default:
	}
	b.store(&Status{Leader: 3})
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
		t.Fatal("not woken by the store")
	}
	if b.load().Leader != 3 {
		t.Fatalf("status %+v, want leader 3", b.load())
	}
	if next := b.changed(); next == ch {
		t.Fatal("a closed channel handed out again")
	}
}
