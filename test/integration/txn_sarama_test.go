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

// TestSaramaTxnOffsets commits consumed offsets inside sarama
// transactions (AddOffsetsToTxn, TxnOffsetCommit at sarama's versions):
// a committed transaction's offset is visible, an aborted one's never.
func TestSaramaTxnOffsets(t *testing.T) {
	c := startTxnCluster(t)
	ctx := ctxT(t, time.Minute)
	const topic, groupID = "txn-sarama-offs", "sarama-eos"
	adm := newAdmin(t, c.Addr())
	if _, err := adm.CreateTopic(ctx, 1, 1, nil, topic); err != nil {
		t.Fatal(err)
	}
	cfg := saramaConfig()
	cfg.Producer.Idempotent = true
	cfg.Producer.RequiredAcks = sarama.WaitForAll
	cfg.Producer.Transaction.ID = "sarama-offs"
	cfg.Net.MaxOpenRequests = 1
	p, err := sarama.NewSyncProducer([]string{c.Addr()}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for _, tc := range []struct {
		offset int64
		commit bool
		want   int64
	}{{10, true, 10}, {20, false, 10}, {30, true, 30}} {
		if err := p.BeginTxn(); err != nil {
			t.Fatal(err)
		}
		if _, _, err := p.SendMessage(&sarama.ProducerMessage{Topic: topic, Value: sarama.StringEncoder("x")}); err != nil {
			t.Fatal(err)
		}
		offs := map[string][]*sarama.PartitionOffsetMetadata{topic: {{Partition: 0, Offset: tc.offset}}}
		if err := p.AddOffsetsToTxn(offs, groupID); err != nil {
			t.Fatalf("offset %d: add offsets: %v", tc.offset, err)
		}
		if tc.commit {
			err = p.CommitTxn()
		} else {
			err = p.AbortTxn()
		}
		if err != nil {
			t.Fatalf("offset %d: end (commit %v): %v", tc.offset, tc.commit, err)
		}
		fetched, err := adm.FetchOffsets(ctx, groupID)
		if err != nil {
			t.Fatal(err)
		}
		if o, ok := fetched.Lookup(topic, 0); !ok || o.At != tc.want {
			t.Fatalf("after offset %d (commit %v): committed %+v, want %d", tc.offset, tc.commit, o, tc.want)
		}
	}
}
