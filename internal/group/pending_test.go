package group

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// groupsOn returns two group ids on different partitions.
func groupsOn(h *harness) (a, b string) {
	a = "ga"
	for i := 0; ; i++ {
		b = fmt.Sprintf("gb%d", i)
		if h.c.PartitionFor(b) != h.c.PartitionFor(a) {
			return a, b
		}
	}
}

// waitWaiting polls until n waits are blocked on partition p.
func waitWaiting(t *testing.T, h *harness, p int32, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for h.store.waiting(p) < n {
		if time.Now().After(deadline) {
			t.Fatalf("partition %d: %d waits blocked, want %d", p, h.store.waiting(p), n)
		}
		time.Sleep(time.Millisecond)
	}
}

// goCommit commits offset 42 of t-0 for group g in a goroutine and
// returns once it is the n-th wait blocked on g's partition.
func goCommit(t *testing.T, h *harness, g string, n int) <-chan int16 {
	t.Helper()
	out := make(chan int16, 1)
	go func() { out <- h.commit(g, "", -1, "t", 0, "") }()
	waitWaiting(t, h, h.c.PartitionFor(g), n)
	return out
}

// goFetch fetches group g's offset of t-0 in a goroutine and returns once
// it is the n-th wait blocked on g's partition.
func goFetch(t *testing.T, h *harness, g string, n int) <-chan *kmsg.OffsetFetchResponseGroup {
	t.Helper()
	out := make(chan *kmsg.OffsetFetchResponseGroup, 1)
	go func() { out <- fetchOffset(h, g) }()
	waitWaiting(t, h, h.c.PartitionFor(g), n)
	return out
}

func fetchOffset(h *harness, group string) *kmsg.OffsetFetchResponseGroup {
	r := kmsg.NewPtrOffsetFetchRequest()
	r.Version = 8
	rg := kmsg.NewOffsetFetchRequestGroup()
	rg.Group = group
	rg.Topics = []kmsg.OffsetFetchRequestGroupTopic{{Topic: "t", Partitions: []int32{0}}}
	r.Groups = append(r.Groups, rg)
	return &h.c.OffsetFetch(r).Groups[0]
}

// TestWriteWaitsOutsideLock: a commit whose records the ISR has not taken
// yet holds no lock: a commit and a fetch of a group on another partition
// are answered meanwhile, a fetch of the same group waits for the commit
// (it must not show an offset the log may lose), and both answer once the
// ISR holds it.
func TestWriteWaitsOutsideLock(t *testing.T) {
	h := newHarness(nil)
	a, b := groupsOn(h)
	pa := h.c.PartitionFor(a)
	h.store.hold(pa)
	commitA := goCommit(t, h, a, 1)

	if code := h.commit(b, "", -1, "t", 0, ""); code != 0 {
		t.Fatalf("commit of another partition's group: %v", kerr.ErrorForCode(code))
	}
	if got := fetchOffset(h, b); got.ErrorCode != 0 || got.Topics[0].Partitions[0].Offset != 42 {
		t.Fatalf("fetch of another partition's group: %+v", got)
	}
	fetchA := goFetch(t, h, a, 2) // the fetch waits for the commit's records
	select {
	case <-commitA:
		t.Fatal("commit answered before the ISR held it")
	case <-fetchA:
		t.Fatal("fetch answered an offset the ISR does not hold yet")
	default:
	}

	h.store.release(pa, nil)
	if code := <-commitA; code != 0 {
		t.Fatalf("commit: %v", kerr.ErrorForCode(code))
	}
	if got := <-fetchA; got.ErrorCode != 0 || got.Topics[0].Partitions[0].Offset != 42 {
		t.Fatalf("fetch after the commit: %+v", got)
	}
	if got := fetchOffset(h, a); got.ErrorCode != 0 || got.Topics[0].Partitions[0].Offset != 42 {
		t.Fatalf("fetch once durable: %+v", got)
	}
}

// TestFailedWaitAnswersNotCoordinator: the partition is unloaded while a
// commit and a fetch wait for the ISR (no deadlock), then the wait fails,
// or succeeds after the unload dropped what it would confirm: both answer
// NOT_COORDINATOR.
func TestFailedWaitAnswersNotCoordinator(t *testing.T) {
	for _, waitErr := range []error{errors.New("leadership lost"), nil} {
		h := newHarness(nil)
		a, _ := groupsOn(h)
		pa := h.c.PartitionFor(a)
		h.store.hold(pa)
		commitA := goCommit(t, h, a, 1)
		fetchA := goFetch(t, h, a, 2)

		h.c.UnloadPartition(pa) // returns while the waits are blocked
		h.store.release(pa, waitErr)
		if code := <-commitA; code != kerr.NotCoordinator.Code {
			t.Fatalf("wait error %v: commit: %v, want NOT_COORDINATOR", waitErr, kerr.ErrorForCode(code))
		}
		if got := <-fetchA; got.ErrorCode != kerr.NotCoordinator.Code || got.Topics != nil {
			t.Fatalf("wait error %v: fetch: %+v, want NOT_COORDINATOR", waitErr, got)
		}
	}
}

// TestSyncAnswerWaitsForGroupRecord: the leader's SyncGroup writes the
// group's assignment; neither member learns it before the ISR holds the
// record, and a failed wait answers both NOT_COORDINATOR.
func TestSyncAnswerWaitsForGroupRecord(t *testing.T) {
	for _, fail := range []bool{false, true} {
		h := newHarness(nil)
		leader, aj := h.joinNew(t, "g")
		if aj() == nil || aj().Generation != 1 {
			t.Fatalf("join: %+v", aj())
		}
		p := h.c.PartitionFor("g")
		h.store.hold(p)
		r := kmsg.NewPtrSyncGroupRequest()
		r.Version = 5
		r.Group, r.MemberID, r.Generation = "g", leader, 1
		r.GroupAssignment = []kmsg.SyncGroupRequestGroupAssignment{{MemberID: leader, MemberAssignment: []byte("A")}}
		got := make(chan *kmsg.SyncGroupResponse, 1)
		go h.c.SyncGroup(r, func(resp *kmsg.SyncGroupResponse) { got <- resp })
		waitWaiting(t, h, p, 1)
		hb := make(chan int16, 1)
		go func() { hb <- h.heartbeat("g", leader, 1) }()
		waitWaiting(t, h, p, 2)
		select {
		case resp := <-got:
			t.Fatalf("sync answered before the ISR held the group: %+v", resp)
		default:
		}
		var err error
		if fail {
			err = errors.New("timed out")
		}
		h.store.release(p, err)
		resp, code := <-got, <-hb
		switch {
		case fail && (resp.ErrorCode != kerr.NotCoordinator.Code || code != kerr.NotCoordinator.Code):
			t.Fatalf("failed wait: sync %+v heartbeat %v", resp, kerr.ErrorForCode(code))
		case !fail && (resp.ErrorCode != 0 || string(resp.MemberAssignment) != "A" || code != 0):
			t.Fatalf("sync %+v heartbeat %v", resp, kerr.ErrorForCode(code))
		}
	}
}
