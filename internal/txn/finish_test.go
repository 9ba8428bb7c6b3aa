package txn

import (
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
)

// ongoing starts a transaction of id on tp0.
func ongoing(t *testing.T, c *Coordinator, id string) InitResult {
	t.Helper()
	r := c.InitProducerID(id, 60000, -1, -1)
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	if errs := c.AddPartitions(id, r.ProducerID, r.Epoch, []TopicPartition{tp0}); errs[tp0] != nil {
		t.Fatal(errs)
	}
	return r
}

// TestMarkersWithoutLock: while a transaction's markers are being written
// (held), the coordinator serves other transactional ids; the finishing
// one answers CONCURRENT_TRANSACTIONS and Recover leaves it alone; once
// the markers are written EndTxn answers and the state is complete.
func TestMarkersWithoutLock(t *testing.T) {
	c, d, _ := newTest()
	a := ongoing(t, c, "a")
	d.hold, d.entered = make(chan struct{}), make(chan struct{}, 1)
	end := make(chan EndResult, 1)
	go func() { end <- c.EndTxn("a", a.ProducerID, a.Epoch, true, false) }()
	<-d.entered

	b := ongoing(t, c, "b") // another id: served while a's markers wait
	if m := c.Get("b"); m.State != Ongoing || b.Err != nil {
		t.Fatalf("b: %+v", m)
	}
	if e := c.EndTxn("a", a.ProducerID, a.Epoch, true, false); e.Err != kerr.ConcurrentTransactions {
		t.Fatalf("end of a finishing transaction: %v", e.Err)
	}
	if r := c.InitProducerID("a", 60000, -1, -1); r.Err != kerr.ConcurrentTransactions {
		t.Fatalf("init of a finishing transaction: %v", r.Err)
	}
	if n := c.Recover(); n != 0 {
		t.Fatalf("recover finished %d transactions being finished", n)
	}
	select {
	case e := <-end:
		t.Fatalf("EndTxn answered before its markers were written: %+v", e)
	default:
	}
	d.mu.Lock()
	close(d.hold)
	d.hold = nil
	d.mu.Unlock()
	if e := <-end; e.Err != nil {
		t.Fatal(e.Err)
	}
	if m := c.Get("a"); m.State != CompleteCommit {
		t.Fatalf("a after its markers: %v", m.State)
	}
}

// TestFinishAcrossUnload: the partition is unloaded while markers are
// written: EndTxn answers NOT_COORDINATOR and the Complete state is not
// written by the old owner.
func TestFinishAcrossUnload(t *testing.T) {
	c, d, _ := newTest()
	a := ongoing(t, c, "a")
	d.hold, d.entered = make(chan struct{}), make(chan struct{}, 1)
	end := make(chan EndResult, 1)
	go func() { end <- c.EndTxn("a", a.ProducerID, a.Epoch, false, false) }()
	<-d.entered
	c.UnloadPartition(PartitionFor("a", 50)) // does not wait for the markers
	close(d.hold)
	if e := <-end; e.Err != kerr.NotCoordinator {
		t.Fatalf("end across an unload: %v", e.Err)
	}
	if c.Get("a") != nil {
		t.Fatal("an unloaded id came back")
	}
}

// TestMarkersWaitForPreparedRecord: markers are written only once the
// ISR holds the Prepare record; a failed wait writes none and leaves the
// transaction prepared.
func TestMarkersWaitForPreparedRecord(t *testing.T) {
	c, d, _ := newTest()
	a := ongoing(t, c, "a")
	d.failAwait = true
	if e := c.EndTxn("a", a.ProducerID, a.Epoch, true, false); e.Err != kerr.NotCoordinator {
		t.Fatalf("end with the Prepare record not replicated: %v", e.Err)
	}
	if len(d.markers) != 0 {
		t.Fatalf("markers written for an unreplicated Prepare: %v", d.markers)
	}
	if m := c.Get("a"); m.State != PrepareCommit {
		t.Fatalf("state: %v", m.State)
	}
	d.failAwait = false
	if n := c.Recover(); n != 1 || len(d.markers) != 1 {
		t.Fatalf("recover: %d, markers %v", n, d.markers)
	}
}
