package txn

import (
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
)

// TestPartitionMove: a transaction left prepared by the old coordinator is
// completed (markers written) when the new one loads its partition; ids of
// a partition not served answer the owner's error; a producer keeps its
// id and epoch across the move, so an older epoch stays fenced.
func TestPartitionMove(t *testing.T) {
	old, d, _ := newTest()
	id := "move-me"
	res := old.InitProducerID(id, 60000, -1, -1)
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	if errs := old.AddPartitions(id, res.ProducerID, res.Epoch, []TopicPartition{{"t", 0}, {"t", 1}}); errs[TopicPartition{"t", 0}] != nil {
		t.Fatal(errs)
	}
	d.failMarks = true // the old coordinator writes PrepareCommit, then loses its markers
	if r := old.EndTxn(id, res.ProducerID, res.Epoch, true, false); r.Err == nil {
		t.Fatal("end with failing markers succeeded")
	}
	d.failMarks = false

	p := PartitionFor(id, 50)
	owner := map[int32]*kerr.Error{p: kerr.CoordinatorLoadInProgress}
	c := New(Config{Partitions: 50, MaxTimeoutMs: 900000, Owner: func(q int32) *kerr.Error { return owner[q] }}, d)
	if r := c.InitProducerID(id, 60000, -1, -1); r.Err != kerr.CoordinatorLoadInProgress {
		t.Fatalf("init while loading: %v", r.Err)
	}
	log := d.log
	n, err := c.LoadPartition(p, func(load func(k, v []byte) error) error {
		for _, r := range log {
			if err := load(r[0], r[1]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil || n != 1 {
		t.Fatalf("load: completed %d, %v", n, err)
	}
	if len(d.markers) != 2 || d.markers[0] != "commit" {
		t.Fatalf("markers after the move: %v", d.markers)
	}
	delete(owner, p)
	if m := c.Get(id); m == nil || m.State != CompleteCommit {
		t.Fatalf("state after load: %+v", m)
	}
	if r := c.EndTxn(id, res.ProducerID, res.Epoch-1, false, false); r.Err != kerr.ProducerFenced {
		t.Fatalf("older epoch after the move: %v", r.Err)
	}
	r2 := c.InitProducerID(id, 60000, -1, -1)
	if r2.Err != nil || r2.ProducerID != res.ProducerID || r2.Epoch != res.Epoch+1 {
		t.Fatalf("init after the move: %+v", r2)
	}
	owner[p] = kerr.NotCoordinator
	c.UnloadPartition(p)
	if r := c.EndTxn(id, r2.ProducerID, r2.Epoch, true, false); r.Err != kerr.NotCoordinator {
		t.Fatalf("end after unload: %v", r.Err)
	}
	if c.Get(id) != nil {
		t.Fatal("unloaded id still held")
	}
}
