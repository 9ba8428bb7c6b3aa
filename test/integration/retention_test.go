package integration

import (
	"context"
	"crypto/rand"
	"testing"
	"time"

	"github.com/gofka/gofka/pkg/gofkatest"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// TestRetention: the background retention check deletes whole old
// segments by size and by time and advances the log start offset, while
// the newest data stays readable.
func TestRetention(t *testing.T) {
	c := gofkatest.Start(t, gofkatest.WithConfig("log.retention.check.interval.ms", "50"))
	ctx := ctxT(t, time.Minute)
	adm := newAdmin(t, c.Addr())
	mib := "1048576"
	cfgs := map[string]map[string]*string{
		"by-bytes": {"segment.bytes": &mib, "retention.bytes": &mib},
		"by-time":  {"segment.bytes": &mib, "retention.ms": kadm.StringPtr("60000")},
		// compact-only: retention settings do not delete anything.
		"compact-only": {"segment.bytes": &mib, "retention.bytes": &mib, "retention.ms": kadm.StringPtr("60000"), "cleanup.policy": kadm.StringPtr("compact")},
	}
	for topic, cfg := range cfgs {
		if _, err := adm.CreateTopic(ctx, 1, 1, cfg, topic); err != nil {
			t.Fatal(err)
		}
		// 3.5 MiB: several closed segments. by-time's records are 10 minutes old
		// except the last one, so every closed segment has expired.
		var rs []*kgo.Record
		for i := 0; i < 350; i++ {
			ts := time.Now().Add(-10 * time.Minute)
			if topic == "by-bytes" || i == 349 {
				ts = time.Now()
			}
			value := make([]byte, 10_000) // random: kgo compresses batches by default
			_, _ = rand.Read(value)
			rs = append(rs, &kgo.Record{Topic: topic, Value: value, Timestamp: ts})
		}
		cl, err := kgo.NewClient(kgo.SeedBrokers(c.Addr()), kgo.DisableIdempotentWrite(), kgo.ProducerBatchMaxBytes(200_000))
		if err != nil {
			t.Fatal(err)
		}
		if err := cl.ProduceSync(ctx, rs...).FirstErr(); err != nil {
			t.Fatal(err)
		}
		cl.Close()
	}
	for topic := range cfgs {
		if topic == "compact-only" {
			continue
		}
		var start, size int64
		// Retention runs in passes every 50 ms, each on the sizes the
		// last one left: wait until by-bytes is down to its limit (plus
		// the active segment), not just until the first pass moved the
		// log start.
		waitFor(t, 30*time.Second, topic+" retention to advance the log start offset", func() bool {
			so, err := adm.ListStartOffsets(ctx, topic)
			if err != nil {
				t.Fatal(err)
			}
			o, _ := so.Lookup(topic, 0)
			start, size = o.Offset, topicSize(t, ctx, adm, topic)
			return start > 0 && (topic != "by-bytes" || size <= 2<<20)
		})
		if topic == "by-bytes" && size > 2<<20 {
			t.Errorf("%s: %d bytes left after retention.bytes=1MiB", topic, size)
		}
		got := consumeAll(t, ctx, c.Addr(), topic, int(350-start))
		if got[0].Offset != start || got[len(got)-1].Offset != 349 {
			t.Errorf("%s: read offsets %d..%d, want %d..349", topic, got[0].Offset, got[len(got)-1].Offset, start)
		}
		t.Logf("%s: log start %d, %d bytes on disk", topic, start, size)
	}
	// The deleting topics have been cleaned by now; compact-only keeps all.
	so, err := adm.ListStartOffsets(ctx, "compact-only")
	if err != nil {
		t.Fatal(err)
	}
	if o, _ := so.Lookup("compact-only", 0); o.Offset != 0 {
		t.Errorf("compact-only topic lost its head to retention: log start %d", o.Offset)
	}
}

// topicSize is the bytes the topic's partitions take in every log dir.
func topicSize(t *testing.T, ctx context.Context, adm *kadm.Client, topic string) int64 {
	t.Helper()
	dirs, err := adm.DescribeAllLogDirs(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var size int64
	dirs.Each(func(d kadm.DescribedLogDir) {
		d.Topics.Each(func(p kadm.DescribedLogDirPartition) {
			if p.Topic == topic {
				size += p.Size
			}
		})
	})
	return size
}
