// Package gofkatest starts real Gofka nodes inside Go tests: a node on a
// free loopback port with its data in the test's temp dir, stopped and
// removed when the test ends.
//
//	c := gofkatest.Start(t)
//	cl, _ := kgo.NewClient(kgo.SeedBrokers(c.Addr()))
//
// StartCluster starts several nodes in this process, each with its own
// data dir and listeners behind fault proxies (internal/faultnet), with
// handles to stop, kill (no clean shutdown) and restart a node, to pause
// its network, and to cut nodes from each other (docs/testing.md):
//
//	c := gofkatest.StartCluster(t, gofkatest.Nodes(3))
//	c.Pause(c.Leader())
//	c.Partition([]int32{1, 2}, []int32{3})
//	c.Heal()
package gofkatest

import (
	"log/slog"
	"net"
	"testing"

	"github.com/gofka/gofka/internal/broker"
	"github.com/gofka/gofka/internal/config"
)

// Cluster is a running single-node cluster.
type Cluster struct {
	node  *broker.Node
	dir   string
	props map[string]string
}

// Option changes how a cluster starts.
type Option func(*settings)

type settings struct {
	props  map[string]string
	dir    string
	logger *slog.Logger
}

// WithConfig sets a broker property (Kafka's names), e.g.
// WithConfig("auto.create.topics.enable", "false").
func WithConfig(name, value string) Option {
	return func(s *settings) { s.props[name] = value }
}

// WithDir keeps the data in dir instead of a fresh temp dir, so a test can
// restart a node on the same data.
func WithDir(dir string) Option { return func(s *settings) { s.dir = dir } }

// WithLogger sends the node's logs to l (default: discarded).
func WithLogger(l *slog.Logger) Option { return func(s *settings) { s.logger = l } }

// Start starts a node and registers its shutdown with t.Cleanup.
func Start(t testing.TB, opts ...Option) *Cluster {
	t.Helper()
	c, err := StartE(t.TempDir(), opts...)
	if err != nil {
		t.Fatalf("gofkatest: %v", err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("gofkatest: close: %v", err)
		}
	})
	return c
}

// StartE starts a node with its data under tmp (unless WithDir says
// otherwise); the caller must Close it.
func StartE(tmp string, opts ...Option) (*Cluster, error) {
	s := settings{props: map[string]string{}, dir: tmp}
	for _, o := range opts {
		o(&s)
	}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	s.props["log.dirs"] = s.dir
	// With the default listener the node serves on a listener bound here;
	// listeners set by the test (port 0 for a free port) are bound by the
	// node.
	var ln net.Listener
	if _, ok := s.props["listeners"]; !ok {
		s.props["listeners"] = "PLAINTEXT://127.0.0.1:0"
		var err error
		if ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			return nil, err
		}
	}
	cfg, err := config.LoadBroker(s.props)
	if err != nil {
		closeListener(ln)
		return nil, err
	}
	node, err := broker.Start(broker.Options{Config: cfg, Logger: s.logger, Listener: ln})
	if err != nil {
		closeListener(ln)
		return nil, err
	}
	return &Cluster{node: node, dir: s.dir, props: s.props}, nil
}

// Addr is the bootstrap address ("127.0.0.1:port").
func (c *Cluster) Addr() string { return c.node.Addr() }

// ListenerAddr is the address of the named listener, e.g. "SASL_SSL".
func (c *Cluster) ListenerAddr(name string) string { return c.node.ListenerAddr(name) }

func closeListener(ln net.Listener) {
	if ln != nil {
		_ = ln.Close()
	}
}

// Addrs returns every node's address (one node for now).
func (c *Cluster) Addrs() []string { return []string{c.Addr()} }

// Dir is the node's data dir.
func (c *Cluster) Dir() string { return c.dir }

// ClusterID is the cluster id from meta.properties.
func (c *Cluster) ClusterID() string { return c.node.ClusterID() }

// Close stops the node cleanly. It is safe to call more than once.
func (c *Cluster) Close() error { return c.node.Close() }
