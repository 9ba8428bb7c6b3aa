package broker

import (
	"context"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/gofka/gofka/internal/config"
	"github.com/twmb/franz-go/pkg/kgo"
	"go.uber.org/goleak"
)

// TestCloseStopsEverything: a node closed while a fetch is parked in the
// long poll, with connections open and groups and metrics running, leaves
// no goroutine behind, and the same dir opens again.
func TestCloseStopsEverything(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	dir := t.TempDir()
	n := startTestNode(t, dir, map[string]string{"gofka.metrics.listen": "127.0.0.1:0"})
	cl, err := kgo.NewClient(kgo.SeedBrokers(n.Addr()), kgo.AllowAutoTopicCreation(), kgo.DisableIdempotentWrite(),
		kgo.ConsumeTopics("parked"), kgo.FetchMaxWait(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := cl.ProduceSync(ctx, &kgo.Record{Topic: "parked", Value: []byte("x")}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	cl.PollFetches(ctx) // the next fetch now parks for up to a minute
	time.Sleep(100 * time.Millisecond)
	if err := n.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	cl.Close()
	n2 := startTestNode(t, dir, nil)
	if err := n2.Close(); err != nil {
		t.Fatalf("reopen and close: %v", err)
	}
}

func startTestNode(t *testing.T, dir string, extra map[string]string) *Node {
	t.Helper()
	return startTestNodeLog(t, dir, extra, slog.New(slog.DiscardHandler))
}

// startTestNodeLog is startTestNode logging to logger.
func startTestNodeLog(t *testing.T, dir string, extra map[string]string, logger *slog.Logger) *Node {
	t.Helper()
	props := map[string]string{"log.dirs": dir, "listeners": "PLAINTEXT://127.0.0.1:0"}
	for k, v := range extra {
		props[k] = v
	}
	cfg, err := config.LoadBroker(props)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	n, err := Start(Options{Config: cfg, Logger: logger, Listener: ln})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestRefusesForeignDataDir: a dir formatted by node 1 is refused by node
// 2, and two dirs of different clusters are refused together.
func TestRefusesForeignDataDir(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	for _, dir := range []string{a, b} { // two separately formatted clusters
		n := startTestNode(t, dir, nil)
		if err := n.Close(); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct {
		props map[string]string
		want  string
	}{
		{map[string]string{"log.dirs": a, "node.id": "2"}, "node.id 1"},
		{map[string]string{"log.dirs": a + "," + b}, "belongs to cluster"},
	} {
		props := map[string]string{"listeners": "PLAINTEXT://127.0.0.1:0"}
		for k, v := range tt.props {
			props[k] = v
		}
		cfg, err := config.LoadBroker(props)
		if err != nil {
			t.Fatal(err)
		}
		n, err := Start(Options{Config: cfg, Logger: slog.New(slog.DiscardHandler)})
		if err == nil {
			n.Close()
			t.Fatalf("%v: started on a foreign data dir", tt.props)
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: error %q, want it to mention %q", tt.props, err, tt.want)
		}
	}
}
