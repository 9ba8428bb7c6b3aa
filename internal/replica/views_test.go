package replica

import (
	"testing"
	"time"
)

// TestReadReplicasAreInSyncAndHoldTheOffset: only ISR followers whose log
// holds the fetch offset are offered to a consumer (KIP-392), with how long
// ago each caught up.
func TestReadReplicasAreInSyncAndHoldTheOffset(t *testing.T) {
	m, p, _, clk := newTestPartition(t, &fakeTransport{})
	m.Apply(p, image(1, 0, 0, []int32{1, 2, 3, 4}, []int32{1, 2, 3}))
	appendAsLeader(t, p, 10)
	p.FollowerFetched(2, 1, 10, clk.Now()) // caught up
	clk.add(time.Second)
	p.FollowerFetched(3, 1, 6, clk.Now()) // behind
	p.SetFollowerLogStart(3, 2)
	p.FollowerFetched(4, 1, 10, clk.Now()) // not in the ISR (no controller to add it)

	got := p.ReadReplicas(5, clk.Now())
	if len(got) != 2 || got[0].ID != 2 || got[1].ID != 3 {
		t.Fatalf("read replicas at 5: %+v, want 2 and 3", got)
	}
	if got[0].LogEndOffset != 10 || got[0].SinceCaughtUp != time.Second {
		t.Errorf("replica 2: %+v, want end 10 caught up 1s ago", got[0])
	}
	if got := p.ReadReplicas(8, clk.Now()); len(got) != 1 || got[0].ID != 2 {
		t.Errorf("read replicas at 8: %+v, want 2 only (3 ends at 6)", got)
	}
	if got := p.ReadReplicas(1, clk.Now()); len(got) != 1 || got[0].ID != 2 {
		t.Errorf("read replicas at 1: %+v, want 2 only (3 starts at 2)", got)
	}
	if !p.InISR(2) || p.InISR(4) {
		t.Error("InISR disagrees with the ISR [1 2 3]")
	}
	m.Apply(p, image(2, 1, 1, []int32{1, 2, 3, 4}, []int32{1, 2, 3}))
	if got := p.ReadReplicas(5, clk.Now()); got != nil {
		t.Errorf("a follower offers read replicas: %+v", got)
	}
	if _, ok := p.EpochStart(); ok {
		t.Error("a follower has an epoch start")
	}
}

// TestEpochStart: a new leader's epoch starts at its log end; its high
// watermark reaches it once the ISR has caught up.
func TestEpochStart(t *testing.T) {
	m, p, _, clk := newTestPartition(t, &fakeTransport{})
	m.Apply(p, image(1, 0, 0, []int32{1, 2}, []int32{1, 2}))
	appendAsLeader(t, p, 4)
	m.Apply(p, image(2, 1, 1, []int32{1, 2}, []int32{1, 2}))
	m.Apply(p, image(1, 2, 2, []int32{1, 2}, []int32{1, 2}))
	if start, ok := p.EpochStart(); !ok || start != 4 || p.log.HighWatermark() >= start {
		t.Fatalf("epoch start %d %v, high watermark %d: want 4, above the high watermark", start, ok, p.log.HighWatermark())
	}
	p.FollowerFetched(2, 1, 4, clk.Now())
	if start, _ := p.EpochStart(); p.log.HighWatermark() < start {
		t.Errorf("high watermark %d below the epoch start %d after the ISR caught up", p.log.HighWatermark(), start)
	}
}
