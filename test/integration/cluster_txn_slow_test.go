package integration

// A slow follower of a partition in a transaction delays that
// transaction's end only: the transaction coordinator writes markers
// without its lock (internal/txn finish.go), so other transactional ids
// on the same coordinator are served meanwhile.

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/gofka/gofka/pkg/gofkatest"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// TestTxnCoordinatorSlowMarkers: node n coordinates transactional ids a
// and b and leads topic slowtx (replicas n and f; the controllers' leader
// l is neither). a writes to slowtx, then f is cut from n, so a's commit
// markers wait for the ISR until n drops f from it
// (replica.lag.time.max.ms: the leader checks every half of it, so f
// leaves the ISR 10-15 s after the cut, inside the markers' wait of
// request.timeout.ms, 30 s; at 20 s a loaded CI run shrank it after 30 s
// and the commit failed COORDINATOR_NOT_AVAILABLE). While a's EndTxn waits, b's InitProducerId
// on the same coordinator is answered; then a's commit completes. The
// transaction log partitions of a and b are moved to n and l first: the
// coordinator answers once the ISR holds its records, and f is cut.
func TestTxnCoordinatorSlowMarkers(t *testing.T) {
	opts := append(groupOpts(),
		gofkatest.WithConfig("transaction.state.log.num.partitions", fmt.Sprint(coordParts)),
		gofkatest.WithConfig("transaction.state.log.replication.factor", "3"),
		gofkatest.WithConfig("transaction.state.log.min.isr", "1"),
		gofkatest.WithConfig("replica.lag.time.max.ms", "10000"),
	)
	c := gofkatest.StartCluster(t, gofkatest.Nodes(3), gofkatest.NodeOptions(opts...))
	ctx := ctxT(t, 4*time.Minute)
	cl := clusterClient(t, c.Addrs()...)
	l := c.Leader()
	n, f := l%3+1, (l+1)%3+1
	ids := keysOn(t, ctx, cl, 1, n, "slowtx", 2)
	a, b := ids[0], ids[1]
	createOn(t, ctx, cl, "slowtx", 1, n) // one replica for now
	reassign(t, ctx, cl, "slowtx", 0, n, f)
	for _, id := range ids {
		reassign(t, ctx, cl, "__transaction_state", javaPartition(id, coordParts), n, l)
	}

	pa, err := kgo.NewClient(kgo.SeedBrokers(c.Addrs()...), kgo.TransactionalID(a), kgo.DefaultProduceTopic("slowtx"),
		kgo.RequestTimeoutOverhead(4*time.Minute), kgo.TransactionTimeout(3*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	defer pa.Close()
	if err := pa.BeginTransaction(); err != nil {
		t.Fatal(err)
	}
	if err := pa.ProduceSync(ctx, kgo.StringRecord("v")).FirstErr(); err != nil {
		t.Fatal(err)
	}
	c.Cut(n, f)
	defer c.Heal()
	start := time.Now()
	endA := make(chan error, 1)
	go func() { endA <- pa.EndTransaction(ctx, kgo.TryCommit) }()
	// A coordinator that writes markers under its lock answers
	// DescribeTransactions only once they are written (CompleteCommit).
	waitFor(t, 60*time.Second, "DescribeTransactions to show "+a+" in PrepareCommit while its markers wait", func() bool {
		d, err := kadm.NewClient(cl).DescribeTransactions(ctx, a)
		return err == nil && d[a].State == "PrepareCommit"
	})

	// On a coordinator that writes markers under its lock, this waits
	// for a's markers (until kgo gives up after 10s).
	init := kmsg.NewPtrInitProducerIDRequest()
	init.TransactionalID, init.TransactionTimeoutMillis = &b, 60000
	resp, err := init.RequestWith(ctx, cl.Broker(int(n)))
	if err == nil {
		err = kerr.ErrorForCode(resp.ErrorCode)
	}
	if err != nil {
		t.Fatalf("InitProducerId of %s while %s's markers wait: %v", b, a, err)
	}
	select {
	case err := <-endA:
		t.Fatalf("the commit of %s ended (%v) before %s was initialized: the follower was not cut", a, err, b)
	default:
	}
	t.Logf("%s initialized %v after the cut", b, time.Since(start))
	if err := <-endA; err != nil {
		t.Fatalf("commit of %s once the ISR shrank: %v", a, err)
	}
	t.Logf("%s committed %v after the cut", a, time.Since(start))
	d, err := kadm.NewClient(cl).DescribeTransactions(ctx, a)
	if err != nil || d[a].State != "CompleteCommit" {
		t.Fatalf("state of %s: %+v %v", a, d[a], err)
	}
}

// reassign moves a partition to the replicas, the first its leader, and
// waits until they are all in its ISR.
func reassign(t *testing.T, ctx context.Context, cl *kgo.Client, topic string, partition int32, replicas ...int32) {
	t.Helper()
	adm := kadm.NewClient(cl)
	var req kadm.AlterPartitionAssignmentsReq
	req.Assign(topic, partition, replicas)
	if _, err := adm.AlterPartitionAssignments(ctx, req); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 60*time.Second, fmt.Sprintf("%s-%d on %v, led by %d", topic, partition, replicas, replicas[0]), func() bool {
		md, err := adm.Metadata(ctx, topic)
		if err != nil {
			return false
		}
		p := md.Topics[topic].Partitions[partition]
		return p.Leader == replicas[0] && len(p.Replicas) == len(replicas) && len(p.ISR) == len(replicas)
	})
}
