package gofkatest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofka/gofka/internal/broker"
	"github.com/gofka/gofka/internal/config"
	"github.com/gofka/gofka/internal/faultnet"
	"github.com/gofka/gofka/internal/raft"
	"github.com/gofka/gofka/internal/storage/checkpoint"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// MultiCluster is several real nodes in this process, each with its own
// data dir, listeners and metadata quorum member, talking over loopback
// only: nothing is shared in memory between nodes. Every listener sits
// behind a fault proxy (internal/faultnet): the nodes advertise the
// proxies and name them in controller.quorum.voters, so nodes and clients
// reach each other only through them, and Pause, Cut and Partition
// (faults.go) change what the network carries.
type MultiCluster struct {
	t         testing.TB
	clusterID string
	settings  settings
	cs        clusterSettings
	nodes     []*ClusterNode
	voters    []string // controller.quorum.voters of the first quorum
	tmp       string
	net       *faultnet.Net

	mu     sync.Mutex
	paused map[int32]bool
}

// ClusterNode is one node of a MultiCluster.
type ClusterNode struct {
	ID        int32
	roles     string // process.roles
	dir       string
	ctrlAddr  string          // the controller listener it binds, "" for a broker only
	proxy     *faultnet.Proxy // in front of the client listener; nil for a controller only
	ctrlProxy *faultnet.Proxy // in front of the controller listener; nil for a broker only
	props     map[string]string
	wait      time.Duration // QuorumWait at start, 0 for the default
	mu        sync.Mutex
	node      *broker.Node // nil while stopped
}

// ClusterOption shapes a MultiCluster.
type ClusterOption func(*clusterSettings)

type clusterSettings struct {
	nodes, controllers, brokers int
	opts                        []Option
	perNode                     map[int32]map[string]string
	client                      string
	perNodeFn                   func(id int32) map[string]string
	scram                       []string
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

// NodeConfig sets a property on node id only (broker.rack, a per-broker
// rate), over what NodeOptions sets for every node.
func NodeConfig(id int32, name, value string) ClusterOption {
	return func(s *clusterSettings) {
		if s.perNode == nil {
			s.perNode = map[int32]map[string]string{}
		}
		if s.perNode[id] == nil {
			s.perNode[id] = map[string]string{}
		}
		s.perNode[id][name] = value
	}
}

// ClientListener names the nodes' client listener, which is also the
// inter-broker listener (default PLAINTEXT). A name that is not a security
// protocol needs its protocol in listener.security.protocol.map, e.g.
// NodeOptions(WithConfig("listener.security.protocol.map",
// "INTERNAL:SASL_SSL,CONTROLLER:SASL_SSL")).
func ClientListener(name string) ClusterOption {
	return func(s *clusterSettings) { s.client = name }
}

// PerNode adds properties computed for each node from its id, over the
// cluster's (e.g. each node's own keystore, made by the test).
func PerNode(props func(id int32) map[string]string) ClusterOption {
	return func(s *clusterSettings) { s.perNodeFn = props }
}

// FormatSCRAM formats every node with these SCRAM credentials, as gofka
// format --add-scram does: 'SCRAM-SHA-256=[name=admin,password=secret]'.
// The cluster starts with them, so nodes can use them with each other.
func FormatSCRAM(creds ...string) ClusterOption {
	return func(s *clusterSettings) { s.scram = append(s.scram, creds...) }
}

// StartCluster starts a formatted multi-node cluster and stops it when
// the test ends.
func StartCluster(t testing.TB, opts ...ClusterOption) *MultiCluster {
	t.Helper()
	cs := clusterSettings{nodes: 3, client: "PLAINTEXT"}
	for _, o := range opts {
		o(&cs)
	}
	c := &MultiCluster{t: t, cs: cs, clusterID: checkpoint.NewUUID().String(), settings: settings{props: map[string]string{}},
		net: faultnet.New(faultnet.GofkaNode), paused: map[int32]bool{}}
	for _, o := range cs.opts {
		o(&c.settings)
	}
	if c.settings.logger == nil {
		c.settings.logger = slog.New(slog.DiscardHandler)
	}
	tmp := t.TempDir() // removed after Close, which runs first
	t.Cleanup(c.Close)
	c.plan(tmp, cs)
	if err := c.startAll(c.nodes); err != nil {
		t.Fatalf("gofkatest: start cluster: %v", err)
	}
	return c
}

// startAll starts nodes at once: each waits at start for a quorum that
// may need the others.
func (c *MultiCluster) startAll(nodes []*ClusterNode) error {
	errs := make([]error, len(nodes))
	var wg sync.WaitGroup
	for i, n := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = c.start(n)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// plan picks each node's controller port, starts its proxies and writes
// its config.
func (c *MultiCluster) plan(tmp string, cs clusterSettings) {
	c.tmp = tmp
	voters, roles := cs.nodes, "broker,controller"
	if cs.controllers > 0 {
		voters, roles = cs.controllers, "controller"
	}
	for i := 1; i <= voters; i++ {
		n := c.newNode(roles)
		c.nodes = append(c.nodes, n)
		c.voters = append(c.voters, fmt.Sprintf("%d@%s", i, n.ControllerAddr()))
	}
	for i := 0; i < cs.brokers && cs.controllers > 0; i++ {
		c.nodes = append(c.nodes, c.newNode("broker"))
	}
	for _, node := range c.nodes {
		c.configure(node)
	}
}

// newNode picks the next node's ports and starts its proxies: one per
// listener its roles have.
func (c *MultiCluster) newNode(roles string) *ClusterNode {
	id := int32(len(c.nodes) + 1)
	n := &ClusterNode{ID: id, dir: filepath.Join(c.tmp, fmt.Sprint("node", id)), roles: roles}
	var err error
	if roles != "controller" {
		if n.proxy, err = c.net.Listen(name(id), n.boundAddr); err != nil {
			c.t.Fatalf("gofkatest: %v", err)
		}
	}
	if roles != "broker" {
		n.ctrlAddr = fmt.Sprintf("127.0.0.1:%d", freePort(c.t))
		if n.ctrlProxy, err = c.net.Listen(name(id), n.controllerAddr); err != nil {
			c.t.Fatalf("gofkatest: %v", err)
		}
	}
	return n
}

// configure writes a node's properties: both roles, the first voters.
func (c *MultiCluster) configure(node *ClusterNode) {
	p := map[string]string{}
	for k, v := range c.settings.props {
		p[k] = v
	}
	for k, v := range c.cs.perNode[node.ID] { // NodeConfig
		p[k] = v
	}
	p["node.id"] = fmt.Sprint(node.ID)
	p["process.roles"] = node.roles
	p["log.dirs"] = node.dir
	client := c.cs.client
	switch node.roles {
	case "controller":
		p["listeners"] = "CONTROLLER://" + node.ctrlAddr
	case "broker":
		p["listeners"] = client + "://127.0.0.1:0"
	default:
		p["listeners"] = client + "://127.0.0.1:0,CONTROLLER://" + node.ctrlAddr
	}
	if node.proxy != nil {
		p["advertised.listeners"] = client + "://" + node.proxy.Addr()
	}
	if client != "PLAINTEXT" && node.roles != "controller" {
		p["inter.broker.listener.name"] = client
	}
	p["controller.listener.names"] = "CONTROLLER"
	p["controller.quorum.voters"] = strings.Join(c.voters, ",")
	if c.cs.perNodeFn != nil {
		for k, v := range c.cs.perNodeFn(node.ID) {
			p[k] = v
		}
	}
	node.props = p
}

// AddBroker plans one more broker-only node with props over the
// cluster's (a node with other credentials, say); start it with
// StartNodeWithin.
func (c *MultiCluster) AddBroker(props map[string]string) *ClusterNode {
	n := c.newNode("broker")
	c.configure(n)
	for k, v := range props {
		n.props[k] = v
	}
	c.nodes = append(c.nodes, n)
	return n
}

// StartNodeWithin starts a node as StartNode does, giving up when it
// found no metadata quorum leader within wait.
func (c *MultiCluster) StartNodeWithin(n *ClusterNode, wait time.Duration) error {
	n.wait = wait
	return c.start(n)
}

// AddNode plans one more node, not a voter of the first quorum: start it
// with StartNode, and make it a voter with AddRaftVoter (its start waits
// until the quorum has added it).
func (c *MultiCluster) AddNode() *ClusterNode {
	n := c.newNode("broker,controller")
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
	if _, err := os.Stat(filepath.Join(cfg.MetadataLogDir, raft.BootstrapRecordsFile)); errors.Is(err, os.ErrNotExist) {
		if err := broker.FormatScram(cfg, c.cs.scram); err != nil {
			return err
		}
	}
	// The controller listener is bound here, on a new port each start, and
	// handed to the node: a port picked earlier and released could be
	// taken by another test meanwhile. The proxy in the voters follows it.
	var ctrlLn net.Listener
	if n.roles != "broker" {
		if ctrlLn, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			return fmt.Errorf("node %d: %w", n.ID, err)
		}
		n.mu.Lock()
		n.ctrlAddr = ctrlLn.Addr().String()
		n.mu.Unlock()
	}
	bn, err := broker.Start(broker.Options{Config: cfg, Logger: c.settings.logger.With("node", n.ID),
		ControllerListener: ctrlLn, QuorumWait: n.wait})
	if err != nil {
		closeListener(ctrlLn)
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

// Addrs returns the client addresses (proxies) of the running nodes that
// are not paused.
func (c *MultiCluster) Addrs() []string {
	var out []string
	for _, n := range c.nodes {
		if a := n.Addr(); a != "" && !c.isPaused(n.ID) {
			out = append(out, a)
		}
	}
	return out
}

// Leader returns the id of the active controller as a running node that
// is not paused sees it, or -1.
func (c *MultiCluster) Leader() int32 {
	for _, n := range c.nodes {
		n.mu.Lock()
		bn := n.node
		n.mu.Unlock()
		if bn != nil && !c.isPaused(n.ID) {
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

// Restart starts stopped or killed nodes again on their data, all at
// once (after a majority was down, each waits at start for the others).
func (c *MultiCluster) Restart(ids ...int32) {
	c.t.Helper()
	var nodes []*ClusterNode
	for _, id := range ids {
		nodes = append(nodes, c.Node(id))
	}
	if err := c.startAll(nodes); err != nil {
		c.t.Fatalf("gofkatest: restart nodes %v: %v", ids, err)
	}
}

// Close stops every running node, then the proxies. Paused nodes are
// resumed first so that they can shut down cleanly.
func (c *MultiCluster) Close() {
	c.Heal()
	defer func() {
		if err := c.net.Close(); err != nil {
			c.t.Errorf("gofkatest: close proxies: %v", err)
		}
	}()
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

// Addr is the node's client address (its proxy, which it advertises),
// "" while it is stopped or when it is a controller only.
func (n *ClusterNode) Addr() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.node == nil || n.proxy == nil {
		return ""
	}
	return n.proxy.Addr()
}

// boundAddr is the client listener the node bound, "" while it is
// stopped: where its proxy forwards.
func (n *ClusterNode) boundAddr() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.node == nil {
		return ""
	}
	return n.node.Addr()
}

// controllerAddr is where the node's controller listener is bound now.
func (n *ClusterNode) controllerAddr() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.ctrlAddr
}

// MetricsAddr is the bound address of the node's metrics listener, ""
// while it is stopped or unless the cluster was started with
// WithConfig("gofka.metrics.listen", "127.0.0.1:0").
func (n *ClusterNode) MetricsAddr() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.node == nil {
		return ""
	}
	return n.node.MetricsAddr()
}

// InterBrokerRequest sends req from this node to broker to, over to's
// inter-broker listener and secured as that listener asks: what the node's
// replica fetchers do.
func (n *ClusterNode) InterBrokerRequest(ctx context.Context, to int32, req kmsg.Request) (kmsg.Response, error) {
	n.mu.Lock()
	bn := n.node
	n.mu.Unlock()
	if bn == nil {
		return nil, fmt.Errorf("gofkatest: node %d is not running", n.ID)
	}
	cl, err := bn.InterBrokerClient(to)
	if err != nil {
		return nil, err
	}
	return cl.Request(ctx, req)
}

// Dir is the node's data dir.
func (n *ClusterNode) Dir() string { return n.dir }

// ControllerAddr is the node's controller listener as the quorum knows
// it (its proxy), "" for a broker only.
func (n *ClusterNode) ControllerAddr() string {
	if n.ctrlProxy == nil {
		return ""
	}
	return n.ctrlProxy.Addr()
}

// QuorumLeader is the metadata quorum's leader as this node sees it, -1
// while it is stopped or knows none.
func (n *ClusterNode) QuorumLeader() int32 {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.node == nil {
		return -1
	}
	return n.node.QuorumLeader()
}

func (n *ClusterNode) stop() error { return n.halt((*broker.Node).Close) }

// halt takes the node out of the cluster and ends it with end (Close, or
// Abort for a crash).
func (n *ClusterNode) halt(end func(*broker.Node) error) error {
	n.mu.Lock()
	bn := n.node
	n.node = nil
	n.mu.Unlock()
	if bn == nil {
		return nil
	}
	return end(bn)
}
