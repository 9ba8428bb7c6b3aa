package txn

import (
	"errors"
	"fmt"
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
// ISR holds the Prepare record; a failed wait writes none and reverts the
// transaction to ongoing (as Kafka's), so a retry of EndTxn commits it.
func TestMarkersWaitForPreparedRecord(t *testing.T) {
	c, d, _ := newTest()
	a := ongoing(t, c, "a")
	d.failAwait = fmt.Errorf("%w: timed out", ErrNotCoordinator)
	if e := c.EndTxn("a", a.ProducerID, a.Epoch, true, false); e.Err != kerr.NotCoordinator {
		t.Fatalf("end with the Prepare record not replicated: %v", e.Err)
	}
	if len(d.markers) != 0 {
		t.Fatalf("markers written for an unreplicated Prepare: %v", d.markers)
	}
	if m := c.Get("a"); m.State != Ongoing {
		t.Fatalf("state: %v", m.State)
	}
	if n := c.Recover(); n != 0 {
		t.Fatalf("recover finished %d", n)
	}
	d.failAwait = nil
	if e := c.EndTxn("a", a.ProducerID, a.Epoch, true, false); e.Err != nil || len(d.markers) != 1 {
		t.Fatalf("retried end: %v, markers %v", e.Err, d.markers)
	}
}

// TestLoadedPrepareWaitsForLogEnd: a Prepare state found at load is
// finished only once the ISR holds the partition to its log end; a
// failure leaves it prepared for Recover.
func TestLoadedPrepareWaitsForLogEnd(t *testing.T) {
	c, d, _ := newTest()
	a := ongoing(t, c, "a")
	hold := make(chan struct{})
	d.holdAwait, d.awaiting = hold, make(chan struct{}, 8)
	done := make(chan EndResult, 1)
	go func() { done <- c.EndTxn("a", a.ProducerID, a.Epoch, true, false) }()
	defer func() { close(hold); <-done }()
	<-d.awaiting // the Prepare is appended, its wait held
	d.mu.Lock()
	d.holdAwait, d.failAwait = nil, errors.New("not enough replicas")
	d.mu.Unlock()
	c2 := replay(t, d)
	if n := c2.Recover(); n != 0 || c2.Get("a").State != PrepareCommit {
		t.Fatalf("recover with the ISR short: %d, %v", n, c2.Get("a").State)
	}
	d.mu.Lock()
	d.failAwait, d.awaitedEnd = nil, nil
	d.mu.Unlock()
	if n := c2.Recover(); n != 1 || c2.Get("a").State != CompleteCommit {
		t.Fatalf("recover: %d, %v", n, c2.Get("a").State)
	}
	if d.awaitedEnd[0] != -1 {
		t.Fatalf("a loaded Prepare waited for offset %d, want the log end (-1)", d.awaitedEnd[0])
	}
}
