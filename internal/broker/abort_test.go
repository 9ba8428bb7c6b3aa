package broker

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gofka/gofka/internal/storage/checkpoint"
	"github.com/twmb/franz-go/pkg/kgo"
	"go.uber.org/goleak"
)

// TestAbortIsACrash: Abort with a fetch parked and clients connected
// leaves no goroutine behind and no clean-shutdown marker; the dir opens
// again and keeps every acknowledged record.
func TestAbortIsACrash(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	dir := t.TempDir()
	n := startTestNode(t, dir, map[string]string{"gofka.metrics.listen": "127.0.0.1:0"})
	cl, err := kgo.NewClient(kgo.SeedBrokers(n.Addr()), kgo.AllowAutoTopicCreation(), kgo.DisableIdempotentWrite(),
		kgo.ConsumeTopics("crash"), kgo.FetchMaxWait(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := cl.ProduceSync(ctx, &kgo.Record{Topic: "crash", Value: []byte("x")}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	cl.PollFetches(ctx)
	if err := n.Abort(); err != nil {
		t.Fatalf("abort: %v", err)
	}
	if err := n.Close(); err != nil {
		t.Fatalf("close after abort: %v", err)
	}
	cl.Close()
	if _, err := os.Stat(filepath.Join(dir, checkpoint.CleanShutdownFile)); !os.IsNotExist(err) {
		t.Errorf("clean-shutdown marker after Abort: %v", err)
	}
	n2 := startTestNode(t, dir, nil)
	defer n2.Close()
	if l := n2.logs.Get(checkpoint.TopicPartition{Topic: "crash", Partition: 0}); l == nil || l.LogEndOffset() != 1 {
		t.Fatalf("after restart: log %v", l)
	}
}
