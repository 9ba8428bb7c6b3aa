package integration

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/gofka/gofka/pkg/gofkatest"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// TestCompaction: the broker's cleaner compacts a cleanup.policy=compact
// topic in the background: a consumer then reads the latest value of
// every key at its original offset and few older ones.
func TestCompaction(t *testing.T) {
	c := gofkatest.Start(t, gofkatest.WithConfig("log.cleaner.backoff.ms", "50"), gofkatest.WithLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))))
	ctx := ctxT(t, 2*time.Minute)
	adm := newAdmin(t, c.Addr())
	const topic, keys, total = "compacted", 50, 3000
	if _, err := adm.CreateTopic(ctx, 1, 1, map[string]*string{
		"cleanup.policy":            kadm.StringPtr("compact"),
		"segment.bytes":             kadm.StringPtr("1048576"),
		"min.cleanable.dirty.ratio": kadm.StringPtr("0.01"),
	}, topic); err != nil {
		t.Fatal(err)
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.Addr()), kgo.ProducerBatchMaxBytes(200_000))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	latest := map[string]int64{}
	for i := 0; i < total; i++ {
		k := fmt.Sprintf("key-%02d", i%keys)
		v := make([]byte, 1000) // random: kgo compresses batches
		_, _ = rand.Read(v)
		copy(v, fmt.Sprint(i))
		r, err := cl.ProduceSync(ctx, &kgo.Record{Topic: topic, Key: []byte(k), Value: v}).First()
		if err != nil {
			t.Fatal(err)
		}
		latest[k] = r.Offset
	}
	var got map[string]int64
	var n int
	waitFor(t, time.Minute, "the cleaner to compact the closed segments", func() bool {
		got, n = consumeKeys(t, ctx, c.Addr(), topic, total)
		return n < total/2
	})
	for k, off := range latest {
		if got[k] != off {
			t.Errorf("key %s: latest read at %d, written at %d", k, got[k], off)
		}
	}
}

// consumeKeys reads the topic from the start to the high watermark and
// returns the last offset of each key and the record count.
func consumeKeys(t *testing.T, ctx context.Context, addr, topic string, max int) (map[string]int64, int) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ends, err := kadm.NewClient(cl).ListEndOffsets(ctx, topic)
	if err != nil {
		t.Fatal(err)
	}
	end, _ := ends.Lookup(topic, 0)
	out, n := map[string]int64{}, 0
	for {
		fs := cl.PollFetches(ctx)
		if err := fs.Err(); err != nil {
			t.Fatal(err)
		}
		done := false
		fs.EachRecord(func(r *kgo.Record) {
			out[string(r.Key)] = r.Offset
			n++
			done = done || r.Offset >= end.Offset-1
		})
		if done || n > max {
			return out, n
		}
	}
}
