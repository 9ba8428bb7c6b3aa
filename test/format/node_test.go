package format

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gofka/gofka/pkg/gofkatest"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// TestNodeFilesDecode runs a real node through produce, compaction,
// transactions (committed and aborted) and consumer group commits, closes
// it, and decodes every file it left with the independent reader.
func TestNodeFilesDecode(t *testing.T) {
	dir := t.TempDir()
	c, err := gofkatest.StartE(dir, gofkatest.WithConfig("log.cleaner.backoff.ms", "50"))
	if err != nil {
		t.Fatal(err)
	}
	drive(t, c.Addr())
	waitCleaned(t, dir)
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	err = filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		kind, err := checkFile(path)
		if err != nil {
			return fmt.Errorf("%s: %w", strings.TrimPrefix(path, dir), err)
		}
		seen[kind]++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, kind := range []string{".log", ".index", ".timeindex", ".txnindex", ".snapshot", "leader-epoch-checkpoint",
		"partition.metadata", "meta.properties", "recovery-point-offset-checkpoint", "replication-offset-checkpoint",
		"cleaner-offset-checkpoint"} {
		if seen[kind] == 0 {
			t.Errorf("no %s file written", kind)
		}
	}
	t.Logf("decoded: %v", seen)
}

// drive produces plain, keyed, transactional and group-commit traffic.
func drive(t *testing.T, addr string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.DefaultProduceTopic("plain"), kgo.ProducerBatchCompression(kgo.NoCompression()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	if _, err := adm.CreateTopic(ctx, 2, 1, nil, "plain"); err != nil {
		t.Fatal(err)
	}
	if _, err := adm.CreateTopic(ctx, 1, 1, map[string]*string{"cleanup.policy": kadm.StringPtr("compact"),
		"min.cleanable.dirty.ratio": kadm.StringPtr("0.01"), "segment.bytes": kadm.StringPtr("1048576")}, "compacted"); err != nil {
		t.Fatal(err)
	}
	for i := range 3000 {
		v := make([]byte, 700)
		copy(v, fmt.Sprint(i))
		r := &kgo.Record{Key: []byte(fmt.Sprint("k", i%20)), Value: v, Headers: []kgo.RecordHeader{{Key: "h", Value: []byte("x")}}}
		cl.Produce(ctx, r, nil)
		if i%100 == 0 {
			cl.Produce(ctx, &kgo.Record{Topic: "compacted", Key: []byte(fmt.Sprint("k", i%7)), Value: v[:600+i%50]}, nil)
		}
	}
	if err := cl.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	big := make([]byte, 300_000) // uncompressed: several segments
	for i := range 8 {
		r := &kgo.Record{Topic: "compacted", Key: []byte(fmt.Sprint("big", i%2)), Value: big}
		if err := cl.ProduceSync(ctx, r).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	transact(t, ctx, addr)
	group(t, ctx, addr)
}

// waitCleaned polls cleaner-offset-checkpoint until the cleaner has
// cleaned "compacted", so the files include cleaned segments.
func waitCleaned(t *testing.T, dir string) {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		d, _ := os.ReadFile(filepath.Join(dir, "cleaner-offset-checkpoint"))
		if strings.Contains(string(d), "\ncompacted 0 ") {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	ents, _ := os.ReadDir(filepath.Join(dir, "compacted-0"))
	for _, e := range ents {
		info, _ := e.Info()
		t.Log(e.Name(), info.Size())
	}
	t.Fatal("the cleaner never cleaned topic compacted")
}

// transact commits one transaction and aborts one.
func transact(t *testing.T, ctx context.Context, addr string) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.TransactionalID("tx"), kgo.DefaultProduceTopic("plain"))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	for _, commit := range []kgo.TransactionEndTry{kgo.TryCommit, kgo.TryAbort} {
		if err := cl.BeginTransaction(); err != nil {
			t.Fatal(err)
		}
		if err := cl.ProduceSync(ctx, &kgo.Record{Value: []byte("in a transaction")}).FirstErr(); err != nil {
			t.Fatal(err)
		}
		if err := cl.EndTransaction(ctx, commit); err != nil {
			t.Fatal(err)
		}
	}
}

// group commits offsets for a consumer group (__consumer_offsets).
func group(t *testing.T, ctx context.Context, addr string) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.ConsumerGroup("g"), kgo.ConsumeTopics("plain"),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	fs := cl.PollFetches(ctx)
	if err := fs.Err(); err != nil {
		t.Fatal(err)
	}
	if err := cl.CommitUncommittedOffsets(ctx); err != nil {
		t.Fatal(err)
	}
}
