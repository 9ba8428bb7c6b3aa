package gofkatest

import (
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/gofka/gofka/internal/broker"
	"github.com/gofka/gofka/internal/config"
	"github.com/gofka/gofka/internal/storage/checkpoint"
)

// MultiCluster is several real nodes in this process, each with its own
// data dir, listeners and metadata quorum member, talking over loopback
// only: nothing is shared in memory between nodes.
type MultiCluster struct {
	t         testing.TB
	clusterID string
	settings  settings
	nodes     []*ClusterNode
	voters    []string // controller.quorum.voters of the first quorum
	tmp       string
}

// ClusterNode is one node of a MultiCluster.
type ClusterNode struct {
	ID       int32
	roles    string // process.roles
	dir      string
	ctrlAddr string
	props    map[string]string
	mu       sync.Mutex
	node     *broker.Node // nil while stopped
}

// ClusterOption shapes a MultiCluster.
type ClusterOption func(*clusterSettings)

type clusterSettings struct {
	nodes, controllers, brokers int
	opts                        []Option
}

// Nodes sets how many nodes run both roles, broker and controller (the
// quorum's voters); the default is 3.
func Nodes(n int) ClusterOption { return func(s *clusterSettings) { s.nodes = n } }

// Controllers sets how many controller-only nodes (the voters) run, with
// Brokers broker-only nodes (observers) beside them, instead of Nodes.
func Controllers(n int) ClusterOption { return func(s *clusterSettings) { s.controllers = n } }

// Brokers sets how many broker-only nodes run beside Controllers.
func Brokers(n int) ClusterOption { return func(s *clusterSettings) { s.brokers = n } }

// NodeOptions applies options (WithConfig, WithLogger) to every node.
func NodeOptions(opts ...Option) ClusterOption {
	return func(s *clusterSettings) { s.opts = append(s.opts, opts...) }
}

// StartCluster starts a formatted multi-node cluster and stops it when
// the test ends.
func StartCluster(t testing.TB, opts ...ClusterOption) *MultiCluster {
	t.Helper()
	cs := clusterSettings{nodes: 3}
	for _, o := range opts {
		o(&cs)
	}
	c := &MultiCluster{t: t, clusterID: checkpoint.NewUUID().String(), settings: settings{props: map[string]string{}}}
	for _, o := range cs.opts {
		o(&c.settings)
	}
	if c.settings.logger == nil {
		c.settings.logger = slog.New(slog.DiscardHandler)
	}
	c.plan(t.TempDir(), cs)
	t.Cleanup(c.Close)
	errs := make([]error, len(c.nodes))
	var wg sync.WaitGroup
	for i, n := range c.nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = c.start(n)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatalf("gofkatest: start cluster: %v", err)
		}
	}
	return c
}

// plan picks each node's controller port and writes its config.
func (c *MultiCluster) plan(tmp string, cs clusterSettings) {
	c.tmp = tmp
	voters, roles := cs.nodes, "broker,controller"
	if cs.controllers > 0 {
		voters, roles = cs.controllers, "controller"
	}
	for i := 1; i <= voters; i++ {
		n := c.newNode()
		n.roles = roles
		c.nodes = append(c.nodes, n)
		c.voters = append(c.voters, fmt.Sprintf("%d@%s", i, n.ctrlAddr))
	}
	for i := 0; i < cs.brokers && cs.controllers > 0; i++ {
		n := c.newNode()
		n.roles, n.ctrlAddr = "broker", ""
		c.nodes = append(c.nodes, n)
	}
	for _, node := range c.nodes {
		c.configure(node)
	}
}

func (c *MultiCluster) newNode() *ClusterNode {
	id := int32(len(c.nodes) + 1)
	return &ClusterNode{ID: id, dir: filepath.Join(c.tmp, fmt.Sprint("node", id)), roles: "broker,controller",
		ctrlAddr: fmt.Sprintf("127.0.0.1:%d", freePort(c.t))}
}

// configure writes a node's properties: both roles, the first voters.
func (c *MultiCluster) configure(node *ClusterNode) {
	p := map[string]string{}
	for k, v := range c.settings.props {
		p[k] = v
	}
	p["node.id"] = fmt.Sprint(node.ID)
	p["process.roles"] = node.roles
	p["log.dirs"] = node.dir
	switch node.roles {
	case "controller":
		p["listeners"] = "CONTROLLER://" + node.ctrlAddr
	case "broker":
		p["listeners"] = "PLAINTEXT://127.0.0.1:0"
	default:
		p["listeners"] = "PLAINTEXT://127.0.0.1:0,CONTROLLER://" + node.ctrlAddr
	}
	p["controller.listener.names"] = "CONTROLLER"
	p["controller.quorum.voters"] = strings.Join(c.voters, ",")
	node.props = p
}

// AddNode plans one more node, not a voter of the first quorum: start it
// with StartNode, and make it a voter with AddRaftVoter (its start waits
// until the quorum has added it).
func (c *MultiCluster) AddNode() *ClusterNode {
	n := c.newNode()
	c.configure(n)
	c.nodes = append(c.nodes, n)
	return n
}

// StartNode starts a node planned by AddNode (or stopped), blocking until
// it serves.
func (c *MultiCluster) StartNode(n *ClusterNode) error { return c.start(n) }

func freePort(t testing.TB) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("gofkatest: %v", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// start formats (once) and starts a node.
func (c *MultiCluster) start(n *ClusterNode) error {
	cfg, err := config.LoadBroker(n.props)
	if err != nil {
		return err
	}
	if err := broker.Format(cfg, c.clusterID, true); err != nil {
		return err
	}
	bn, err := broker.Start(broker.Options{Config: cfg, Logger: c.settings.logger.With("node", n.ID)})
	if err != nil {
		return fmt.Errorf("node %d: %w", n.ID, err)
	}
	n.mu.Lock()
	n.node = bn
	n.mu.Unlock()
	return nil
}

// Node returns node id (1-based).
func (c *MultiCluster) Node(id int32) *ClusterNode { return c.nodes[id-1] }

// Voters is the controller.quorum.voters value of the cluster.
func (c *MultiCluster) Voters() string { return strings.Join(c.voters, ",") }

// ClusterID is the id every node was formatted with.
func (c *MultiCluster) ClusterID() string { return c.clusterID }

// Addrs returns the client addresses of the running nodes.
func (c *MultiCluster) Addrs() []string {
	var out []string
	for _, n := range c.nodes {
		if a := n.Addr(); a != "" {
			out = append(out, a)
		}
	}
	return out
}

// Leader returns the id of the active controller as a running node sees
// it, or -1.
func (c *MultiCluster) Leader() int32 {
	for _, n := range c.nodes {
		n.mu.Lock()
		bn := n.node
		n.mu.Unlock()
		if bn != nil {
			if id := bn.QuorumLeader(); id >= 0 {
				return id
			}
		}
	}
	return -1
}

// Stop shuts node id down cleanly.
func (c *MultiCluster) Stop(id int32) {
	c.t.Helper()
	if err := c.Node(id).stop(); err != nil {
		c.t.Errorf("gofkatest: stop node %d: %v", id, err)
	}
}

// Restart starts a stopped node again on its data.
func (c *MultiCluster) Restart(id int32) {
	c.t.Helper()
	if err := c.start(c.Node(id)); err != nil {
		c.t.Fatalf("gofkatest: restart node %d: %v", id, err)
	}
}

// Close stops every running node.
func (c *MultiCluster) Close() {
	var wg sync.WaitGroup
	for _, n := range c.nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := n.stop(); err != nil {
				c.t.Errorf("gofkatest: close node %d: %v", n.ID, err)
			}
		}()
	}
	wg.Wait()
}

// Addr is the node's client address, "" while it is stopped or when it is
// a controller only.
func (n *ClusterNode) Addr() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.node == nil || n.roles == "controller" {
		return ""
	}
	return n.node.Addr()
}

// Dir is the node's data dir.
func (n *ClusterNode) Dir() string { return n.dir }

// ControllerAddr is the node's controller listener.
func (n *ClusterNode) ControllerAddr() string { return n.ctrlAddr }

func (n *ClusterNode) stop() error {
	n.mu.Lock()
	bn := n.node
	n.node = nil
	n.mu.Unlock()
	if bn == nil {
		return nil
	}
	return bn.Close()
}
