package process

import (
	"context"
	"fmt"
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
// while the server is killed and restarted several times; a read_committed
// consumer must find every input record exactly once in the output.
func TestKillDuringConsumeTransformProduce(t *testing.T) {
	t.Skip("needs TxnOffsetCommit: the group coordinator (internal/group) has no API yet to hold " +
		"transactional offsets until their commit marker and to skip aborted ones on replay")
}
