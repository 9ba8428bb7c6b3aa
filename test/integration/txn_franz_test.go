package integration

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/gofka/gofka/pkg/gofkatest"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// startTxnCluster starts a node with a small transaction log and fast
// timeout checks.
func startTxnCluster(t *testing.T, opts ...gofkatest.Option) *gofkatest.Cluster {
	opts = append([]gofkatest.Option{
		gofkatest.WithConfig("transaction.state.log.num.partitions", "4"),
		gofkatest.WithConfig("offsets.topic.num.partitions", "4"),
		gofkatest.WithConfig("transaction.abort.timed.out.transaction.cleanup.interval.ms", "100"),
	}, opts...)
	return gofkatest.Start(t, opts...)
}

func txnProduce(t *testing.T, ctx context.Context, cl *kgo.Client, topic, prefix string, n int, commit bool) {
	t.Helper()
	if err := cl.BeginTransaction(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		cl.Produce(ctx, &kgo.Record{Topic: topic, Key: []byte(fmt.Sprintf("%s-%04d", prefix, i)), Value: []byte(prefix)}, nil)
	}
	if err := cl.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if err := cl.EndTransaction(ctx, kgo.TransactionEndTry(commit)); err != nil {
		t.Fatalf("end transaction (commit %v): %v", commit, err)
	}
}

// readAll reads a topic at an isolation level and returns the values'
// counts: until at least want records arrived, then until a second passes
// without more (extra records fail the callers' checks). Waiting for want
// rather than for a first quiet second matters: a consumer may start
// fetching some partitions before others, and a fetch parked on an idle
// partition used to end the read early (a flaky "read_committed saw
// commit1:30 commit2:30", one partition's worth).
func readAll(t *testing.T, ctx context.Context, addr, topic string, committed bool, want int) map[string]int {
	t.Helper()
	iso := kgo.ReadUncommitted()
	if committed {
		iso = kgo.ReadCommitted()
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.ConsumeTopics(topic), kgo.FetchIsolationLevel(iso),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchMaxWait(200*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	got := map[string]int{}
	n := 0
	for {
		wait := time.Second
		if n < want {
			wait = 30 * time.Second
		}
		pctx, cancel := context.WithTimeout(ctx, wait)
		fs := cl.PollFetches(pctx)
		cancel()
		if ctx.Err() != nil {
			t.Fatalf("read %s: %v after %d of %d records", topic, ctx.Err(), n, want)
		}
		if fs.NumRecords() == 0 && n >= want {
			return got
		}
		if fs.NumRecords() == 0 {
			t.Fatalf("read %s: %d of %d records, then none for %v", topic, n, want, wait)
		}
		n += fs.NumRecords()
		fs.EachRecord(func(r *kgo.Record) { got[string(r.Value)]++ })
	}
}

// TestFranzTransactions commits and aborts transactions with franz-go and
// checks what read_committed and read_uncommitted consumers see, the last
// stable offset in ListOffsets, and the admin views of producers and
// transactions.
func TestFranzTransactions(t *testing.T) {
	c := startTxnCluster(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	adm := newAdmin(t, c.Addr())
	const topic = "txn-franz"
	if _, err := adm.CreateTopic(ctx, 3, 1, nil, topic); err != nil {
		t.Fatal(err)
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.Addr()), kgo.TransactionalID("franz-txn"), kgo.DefaultProduceTopic(topic))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	txnProduce(t, ctx, cl, topic, "commit1", 100, true)
	txnProduce(t, ctx, cl, topic, "abort1", 50, false)
	txnProduce(t, ctx, cl, topic, "commit2", 70, true)
	txnProduce(t, ctx, cl, topic, "abort2", 30, false)

	committed := readAll(t, ctx, c.Addr(), topic, true, 170)
	if committed["commit1"] != 100 || committed["commit2"] != 70 || committed["abort1"]+committed["abort2"] != 0 {
		t.Fatalf("read_committed saw %v", committed)
	}
	all := readAll(t, ctx, c.Addr(), topic, false, 250)
	if all["abort1"] != 50 || all["abort2"] != 30 || all["commit1"] != 100 {
		t.Fatalf("read_uncommitted saw %v", all)
	}

	// An open transaction holds the last stable offset back.
	if err := cl.BeginTransaction(); err != nil {
		t.Fatal(err)
	}
	if err := cl.ProduceSync(ctx, &kgo.Record{Topic: topic, Partition: 0, Value: []byte("open")}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	lso, _ := adm.ListCommittedOffsets(ctx, topic)
	hw, _ := adm.ListEndOffsets(ctx, topic)
	stuck := false
	hw.Each(func(o kadm.ListedOffset) {
		if l, _ := lso.Lookup(topic, o.Partition); l.Offset < o.Offset {
			stuck = true
		}
	})
	if !stuck {
		t.Fatalf("an open transaction must hold the LSO below the high watermark: lso %v hw %v", lso, hw)
	}
	desc, err := adm.DescribeTransactions(ctx, "franz-txn")
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := desc.On("franz-txn", nil); d.State != "Ongoing" || len(d.Topics) != 1 {
		t.Fatalf("describe: %+v", d)
	}
	listed, err := adm.ListTransactions(ctx, nil, []string{"Ongoing"})
	if err != nil || len(listed) != 1 {
		t.Fatalf("list: %v %v", listed, err)
	}
	if err := cl.EndTransaction(ctx, kgo.TryCommit); err != nil {
		t.Fatal(err)
	}
	// Transactions v2 (KIP-890, transaction.version=2 is finalized): every
	// end bumps the epoch, five ends so far.
	if d, _ := adm.DescribeTransactions(ctx, "franz-txn"); d["franz-txn"].State != "CompleteCommit" || d["franz-txn"].ProducerEpoch != 5 {
		t.Fatalf("after commit: %+v", d["franz-txn"])
	}
}

// TestFranzTransactionTimeout leaves a transaction open past its timeout:
// the coordinator aborts it, fencing the producer, and the last stable
// offset moves past it.
func TestFranzTransactionTimeout(t *testing.T) {
	c := startTxnCluster(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	adm := newAdmin(t, c.Addr())
	const topic = "txn-timeout"
	if _, err := adm.CreateTopic(ctx, 1, 1, nil, topic); err != nil {
		t.Fatal(err)
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.Addr()), kgo.TransactionalID("slow"), kgo.TransactionTimeout(500*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if err := cl.BeginTransaction(); err != nil {
		t.Fatal(err)
	}
	if err := cl.ProduceSync(ctx, &kgo.Record{Topic: topic, Value: []byte("late")}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	for {
		d, err := adm.DescribeTransactions(ctx, "slow")
		if err != nil {
			t.Fatal(err)
		}
		if d["slow"].State == "CompleteAbort" {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("transaction never timed out: %+v", d["slow"])
		}
		time.Sleep(50 * time.Millisecond)
	}
	lso, _ := adm.ListCommittedOffsets(ctx, topic)
	if o, _ := lso.Lookup(topic, 0); o.Offset != 2 { // the record and the abort marker
		t.Fatalf("LSO %d after the abort, want 2", o.Offset)
	}
	if got := readAll(t, ctx, c.Addr(), topic, true, 0); len(got) != 0 {
		t.Fatalf("read_committed saw aborted records: %v", got)
	}
	if err := cl.EndTransaction(ctx, kgo.TryCommit); err == nil {
		t.Fatal("committing a timed-out transaction must fail")
	}
}

// TestTransactionalIDExpiration: a transactional id whose last transaction
// ended transactional.id.expiration.ms ago leaves ListTransactions, stays
// gone after a restart (its tombstone in __transaction_state), and can be
// used again from scratch; an id with an open transaction does not expire.
func TestTransactionalIDExpiration(t *testing.T) {
	dir := t.TempDir()
	opts := []gofkatest.Option{gofkatest.WithDir(dir),
		gofkatest.WithConfig("transactional.id.expiration.ms", "300"),
		gofkatest.WithConfig("transaction.remove.expired.transaction.cleanup.interval.ms", "50")}
	c := gofkatest.Start(t, opts...)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	const topic = "txn-id-expiry"
	if _, err := newAdmin(t, c.Addr()).CreateTopic(ctx, 1, 1, nil, topic); err != nil {
		t.Fatal(err)
	}
	client := func(id string) *kgo.Client {
		cl, err := kgo.NewClient(kgo.SeedBrokers(c.Addr()), kgo.TransactionalID(id), kgo.DefaultProduceTopic(topic),
			kgo.TransactionTimeout(30*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		return cl
	}
	done, open := client("expiry-done"), client("expiry-open")
	defer open.Close()
	txnProduce(t, ctx, done, topic, "d", 3, true)
	done.Close()
	if err := open.BeginTransaction(); err != nil {
		t.Fatal(err)
	}
	if err := open.ProduceSync(ctx, &kgo.Record{Value: []byte("open")}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	listed := func() map[string]string {
		ls, err := newAdmin(t, c.Addr()).ListTransactions(ctx, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		ls.Each(func(l kadm.ListedTransaction) { out[l.TxnID] = l.State })
		return out
	}
	waitFor(t, 10*time.Second, "the ended transactional id to expire", func() bool {
		_, ok := listed()["expiry-done"]
		return !ok
	})
	if st := listed()["expiry-open"]; st != "Ongoing" {
		t.Fatalf("the open transaction's id: state %q, want Ongoing", st)
	}
	if err := open.EndTransaction(ctx, kgo.TryCommit); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	c = gofkatest.Start(t, append(opts[:1], gofkatest.WithConfig("transactional.id.expiration.ms", "86400000"))...)
	if _, ok := listed()["expiry-done"]; ok {
		t.Fatal("the expired transactional id is back after a restart")
	}
	again := client("expiry-done")
	defer again.Close()
	txnProduce(t, ctx, again, topic, "e", 2, true)
	if st := listed()["expiry-done"]; st != "CompleteCommit" {
		t.Fatalf("the reused transactional id: state %q, want CompleteCommit", st)
	}
}
