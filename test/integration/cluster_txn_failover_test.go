package integration

// The transaction coordinator answers only once the ISR of its
// __transaction_state partition holds its record, so a coordinator
// elected from the ISR after a failover knows every partition a producer
// was told is in its transaction (internal/txn pending.go).

import (
	"fmt"
	"testing"
	"time"

	"github.com/gofka/gofka/pkg/gofkatest"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kversion"
)

// TestTxnCoordinatorFailoverAfterAdd: node n coordinates transactional id
// a (n is not the controllers' leader l); topic failtx's two partitions
// are on l. After a first committed transaction, n is cut from both
// other nodes, so nothing n appends to __transaction_state is
// replicated. The producer starts a second transaction on both
// partitions (explicit AddPartitionsToTxn: produce capped below v12); n
// appends the Ongoing state but must not answer it. n is killed; the
// transaction log partition gets a leader from the ISR, which never saw
// that record; the producer adds the partitions again there and commits,
// so markers reach both partitions: read_committed readers get every
// record. A coordinator that answered the add before the ISR had it let
// the producer write both partitions, then committed on the new
// coordinator without markers (it knew no partition), leaving both
// transactions open and the last stable offsets stuck.
func TestTxnCoordinatorFailoverAfterAdd(t *testing.T) {
	opts := append(groupOpts(),
		gofkatest.WithConfig("broker.session.timeout.ms", "3000"),
		gofkatest.WithConfig("broker.heartbeat.interval.ms", "300"),
		gofkatest.WithConfig("transaction.state.log.num.partitions", fmt.Sprint(coordParts)),
		gofkatest.WithConfig("transaction.state.log.replication.factor", "3"),
		gofkatest.WithConfig("transaction.state.log.min.isr", "2"),
		gofkatest.WithConfig("gofka.metrics.listen", "127.0.0.1:0"),
	)
	c := gofkatest.StartCluster(t, gofkatest.Nodes(3), gofkatest.NodeOptions(opts...))
	ctx := ctxT(t, 4*time.Minute)
	cl := clusterClient(t, c.Addrs()...)
	l := c.Leader()
	n, f := l%3+1, (l+1)%3+1
	a := keysOn(t, ctx, cl, 1, n, "failtx", 1)[0]
	createOn(t, ctx, cl, "failtx", 2, l)

	pa, err := kgo.NewClient(kgo.SeedBrokers(c.Addrs()...), kgo.TransactionalID(a), kgo.DefaultProduceTopic("failtx"),
		kgo.MaxVersions(kversion.V3_7_0()), // Produce v10: partitions are added with AddPartitionsToTxn
		kgo.RecordPartitioner(kgo.ManualPartitioner()), kgo.RetryTimeout(3*time.Minute),
		kgo.TransactionTimeout(3*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	defer pa.Close()
	produceTxn := func(prefix string) []kgo.ProduceResult {
		if err := pa.BeginTransaction(); err != nil {
			t.Fatal(err)
		}
		out := make(chan kgo.ProduceResult, 2)
		for p := int32(0); p < 2; p++ {
			r := &kgo.Record{Partition: p, Value: []byte(fmt.Sprintf("%s-%d", prefix, p))}
			pa.Produce(ctx, r, func(r *kgo.Record, err error) { out <- kgo.ProduceResult{Record: r, Err: err} })
		}
		if err := pa.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		return []kgo.ProduceResult{<-out, <-out}
	}
	produceTxn("first")
	if err := pa.EndTransaction(ctx, kgo.TryCommit); err != nil {
		t.Fatalf("commit before the cut: %v", err)
	}

	leo := fmt.Sprintf(`gofka_log_end_offset{partition="%d",topic="__transaction_state"}`, javaPartition(a, coordParts))
	before := metricValue(t, c.Node(n).MetricsAddr(), leo)
	c.Cut(n, l)
	c.Cut(n, f)
	defer c.Heal()
	second := make(chan []kgo.ProduceResult, 1)
	go func() { second <- produceTxn("second") }()
	waitFor(t, 60*time.Second, "the coordinator to append the transaction's partitions", func() bool {
		v, _ := lookupMetric(t, c.Node(n).MetricsAddr(), leo)
		return v > before
	})
	start := time.Now()
	c.Kill(n)
	waitFor(t, 60*time.Second, "another node to coordinate "+a, func() bool {
		return coordinatorOf(t, ctx, cl, 1, a) != n
	})
	t.Logf("node %d coordinates %s %v after the kill", coordinatorOf(t, ctx, cl, 1, a), a, time.Since(start))
	for _, r := range <-second {
		if r.Err != nil {
			t.Fatalf("produce to failtx-%d across the failover: %v", r.Record.Partition, r.Err)
		}
	}
	t.Logf("the second transaction's records written %v after the kill", time.Since(start))
	if err := pa.EndTransaction(ctx, kgo.TryCommit); err != nil {
		t.Fatalf("commit after the failover: %v", err)
	}
	t.Logf("committed %v after the kill", time.Since(start))
	got := readAll(t, ctx, c.Node(l).Addr(), "failtx", true, 4)
	for _, v := range []string{"first-0", "first-1", "second-0", "second-1"} {
		if got[v] != 1 {
			t.Errorf("read_committed got %s %d times, want once (all: %v)", v, got[v], got)
		}
	}
}
