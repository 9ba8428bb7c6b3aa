package txn

import (
	"errors"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
)

// fakeDeps records the transaction log and markers in memory. With hold
// set, WriteMarkers reports on entered and waits for hold to close; with
// holdAwait set, AwaitLog reports on awaiting and waits for holdAwait to
// close.
type fakeDeps struct {
	mu         sync.Mutex
	log        [][2][]byte
	nextPID    int64
	markers    []string
	failMarks  bool
	failAwait  error
	hold       chan struct{}
	entered    chan struct{}
	holdAwait  chan struct{}
	awaiting   chan struct{}
	awaitedEnd []int64
}

func (d *fakeDeps) AppendLog(_ int32, k, v []byte) (int64, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.log = append(d.log, [2][]byte{k, v})
	return int64(len(d.log)), nil
}
func (d *fakeDeps) AwaitLog(_ int32, end int64) error {
	d.mu.Lock()
	hold, awaiting, fail := d.holdAwait, d.awaiting, d.failAwait
	d.awaitedEnd = append(d.awaitedEnd, end)
	d.mu.Unlock()
	if hold != nil {
		awaiting <- struct{}{}
		<-hold
	}
	return fail
}
func (d *fakeDeps) NewProducerID() (int64, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.nextPID++
	return d.nextPID, nil
}
func (d *fakeDeps) WriteMarkers(_ int32, pid int64, epoch int16, commit bool, parts []TopicPartition) error {
	d.mu.Lock()
	hold, entered := d.hold, d.entered
	d.mu.Unlock()
	if hold != nil {
		entered <- struct{}{}
		<-hold
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.failMarks {
		return errors.New("disk full")
	}
	for range parts {
		if commit {
			d.markers = append(d.markers, "commit")
		} else {
			d.markers = append(d.markers, "abort")
		}
	}
	return nil
}
func (d *fakeDeps) PartitionExists(tp TopicPartition) bool { return tp.Topic != "missing" }

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func newTest() (*Coordinator, *fakeDeps, *clock) {
	d := &fakeDeps{}
	ck := &clock{t: time.Unix(1000, 0)}
	return New(Config{Partitions: 50, MaxTimeoutMs: 900000, Now: ck.now}, d), d, ck
}

// replay rebuilds a coordinator from the fake log, as a restart does.
func replay(t *testing.T, d *fakeDeps) *Coordinator {
	c := New(Config{Partitions: 50, MaxTimeoutMs: 900000}, d)
	for _, r := range d.log {
		if err := c.Load(r[0], r[1]); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

var tp0 = TopicPartition{"t", 0}

func TestCommitAbortFlow(t *testing.T) {
	c, d, _ := newTest()
	r := c.InitProducerID("a", 60000, -1, -1)
	if r.Err != nil || r.Epoch != 0 {
		t.Fatal(r)
	}
	if errs := c.AddPartitions("a", r.ProducerID, 0, []TopicPartition{tp0, {"missing", 0}}); errs[tp0] != kerr.OperationNotAttempted {
		t.Fatal(errs)
	}
	if errs := c.AddPartitions("a", r.ProducerID, 0, []TopicPartition{tp0}); errs[tp0] != nil {
		t.Fatal(errs)
	}
	if v := c.Verify("a", r.ProducerID, 0, []TopicPartition{tp0, {"t", 1}}); v[tp0] != nil || v[TopicPartition{"t", 1}] != kerr.InvalidTxnState {
		t.Fatal(v)
	}
	if e := c.EndTxn("a", r.ProducerID, 1, true, false); e.Err != kerr.ProducerFenced {
		t.Fatal(e)
	}
	if e := c.EndTxn("a", r.ProducerID, 0, true, false); e.Err != nil {
		t.Fatal(e)
	}
	if e := c.EndTxn("a", r.ProducerID, 0, true, false); e.Err != nil {
		t.Fatal("a retried commit must succeed:", e)
	}
	if e := c.EndTxn("a", r.ProducerID, 0, false, false); e.Err != kerr.InvalidTxnState {
		t.Fatal(e)
	}
	if len(d.markers) != 1 || d.markers[0] != "commit" {
		t.Fatal(d.markers)
	}
	if m := replay(t, d).Get("a"); m.State != CompleteCommit || len(m.Partitions) != 0 {
		t.Fatalf("replayed %+v", m)
	}
}

func TestInitFencesAndAbortsOngoing(t *testing.T) {
	c, d, _ := newTest()
	r := c.InitProducerID("a", 60000, -1, -1)
	c.AddPartitions("a", r.ProducerID, 0, []TopicPartition{tp0})
	r2 := c.InitProducerID("a", 60000, -1, -1)
	if r2.Err != nil || r2.ProducerID != r.ProducerID || r2.Epoch != 2 {
		t.Fatalf("second init %+v (the abort bumps once, the init again)", r2)
	}
	if len(d.markers) != 1 || d.markers[0] != "abort" {
		t.Fatal(d.markers)
	}
	if e := c.AddPartitions("a", r.ProducerID, 0, []TopicPartition{tp0}); e[tp0] != kerr.ProducerFenced {
		t.Fatal(e)
	}
	if r3 := c.InitProducerID("a", 60000, r.ProducerID, 0); r3.Err != kerr.ProducerFenced {
		t.Fatal("KIP-360 init with a stale epoch must be fenced", r3)
	}
	if r4 := c.InitProducerID("a", 60000, r2.ProducerID, 2); r4.Err != nil || r4.Epoch != 3 {
		t.Fatal(r4)
	}
	if r5 := c.InitProducerID("b", 1<<30, -1, -1); r5.Err != kerr.InvalidTransactionTimeout {
		t.Fatal(r5)
	}
}

func TestPreparedFinishedByRecover(t *testing.T) {
	c, d, _ := newTest()
	r := c.InitProducerID("a", 60000, -1, -1)
	c.AddPartitions("a", r.ProducerID, 0, []TopicPartition{tp0})
	d.failMarks = true
	if e := c.EndTxn("a", r.ProducerID, 0, true, false); e.Err == nil {
		t.Fatal("markers failed; the end must fail")
	}
	c2 := replay(t, d) // a crash after PrepareCommit
	if m := c2.Get("a"); m.State != PrepareCommit {
		t.Fatalf("replayed %v", StateName(m.State))
	}
	d.failMarks = false
	if n := c2.Recover(); n != 1 || c2.Get("a").State != CompleteCommit || d.markers[0] != "commit" {
		t.Fatal(n, c2.Get("a"), d.markers)
	}
}

func TestTimeoutAbort(t *testing.T) {
	c, d, ck := newTest()
	r := c.InitProducerID("a", 1000, -1, -1)
	c.AddPartitions("a", r.ProducerID, 0, []TopicPartition{tp0})
	if c.AbortTimedOut() != 0 {
		t.Fatal("aborted too early")
	}
	ck.t = ck.t.Add(2 * time.Second)
	if c.AbortTimedOut() != 1 || c.Get("a").State != CompleteAbort || c.Get("a").Epoch != 1 || d.markers[0] != "abort" {
		t.Fatal(c.Get("a"), d.markers)
	}
	if e := c.EndTxn("a", r.ProducerID, 0, true, false); e.Err != kerr.ProducerFenced {
		t.Fatal(e)
	}
}

func TestTransactionsV2(t *testing.T) {
	c, d, _ := newTest()
	r := c.InitProducerID("a", 60000, -1, -1)
	if err := c.VerifyPartition("a", r.ProducerID, 0, tp0, true); err != nil {
		t.Fatal(err)
	}
	e := c.EndTxn("a", r.ProducerID, 0, true, true)
	if e.Err != nil || e.Epoch != 1 || e.ProducerID != r.ProducerID {
		t.Fatal(e)
	}
	if again := c.EndTxn("a", r.ProducerID, 0, true, true); again.Err != nil || again.Epoch != 1 {
		t.Fatal("a v2 retry must answer the bumped epoch", again)
	}
	if empty := c.EndTxn("a", r.ProducerID, 1, false, true); empty.Err != nil || empty.Epoch != 2 {
		t.Fatal("an empty v2 abort bumps the epoch", empty)
	}
	if len(d.markers) != 1 {
		t.Fatal(d.markers)
	}
	if m := replay(t, d).Get("a"); m.ClientTV != 2 || m.Epoch != 2 {
		t.Fatalf("replayed %+v", m)
	}
}

// TestStateMachineProperty drives random requests from two producers of
// one transactional id and checks the invariants after every step: the
// persisted log replays to the in-memory state, only Ongoing transactions
// hold partitions, and epochs never go down.
func TestStateMachineProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for round := 0; round < 100; round++ {
		c, d, ck := newTest()
		type prod struct {
			pid   int64
			epoch int16
		}
		var ps [2]prod
		lastEpoch := int16(-1)
		for step := 0; step < 60; step++ {
			p := &ps[rng.IntN(2)]
			switch rng.IntN(6) {
			case 0:
				r := c.InitProducerID("x", 5000, -1, -1)
				if r.Err == nil {
					p.pid, p.epoch = r.ProducerID, r.Epoch
				}
			case 1, 2:
				c.AddPartitions("x", p.pid, p.epoch, []TopicPartition{{"t", int32(rng.IntN(3))}})
			case 3:
				e := c.EndTxn("x", p.pid, p.epoch, rng.IntN(2) == 0, rng.IntN(2) == 0)
				if e.Err == nil {
					p.pid, p.epoch = e.ProducerID, e.Epoch
				}
			case 4:
				ck.t = ck.t.Add(time.Duration(rng.IntN(8000)) * time.Millisecond)
				c.AbortTimedOut()
			case 5:
				d.failMarks = rng.IntN(4) == 0
				c.Recover()
			}
			m := c.Get("x")
			if m == nil {
				continue
			}
			if m.Epoch < lastEpoch && m.LastEpoch != -1 {
				t.Fatalf("round %d step %d: epoch went from %d to %d", round, step, lastEpoch, m.Epoch)
			}
			lastEpoch = m.Epoch
			if len(m.Partitions) > 0 && m.State != Ongoing && m.State != PrepareCommit && m.State != PrepareAbort {
				t.Fatalf("round %d step %d: %s holds partitions", round, step, StateName(m.State))
			}
			r := replay(t, d).Get("x")
			if r.State != m.State || r.Epoch != m.Epoch || r.ProducerID != m.ProducerID || len(r.Partitions) != len(m.Partitions) {
				t.Fatalf("round %d step %d: replay %+v differs from memory %+v", round, step, r, m)
			}
		}
	}
}

func TestPartitionForMatchesJava(t *testing.T) {
	// "hello".hashCode() == 99162322; "" is 0; a surrogate pair hashes its
	// two UTF-16 units.
	if JavaHash("hello") != 99162322 || JavaHash("") != 0 || JavaHash("😀") != 31*0xD83D+0xDE00 {
		t.Fatal(JavaHash("hello"), JavaHash("😀"))
	}
	if p := PartitionFor("hello", 50); p != 99162322%50 {
		t.Fatal(p)
	}
}

func FuzzDecodeRecord(f *testing.F) {
	m := &Metadata{TransactionalID: "a", ProducerID: 7, Epoch: 2, TimeoutMs: 100, State: Ongoing,
		Partitions: map[TopicPartition]struct{}{{"t", 1}: {}}, ClientTV: 2}
	f.Add(EncodeKey("a"), EncodeValue(m))
	m.ClientTV = 0
	f.Add(EncodeKey("a"), EncodeValue(m))
	f.Fuzz(func(t *testing.T, k, v []byte) {
		id, got, err := DecodeRecord(k, v)
		if err != nil || got == nil {
			return
		}
		if _, again, err := DecodeRecord(EncodeKey(id), EncodeValue(got)); err != nil || again.State != got.State || len(again.Partitions) != len(got.Partitions) {
			t.Fatalf("re-encoding failed: %v", err)
		}
	})
}

// TestExpireIDs: ids whose last transaction ended expirationMs ago get a
// tombstone and are gone (also after a replay); an ongoing transaction
// and a recently ended one stay; an expired id starts over with a new
// producer id.
func TestExpireIDs(t *testing.T) {
	c, d, ck := newTest()
	idle := c.InitProducerID("idle", 60000, -1, -1)     // Empty
	done := c.InitProducerID("done", 60000, -1, -1)     // will be CompleteCommit
	open := c.InitProducerID("open", 600000, -1, -1)    // will stay Ongoing
	recent := c.InitProducerID("recent", 60000, -1, -1) // Empty, updated later
	for _, r := range []InitResult{idle, done, open, recent} {
		if r.Err != nil {
			t.Fatal(r)
		}
	}
	if errs := c.AddPartitions("done", done.ProducerID, 0, []TopicPartition{tp0}); errs[tp0] != nil {
		t.Fatal(errs)
	}
	if e := c.EndTxn("done", done.ProducerID, 0, true, false); e.Err != nil {
		t.Fatal(e)
	}
	if errs := c.AddPartitions("open", open.ProducerID, 0, []TopicPartition{tp0}); errs[tp0] != nil {
		t.Fatal(errs)
	}
	ck.t = ck.t.Add(10 * time.Second)
	if r := c.InitProducerID("recent", 60000, -1, -1); r.Err != nil {
		t.Fatal(r)
	}
	logLen := len(d.log)
	if n := c.ExpireIDs(5000); n != 2 {
		t.Fatalf("expired %d ids, want 2 (idle, done)", n)
	}
	if c.Get("idle") != nil || c.Get("done") != nil || c.Get("open") == nil || c.Get("recent") == nil {
		t.Fatalf("after expiry: idle %v done %v open %v recent %v", c.Get("idle"), c.Get("done"), c.Get("open"), c.Get("recent"))
	}
	if tomb := d.log[logLen:]; len(tomb) != 2 || tomb[0][1] != nil || tomb[1][1] != nil {
		t.Fatalf("want two tombstones, log tail %v", tomb)
	}
	r := replay(t, d)
	if r.Get("idle") != nil || r.Get("done") != nil || r.Get("open") == nil {
		t.Fatal("replayed log brings expired ids back")
	}
	again := c.InitProducerID("done", 60000, -1, -1)
	if again.Err != nil || again.ProducerID == done.ProducerID || again.Epoch != 0 {
		t.Fatalf("expired id starting over: %+v (old producer id %d)", again, done.ProducerID)
	}
}

// A transactions v2 EndTxn retried at the epoch before its bump is
// recognized by that epoch alone, as Kafka's retryOnEpochBump: while the
// markers are still unwritten it is CONCURRENT_TRANSACTIONS, once they are
// written a success, and that also on a coordinator that loaded the
// transaction from the log (a coordinator move). PRODUCER_FENCED here
// failed a franz-go producer for good (TestClusterTxnCoordinator).
func TestTransactionsV2RetryAcrossMarkersAndMove(t *testing.T) {
	c, d, _ := newTest()
	r := c.InitProducerID("a", 60000, -1, -1)
	if err := c.VerifyPartition("a", r.ProducerID, 0, tp0, true); err != nil {
		t.Fatal(err)
	}
	d.failMarks = true // a partition leader moving: the markers wait
	if e := c.EndTxn("a", r.ProducerID, 0, true, true); e.Err != kerr.CoordinatorNotAvailable {
		t.Fatal("first end:", e)
	}
	if e := c.EndTxn("a", r.ProducerID, 0, true, true); e.Err != kerr.ConcurrentTransactions {
		t.Fatal("a retry while prepared must be CONCURRENT_TRANSACTIONS:", e)
	}
	if e := c.EndTxn("a", r.ProducerID, 0, false, true); e.Err != kerr.InvalidTxnState {
		t.Fatal("an abort of a prepared commit:", e)
	}
	if e := c.EndTxn("a", r.ProducerID, 2, true, true); e.Err != kerr.ProducerFenced {
		t.Fatal("another epoch while prepared:", e)
	}
	d.failMarks = false
	moved := replay(t, d) // the new coordinator knows the epoch, not the one before
	if n := moved.Recover(); n != 1 {
		t.Fatalf("recovered %d", n)
	}
	for _, co := range []*Coordinator{moved, replay(t, d)} {
		if e := co.EndTxn("a", r.ProducerID, 0, true, true); e.Err != nil || e.Epoch != 1 || e.ProducerID != r.ProducerID {
			t.Fatal("a retry after the move:", e)
		}
		if e := co.EndTxn("a", r.ProducerID, 1, true, true); e.Err != kerr.InvalidTxnState {
			t.Fatal("a new commit with nothing in it:", e)
		}
	}
	if e := moved.EndTxn("a", r.ProducerID, 1, false, true); e.Err != nil || e.Epoch != 2 {
		t.Fatal("an empty abort after the move:", e)
	}
}
