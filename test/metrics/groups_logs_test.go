package metrics

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/gofka/gofka/pkg/gofkatest"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

func TestGroupLagMetrics(t *testing.T) {
	c := gofkatest.Start(t, gofkatest.WithConfig("gofka.metrics.listen", "127.0.0.1:0"))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.Addr()), kgo.DisableIdempotentWrite(), kgo.DefaultProduceTopic("g"))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	if _, err := adm.CreateTopic(ctx, 1, 1, nil, "g"); err != nil {
		t.Fatal(err)
	}
	for range 10 {
		if err := cl.ProduceSync(ctx, &kgo.Record{Value: []byte("v")}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	var offs kadm.Offsets
	offs.AddOffset("g", 0, 4, -1)
	if err := adm.CommitAllOffsets(ctx, "mg", offs); err != nil {
		t.Skipf("broker does not serve consumer groups (OffsetCommit): %v", err)
	}
	m := waitScrape(t, "http://"+c.MetricsAddr(), func(m scrape) bool {
		_, ok := m[`gofka_consumer_group_lag{group="mg",partition="0",topic="g"}`]
		return ok
	})
	for series, want := range map[string]float64{
		`gofka_consumer_group_lag{group="mg",partition="0",topic="g"}`:              6,
		`gofka_consumer_group_committed_offset{group="mg",partition="0",topic="g"}`: 4,
		`gofka_consumer_groups{state="Empty"}`:                                      1,
		`gofka_consumer_group_members{group="mg"}`:                                  0,
	} {
		if got, ok := m[series]; !ok || got != want {
			t.Errorf("%s = %v (present %v), want %v", series, got, ok, want)
		}
	}
}

// TestRequestLogsOnlyAtDebug checks that requests are logged at debug level
// and never at info.
func TestRequestLogsOnlyAtDebug(t *testing.T) {
	for _, level := range []slog.Level{slog.LevelInfo, slog.LevelDebug} {
		var buf gofkatest.LogBuffer
		logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: level}))
		c := gofkatest.Start(t, gofkatest.WithLogger(logger))
		cl, err := kgo.NewClient(kgo.SeedBrokers(c.Addr()))
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if _, err := kadm.NewClient(cl).ListTopics(ctx); err != nil {
			t.Fatal(err)
		}
		cancel()
		cl.Close()
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
		logged := strings.Contains(buf.String(), `"msg":"request","api":"Metadata"`)
		if logged != (level == slog.LevelDebug) {
			t.Errorf("level %v: request logged %v:\n%s", level, logged, buf.String())
		}
	}
}
