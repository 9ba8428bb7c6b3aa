package group

import (
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// TestPartitionForJavaHash: the partition is Utils.abs(String.hashCode())
// % n with Java's hash over UTF-16 code units (values from Java).
func TestPartitionForJavaHash(t *testing.T) {
	for _, tc := range []struct {
		key  string
		n    int32
		want int32
	}{
		{"hello", 50, 22},            // 99162322
		{"\U0001F600", 50, 49},       // a surrogate pair: 1772899
		{"grp-\U0001F600", 50, 13},   // negative: -1235730613
		{"my-consumer-group", 6, 1},  // 1513705513
		{"polygenelubricants", 7, 0}, // Integer.MIN_VALUE: abs gives 0
		{"txn-producer-7", 50, 33},   // 149494783
	} {
		if got := PartitionFor(tc.key, tc.n); got != tc.want {
			t.Errorf("PartitionFor(%q, %d) = %d, want %d", tc.key, tc.n, got, tc.want)
		}
	}
}

// TestPartitionOwnership: requests for a group of a partition not served
// answer the owner's error; unloading answers parked joins NOT_COORDINATOR
// and forgets the partition's groups; loading replays them from the log.
func TestPartitionOwnership(t *testing.T) {
	owned := map[int32]*kerr.Error{}
	h := newHarness(func(c *Config) {
		c.Owner = func(p int32) *kerr.Error {
			if err, ok := owned[p]; ok {
				return err
			}
			return nil
		}
	})
	leader, follower, gen := stableGroup(t, h, "g")
	if code := h.commit("g", leader, gen, "t", 0, "m"); code != 0 {
		t.Fatalf("commit: %v", kerr.ErrorForCode(code))
	}
	p := h.c.PartitionFor("g")
	// a new member's join parks until the others rejoin
	_, parked := h.joinNew(t, "g")
	if parked() != nil {
		t.Fatal("the new member's join was answered at once")
	}
	owned[p] = kerr.NotCoordinator
	if code := h.heartbeat("g", follower, gen); code != kerr.NotCoordinator.Code {
		t.Fatalf("heartbeat on a partition not led: %v", kerr.ErrorForCode(code))
	}
	h.c.UnloadPartition(p)
	if r := parked(); r == nil || r.ErrorCode != kerr.NotCoordinator.Code {
		t.Fatalf("parked join after unload: %+v", r)
	}
	owned[p] = kerr.CoordinatorLoadInProgress
	if code := h.commit("g", "", -1, "t", 0, "m"); code != kerr.CoordinatorLoadInProgress.Code {
		t.Fatalf("commit while loading: %v", kerr.ErrorForCode(code))
	}
	if err := h.c.LoadPartition(p); err != nil {
		t.Fatal(err)
	}
	delete(owned, p)
	if !h.c.Exists("g") {
		t.Fatal("group not loaded back from the log")
	}
	lg := h.c.ListGroups(listGroupsRequest())
	if len(lg.Groups) != 1 {
		t.Fatalf("list groups: %+v", lg.Groups)
	}
	owned[p] = kerr.NotCoordinator
	if lg := h.c.ListGroups(listGroupsRequest()); len(lg.Groups) != 0 {
		t.Fatalf("list groups lists a partition not served: %+v", lg.Groups)
	}
}

func listGroupsRequest() *kmsg.ListGroupsRequest { return kmsg.NewPtrListGroupsRequest() }
