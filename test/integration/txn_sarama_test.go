package integration

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/IBM/sarama"
)

// TestSaramaTransactions commits and aborts with sarama's transactional
// producer (transactions v1: AddPartitionsToTxn, EndTxn v<5) and checks
// what a read_committed consumer sees.
func TestSaramaTransactions(t *testing.T) {
	c := startTxnCluster(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	const topic = "txn-sarama"
	if _, err := newAdmin(t, c.Addr()).CreateTopic(ctx, 2, 1, nil, topic); err != nil {
		t.Fatal(err)
	}
	cfg := saramaConfig()
	cfg.Producer.Idempotent = true
	cfg.Producer.RequiredAcks = sarama.WaitForAll
	cfg.Producer.Transaction.ID = "sarama-txn"
	cfg.Net.MaxOpenRequests = 1
	p, err := sarama.NewSyncProducer([]string{c.Addr()}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	send := func(prefix string, n int, commit bool) {
		if err := p.BeginTxn(); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < n; i++ {
			msg := &sarama.ProducerMessage{Topic: topic, Key: sarama.StringEncoder(fmt.Sprintf("%s-%d", prefix, i)), Value: sarama.StringEncoder(prefix)}
			if _, _, err := p.SendMessage(msg); err != nil {
				t.Fatal(err)
			}
		}
		if commit {
			err = p.CommitTxn()
		} else {
			err = p.AbortTxn()
		}
		if err != nil {
			t.Fatalf("end (commit %v): %v", commit, err)
		}
	}
	send("s-commit1", 40, true)
	send("s-abort", 25, false)
	send("s-commit2", 15, true)
	got := readAll(t, ctx, c.Addr(), topic, true, 55)
	if got["s-commit1"] != 40 || got["s-commit2"] != 15 || got["s-abort"] != 0 {
		t.Fatalf("read_committed saw %v", got)
	}
	if all := readAll(t, ctx, c.Addr(), topic, false, 80); all["s-abort"] != 25 {
		t.Fatalf("read_uncommitted saw %v", all)
	}
}
