package broker

import (
	"log/slog"
	"testing"
	"time"

	"github.com/gofka/gofka/internal/storage/checkpoint"
	"github.com/twmb/franz-go/pkg/kerr"
)

// TestCoordLeadership drives the leadership tracker of coordinator
// partitions: a partition led is loading until the worker has loaded it; a
// lost and regained leadership queued before the worker runs ends loaded
// for the newest leadership only; a failed write reloads a loaded
// partition. (__share_group_state partitions have nothing to load, so no
// coordinator is needed.)
func TestCoordLeadership(t *testing.T) {
	n := &Node{log: slog.New(slog.DiscardHandler), nowFn: time.Now}
	n.coord.mu.led = map[checkpoint.TopicPartition]coordEntry{}
	n.coord.wake = make(chan struct{}, 1)
	tp := checkpoint.TopicPartition{Topic: shareStateTopic, Partition: 3}
	owner := func() *kerr.Error { return n.coordOwner(tp.Topic, tp.Partition) }

	if err := owner(); err != kerr.NotCoordinator {
		t.Fatalf("not led: %v", err)
	}
	n.coordLeader(tp, true)
	if err := owner(); err != kerr.CoordinatorLoadInProgress {
		t.Fatalf("led, not loaded: %v", err)
	}
	n.runCoordTasks(nil)
	if err := owner(); err != nil {
		t.Fatalf("loaded: %v", err)
	}
	n.coordLeader(tp, true) // another image naming the same leader
	if err := owner(); err != nil {
		t.Fatalf("still loaded: %v", err)
	}

	n.coordLeader(tp, false)
	if err := owner(); err != kerr.NotCoordinator {
		t.Fatalf("resigned: %v", err)
	}
	n.coordLeader(tp, true)
	n.coord.mu.Lock()
	queued := len(n.coord.mu.queue)
	gen := n.coord.mu.led[tp].gen
	n.coord.mu.Unlock()
	if queued != 2 {
		t.Fatalf("queued %d tasks, want an unload and a load", queued)
	}
	n.runCoordTasks(nil)
	if err := owner(); err != nil {
		t.Fatalf("re-elected: %v", err)
	}

	n.coordWriteFailed(tp.Topic, tp.Partition)
	if err := owner(); err != kerr.CoordinatorLoadInProgress {
		t.Fatalf("after a failed write: %v", err)
	}
	n.runCoordTasks(nil)
	n.coord.mu.Lock()
	e := n.coord.mu.led[tp]
	n.coord.mu.Unlock()
	if e.phase != coordLoaded || e.gen <= gen {
		t.Fatalf("after the reload: %+v (gen before %d)", e, gen)
	}

	n.coordWriteFailed(tp.Topic, 9) // not led: nothing to do
	if err := n.coordOwner(tp.Topic, 9); err != kerr.NotCoordinator {
		t.Fatalf("write failure on a partition not led: %v", err)
	}
}
