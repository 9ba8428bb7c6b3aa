package txn

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
)

var tp1 = TopicPartition{"t", 1}

// holdAwaits makes every AwaitLog wait until the returned release is
// called; awaiting reports each wait begun.
func holdAwaits(d *fakeDeps) (awaiting <-chan struct{}, release func()) {
	hold, ch := make(chan struct{}), make(chan struct{}, 16)
	d.mu.Lock()
	d.holdAwait, d.awaiting = hold, ch
	d.mu.Unlock()
	return ch, func() {
		d.mu.Lock()
		d.holdAwait = nil
		d.mu.Unlock()
		close(hold)
	}
}

// heldAdd starts a's add of tp0 with its wait for the ISR held until
// release is called; added gets the add's answer.
func heldAdd() (c *Coordinator, r InitResult, added <-chan *kerr.Error, release func()) {
	c, d, _ := newTest()
	r = c.InitProducerID("a", 60000, -1, -1)
	awaiting, release := holdAwaits(d)
	ch := make(chan *kerr.Error, 1)
	go func() { ch <- c.AddPartitions("a", r.ProducerID, r.Epoch, []TopicPartition{tp0})[tp0] }()
	<-awaiting
	return c, r, ch, release
}

// TestAddWaitsForISR: AddPartitionsToTxn is answered only once the ISR
// holds the Ongoing record; until then the state is the one before it
// (a DescribeTransactions or a verify does not see the partition) and
// requests that would change the id answer CONCURRENT_TRANSACTIONS.
func TestAddWaitsForISR(t *testing.T) {
	c, r, added, release := heldAdd()
	if m := c.Get("a"); m.State != Empty || len(m.Partitions) != 0 {
		t.Fatalf("state while the add waits for the ISR: %v %v", StateName(m.State), m.Partitions)
	}
	if v := c.Verify("a", r.ProducerID, r.Epoch, []TopicPartition{tp0}); v[tp0] != kerr.InvalidTxnState {
		t.Fatalf("verify of a pending partition: %v", v[tp0])
	}
	if errs := c.AddPartitions("a", r.ProducerID, r.Epoch, []TopicPartition{tp1}); errs[tp1] != kerr.ConcurrentTransactions {
		t.Fatalf("add while another waits: %v", errs[tp1])
	}
	if e := c.EndTxn("a", r.ProducerID, r.Epoch, false, false); e.Err != kerr.ConcurrentTransactions {
		t.Fatalf("end while an add waits: %v", e.Err)
	}
	if i := c.InitProducerID("a", 60000, -1, -1); i.Err != kerr.ConcurrentTransactions {
		t.Fatalf("init while an add waits: %v", i.Err)
	}
	select {
	case err := <-added:
		t.Fatalf("add answered (%v) before the ISR held it", err)
	default:
	}
	release()
	if err := <-added; err != nil {
		t.Fatal(err)
	}
	if m := c.Get("a"); m.State != Ongoing || len(m.Partitions) != 1 {
		t.Fatalf("state after the add: %v %v", StateName(m.State), m.Partitions)
	}
}

// TestFailedWaitReverts: a write the ISR did not take is answered with
// Kafka's error and leaves the state as it was: no partition added, no
// epoch bumped, no id created.
func TestFailedWaitReverts(t *testing.T) {
	c, d, _ := newTest()
	r := c.InitProducerID("a", 60000, -1, -1)
	d.failAwait = errors.New("not enough replicas after append")
	if errs := c.AddPartitions("a", r.ProducerID, r.Epoch, []TopicPartition{tp0}); errs[tp0] != kerr.CoordinatorNotAvailable {
		t.Fatalf("add: %v", errs[tp0])
	}
	if i := c.InitProducerID("a", 60000, -1, -1); i.Err != kerr.CoordinatorNotAvailable {
		t.Fatalf("init: %v", i.Err)
	}
	d.failAwait = fmt.Errorf("%w: timed out", ErrNotCoordinator)
	if i := c.InitProducerID("b", 60000, -1, -1); i.Err != kerr.NotCoordinator {
		t.Fatalf("init of a new id: %v", i.Err)
	}
	if m := c.Get("a"); m.State != Empty || m.Epoch != r.Epoch || len(m.Partitions) != 0 {
		t.Fatalf("a after failed writes: %v epoch %d %v", StateName(m.State), m.Epoch, m.Partitions)
	}
	if c.Get("b") != nil {
		t.Fatal("an id whose first record was not replicated exists")
	}
	d.failAwait = nil
	if errs := c.AddPartitions("a", r.ProducerID, r.Epoch, []TopicPartition{tp0}); errs[tp0] != nil {
		t.Fatalf("add once replicated: %v", errs[tp0])
	}
}

// TestImplicitAddsWait: transactions v2 adds of two partitions of one
// producer at once: the second waits for the first's record instead of
// failing with CONCURRENT_TRANSACTIONS; both are in the transaction.
func TestImplicitAddsWait(t *testing.T) {
	c, d, _ := newTest()
	r := c.InitProducerID("a", 60000, -1, -1)
	awaiting, release := holdAwaits(d)
	first, second := make(chan *kerr.Error, 1), make(chan *kerr.Error, 1)
	go func() { first <- c.VerifyPartition("a", r.ProducerID, r.Epoch, tp0, true) }()
	<-awaiting
	go func() { second <- c.VerifyPartition("a", r.ProducerID, r.Epoch, tp1, true) }()
	release()
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if err := <-second; err != nil {
		t.Fatal(err)
	}
	if m := c.Get("a"); m.State != Ongoing || len(m.Partitions) != 2 {
		t.Fatalf("state: %v %v", StateName(m.State), m.Partitions)
	}
}

// TestUnloadWhileWriteWaits: the partition is unloaded while an add waits
// for the ISR: the add answers NOT_COORDINATOR and nothing comes back.
func TestUnloadWhileWriteWaits(t *testing.T) {
	c, _, added, release := heldAdd()
	c.UnloadPartition(PartitionFor("a", 50)) // does not wait for the add
	release()
	if err := <-added; err != kerr.NotCoordinator {
		t.Fatalf("add across an unload: %v", err)
	}
	if c.Get("a") != nil {
		t.Fatal("an unloaded id came back")
	}
}

// TestTombstoneWaits: an expired id is removed once the ISR holds its
// tombstone; meanwhile InitProducerId for it answers
// CONCURRENT_TRANSACTIONS.
func TestTombstoneWaits(t *testing.T) {
	c, d, ck := newTest()
	c.InitProducerID("a", 60000, -1, -1)
	ck.t = ck.t.Add(time.Hour)
	awaiting, release := holdAwaits(d)
	expired := make(chan int, 1)
	go func() { expired <- c.ExpireIDs(1000) }()
	<-awaiting
	if c.Get("a") == nil {
		t.Fatal("removed before the ISR held the tombstone")
	}
	if i := c.InitProducerID("a", 60000, -1, -1); i.Err != kerr.ConcurrentTransactions {
		t.Fatalf("init while the tombstone waits: %v", i.Err)
	}
	release()
	if n := <-expired; n != 1 || c.Get("a") != nil {
		t.Fatalf("expired %d, a %v", n, c.Get("a"))
	}
}
