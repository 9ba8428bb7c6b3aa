package gofkatest_test

import (
	"context"
	"testing"
	"time"

	"github.com/gofka/gofka/pkg/gofkatest"
	"github.com/twmb/franz-go/pkg/kgo"
)

// TestRestartKeepsData starts a node, writes, stops it, starts a new one
// on the same dir and reads the data back.
func TestRestartKeepsData(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := gofkatest.StartE(dir, gofkatest.WithConfig("num.partitions", "2"))
	if err != nil {
		t.Fatal(err)
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.Addr()), kgo.AllowAutoTopicCreation(), kgo.DisableIdempotentWrite())
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 10; i++ {
		if err := cl.ProduceSync(ctx, &kgo.Record{Topic: "keep", Value: []byte{byte(i)}}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	cl.Close()
	clusterID := c.ClusterID()
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	c2 := gofkatest.Start(t, gofkatest.WithDir(dir))
	if c2.ClusterID() != clusterID {
		t.Fatalf("cluster id changed across restart: %s -> %s", clusterID, c2.ClusterID())
	}
	cl2, err := kgo.NewClient(kgo.SeedBrokers(c2.Addr()), kgo.ConsumeTopics("keep"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl2.Close()
	n := 0
	for n < 10 {
		fs := cl2.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("read %d of 10 records after restart", n)
		}
		n += fs.NumRecords()
	}
}

// BenchmarkStart measures how long a fresh test cluster takes to start
// and stop.
func BenchmarkStart(b *testing.B) {
	for i := 0; i < b.N; i++ {
		c, err := gofkatest.StartE(b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		if err := c.Close(); err != nil {
			b.Fatal(err)
		}
	}
}
