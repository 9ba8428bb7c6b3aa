package process

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// TestKillDuringTransactions commits transactions, leaves one open with
// records written and kills the server with SIGKILL, several times. After
// each restart the same transactional id fences the old incarnation (its
// open transaction is aborted), and a read_committed consumer must find
// every committed record exactly once and never a record of a transaction
// that was not committed.
func TestKillDuringTransactions(t *testing.T) {
	s := newServer(t)
	txnFlags := []string{"--set", "transaction.state.log.num.partitions=4", "--set", "transaction.abort.timed.out.transaction.cleanup.interval.ms=200"}
	s.start(txnFlags...)
	const topic = "kill9-txn"
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	admin(t, s.addr, func(adm *kadm.Client) {
		if _, err := adm.CreateTopic(ctx, 3, 1, nil, topic); err != nil {
			t.Fatal(err)
		}
	})
	committed := map[string]bool{}
	uncommitted := map[string]bool{}
	for round := 0; round < 3; round++ {
		cl, err := kgo.NewClient(kgo.SeedBrokers(s.addr), kgo.TransactionalID("kill9"), kgo.DefaultProduceTopic(topic),
			kgo.RequestTimeoutOverhead(2*time.Second), kgo.RetryTimeout(5*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		for txn := 0; txn < 4; txn++ {
			vals := produceTxn(t, ctx, cl, fmt.Sprintf("r%d-t%d", round, txn), 25)
			if err := cl.EndTransaction(ctx, kgo.TryCommit); err != nil {
				t.Fatalf("round %d txn %d commit: %v", round, txn, err)
			}
			for _, v := range vals {
				committed[v] = true
			}
		}
		for _, v := range produceTxn(t, ctx, cl, fmt.Sprintf("r%d-open", round), 25) {
			uncommitted[v] = true
		}
		s.kill()
		cl.Close()
		s.start(txnFlags...)
	}
	// A fresh incarnation fences the last one and aborts its transaction.
	cl, err := kgo.NewClient(kgo.SeedBrokers(s.addr), kgo.TransactionalID("kill9"), kgo.DefaultProduceTopic(topic))
	if err != nil {
		t.Fatal(err)
	}
	vals := produceTxn(t, ctx, cl, "final", 10)
	if err := cl.EndTransaction(ctx, kgo.TryCommit); err != nil {
		t.Fatal(err)
	}
	cl.Close()
	for _, v := range vals {
		committed[v] = true
	}
	verifyCommitted(t, ctx, s.addr, topic, committed, uncommitted)
	if err := s.stop(); err != nil {
		t.Errorf("clean stop after kills: %v", err)
	}
}

func produceTxn(t *testing.T, ctx context.Context, cl *kgo.Client, prefix string, n int) []string {
	t.Helper()
	if err := cl.BeginTransaction(); err != nil {
		t.Fatal(err)
	}
	var vals []string
	var rs []*kgo.Record
	for i := 0; i < n; i++ {
		v := fmt.Sprintf("%s-%03d", prefix, i)
		vals = append(vals, v)
		rs = append(rs, &kgo.Record{Value: []byte(v)})
	}
	if err := cl.ProduceSync(ctx, rs...).FirstErr(); err != nil {
		t.Fatalf("produce %s: %v", prefix, err)
	}
	return vals
}

// verifyCommitted reads the topic read_committed until a second passes
// without records.
func verifyCommitted(t *testing.T, ctx context.Context, addr, topic string, committed, uncommitted map[string]bool) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.ConsumeTopics(topic), kgo.FetchIsolationLevel(kgo.ReadCommitted()),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	seen := map[string]bool{}
	for len(seen) < len(committed) {
		pctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		fs := cl.PollFetches(pctx)
		cancel()
		if fs.NumRecords() == 0 {
			break
		}
		fs.EachRecord(func(r *kgo.Record) {
			v := string(r.Value)
			switch {
			case uncommitted[v]:
				t.Errorf("read_committed returned %s of an aborted transaction", v)
			case seen[v]:
				t.Errorf("%s read twice", v)
			case !committed[v]:
				t.Errorf("unexpected record %s", v)
			}
			seen[v] = true
		})
	}
	if len(seen) != len(committed) {
		t.Fatalf("read %d committed records, want %d", len(seen), len(committed))
	}
}

// TestKillDuringConsumeTransformProduce is the exactly-once acceptance test:
// a kgo.GroupTransactSession moves records from an input to an output topic
// (the consumed offsets committed in each transaction with TxnOffsetCommit)
// while the server is killed with SIGKILL and restarted several times; a
// read_committed consumer must find every input record exactly once in the
// output, and never a record of an aborted transaction.
func TestKillDuringConsumeTransformProduce(t *testing.T) {
	s := newServer(t)
	flags := []string{"--set", "transaction.state.log.num.partitions=4", "--set", "offsets.topic.num.partitions=3",
		"--set", "transaction.abort.timed.out.transaction.cleanup.interval.ms=200",
		"--set", "group.initial.rebalance.delay.ms=0", "--set", "group.min.session.timeout.ms=500"}
	s.start(flags...)
	const in, out, n, kills = "ctp-in", "ctp-out", 3000, 3
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	admin(t, s.addr, func(adm *kadm.Client) {
		for _, topic := range []string{in, out} {
			if _, err := adm.CreateTopic(ctx, 3, 1, nil, topic); err != nil {
				t.Fatal(err)
			}
		}
	})
	produceInput(t, ctx, s.addr, in, n)
	tctx, stop := context.WithCancel(ctx)
	tr := &transformer{addr: s.addr, in: in, out: out, tocSent: make(chan struct{}), resume: make(chan struct{})}
	done := make(chan struct{})
	go func() {
		defer close(done)
		tr.loop(tctx)
	}()
	for k := 1; k <= kills; k++ {
		// Kill right after a TxnOffsetCommit went out, once enough records
		// moved: the transaction is open with pending offsets. The
		// application dies too (its End is cancelled); the next session
		// fences it, which aborts it.
		tr.killAt.Store(int64(n * k / (kills + 1)))
		select {
		case <-tr.tocSent:
		case <-ctx.Done():
			t.Fatalf("kill %d: no TxnOffsetCommit after %d records moved", k, tr.moved.Load())
		}
		s.kill()
		tr.cancelEnd()
		tr.resume <- struct{}{}
		s.start(flags...)
	}
	waitUntil(t, ctx, "every input offset committed by the group", func() bool { return groupCommitted(s.addr, "ctp-group") >= n })
	stop()
	<-done
	t.Logf("%d kills, %d sessions, %d records moved in committed transactions, %d output records read_uncommitted",
		kills, tr.sessions.Load(), tr.moved.Load(), countRecords(t, ctx, s.addr, out))
	verifyOutput(t, ctx, s.addr, out, n)
	if err := s.stop(); err != nil {
		t.Errorf("clean stop after kills: %v", err)
	}
}

// produceInput writes keys k-0 .. k-(n-1) to the input topic.
func produceInput(t *testing.T, ctx context.Context, addr, topic string, n int) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.DefaultProduceTopic(topic))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	rs := make([]*kgo.Record, n)
	for i := range rs {
		k := []byte(fmt.Sprintf("k-%d", i))
		rs[i] = &kgo.Record{Key: k, Value: k}
	}
	if err := cl.ProduceSync(ctx, rs...).FirstErr(); err != nil {
		t.Fatal(err)
	}
}

// transformer copies the input to the output in transactions.
type transformer struct {
	addr, in, out string
	moved         atomic.Int64 // records of committed transactions
	sessions      atomic.Int32
	killAt        atomic.Int64  // moved records from which the next TxnOffsetCommit is signalled (0: none)
	tocSent       chan struct{} // the TxnOffsetCommit was written
	resume        chan struct{} // the server was killed
	endCancel     atomic.Pointer[context.CancelFunc]
}

// OnBrokerWrite (kgo.HookBrokerWrite) holds the first TxnOffsetCommit
// written once killAt records moved until the test has killed the server.
func (tr *transformer) OnBrokerWrite(_ kgo.BrokerMetadata, key int16, _ int, _, _ time.Duration, err error) {
	at := tr.killAt.Load()
	if key != 28 || err != nil || at == 0 || tr.moved.Load() < at || !tr.killAt.CompareAndSwap(at, 0) {
		return
	}
	tr.tocSent <- struct{}{}
	<-tr.resume
}

// cancelEnd cancels the End in progress, as if the application died.
func (tr *transformer) cancelEnd() {
	if f := tr.endCancel.Load(); f != nil {
		(*f)()
	}
}

// loop runs sessions until ctx ends; a session that fails is closed and a
// new one, with the same transactional id, fences it (aborting its open
// transaction) and resumes from the group's committed offsets.
func (tr *transformer) loop(ctx context.Context) {
	for ctx.Err() == nil {
		tr.sessions.Add(1)
		sess, err := kgo.NewGroupTransactSession(kgo.SeedBrokers(tr.addr), kgo.TransactionalID("ctp"),
			kgo.ConsumerGroup("ctp-group"), kgo.ConsumeTopics(tr.in), kgo.FetchIsolationLevel(kgo.ReadCommitted()),
			kgo.DefaultProduceTopic(tr.out), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
			kgo.FetchMaxWait(200*time.Millisecond), kgo.SessionTimeout(3*time.Second), kgo.RebalanceTimeout(5*time.Second),
			kgo.TransactionTimeout(10*time.Second), kgo.RequestTimeoutOverhead(2*time.Second), kgo.RetryTimeout(10*time.Second),
			kgo.WithHooks(tr))
		if err != nil {
			return
		}
		tr.untilError(ctx, sess)
		sess.Close()
	}
}

// untilError copies polled records, one transaction per poll.
func (tr *transformer) untilError(ctx context.Context, sess *kgo.GroupTransactSession) {
	for ctx.Err() == nil {
		pctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
		fs := sess.PollRecords(pctx, 50) // many small transactions
		cancel()
		if fs.NumRecords() == 0 {
			continue
		}
		if err := sess.Begin(); err != nil {
			return
		}
		fs.EachRecord(func(r *kgo.Record) {
			sess.Produce(ctx, &kgo.Record{Key: r.Key, Value: r.Value}, nil)
		})
		ectx, cancel := context.WithTimeout(ctx, 30*time.Second)
		tr.endCancel.Store(&cancel)
		committed, err := sess.End(ectx, kgo.TryCommit)
		tr.endCancel.Store(nil)
		cancel()
		if err != nil {
			return
		}
		if committed {
			tr.moved.Add(int64(fs.NumRecords()))
		}
	}
}

// countRecords counts a topic's records read_uncommitted.
func countRecords(t *testing.T, ctx context.Context, addr, topic string) int {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.FetchMaxWait(200*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	total := 0
	for {
		pctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		fs := cl.PollFetches(pctx)
		cancel()
		if fs.NumRecords() == 0 {
			return total
		}
		total += fs.NumRecords()
	}
}

// groupCommitted sums the group's committed offsets (-1 while the server
// does not answer).
func groupCommitted(addr, groupID string) int64 {
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.RetryTimeout(time.Second))
	if err != nil {
		return -1
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	offs, err := kadm.NewClient(cl).FetchOffsets(ctx, groupID)
	if err != nil {
		return -1
	}
	var sum int64
	offs.Each(func(o kadm.OffsetResponse) { sum += o.At })
	return sum
}

func waitUntil(t *testing.T, ctx context.Context, what string, cond func() bool) {
	t.Helper()
	for !cond() {
		if ctx.Err() != nil {
			t.Fatalf("waiting for %s: %v", what, ctx.Err())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// verifyOutput reads the output read_committed: every input key exactly
// once (a duplicate would be a record of an aborted transaction or a
// second commit of the same input).
func verifyOutput(t *testing.T, ctx context.Context, addr, topic string, n int) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.ConsumeTopics(topic), kgo.FetchIsolationLevel(kgo.ReadCommitted()),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchMaxWait(200*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	seen := map[string]int{}
	for {
		pctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		fs := cl.PollFetches(pctx)
		cancel()
		if fs.NumRecords() == 0 {
			break
		}
		fs.EachRecord(func(r *kgo.Record) { seen[string(r.Key)]++ })
	}
	missing := 0
	for i := 0; i < n; i++ {
		switch c := seen[fmt.Sprintf("k-%d", i)]; c {
		case 0:
			missing++
		case 1:
		default:
			t.Errorf("k-%d in the output %d times", i, c)
		}
	}
	if missing > 0 || len(seen) != n {
		t.Fatalf("%d of %d input records missing, %d distinct keys in the output", missing, n, len(seen))
	}
}
