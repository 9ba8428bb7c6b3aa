package faults

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gofka/gofka/internal/faultnet"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// readyTimeout bounds how long a started process may take to listen.
const readyTimeout = 30 * time.Second

// Build compiles the gofka binary into dir and returns its path.
func Build(dir string) (string, error) {
	bin := filepath.Join(dir, "gofka")
	build := exec.Command("go", "build", "-o", bin, "github.com/gofka/gofka/cmd/gofka")
	if out, err := build.CombinedOutput(); err != nil {
		return "", fmt.Errorf("faults: build gofka: %w\n%s", err, out)
	}
	return bin, nil
}

// Cluster is gofka processes behind fault proxies; the test's cleanup
// kills them and stops the proxies.
type Cluster struct {
	t         testing.TB
	binary    string
	clusterID string
	net       *faultnet.Net
	nodes     []*Node
	base      string // the nodes' dirs are under it
}

// Node is one gofka process of a Cluster.
type Node struct {
	ID        int32
	roles     string // process.roles
	dir       string
	proxy     *faultnet.Proxy
	ctrlProxy *faultnet.Proxy
	sets      []string // its --set flags but the listeners (listenerProps)

	mu       sync.Mutex
	addr     string    // the client listener it binds
	ctrlAddr string    // the controller listener it binds
	cmd      *exec.Cmd // nil while down
	logs     *os.File
	logStart int64 // server.log's length when the process was launched
	paused   bool
}

// Start formats n nodes, each broker and controller, and starts them;
// extra are "name=value" properties set on every node.
func Start(t testing.TB, binary string, n int, extra ...string) *Cluster {
	return StartRoles(t, binary, n, 0, extra...)
}

// StartRoles formats and starts controllers controller-only nodes (ids
// 1..controllers) and brokers broker-only nodes after them; with no
// brokers, the controllers are brokers too.
func StartRoles(t testing.TB, binary string, controllers, brokers int, extra ...string) *Cluster {
	t.Helper()
	c := &Cluster{t: t, binary: binary, net: faultnet.New(faultnet.GofkaNode)}
	// The dirs are made before c.close is registered, so that cleanup (last
	// registered, first run) stops the processes before the dirs go: a
	// process still writing a snapshot would make their removal fail.
	c.base = t.TempDir()
	t.Cleanup(c.close)
	c.clusterID = c.run("format", "random-uuid")
	c.plan(controllers, brokers, extra)
	for _, node := range c.nodes {
		c.run(append([]string{"format", "-t", c.clusterID}, node.flags()...)...)
	}
	c.Restart(c.ids()...)
	return c
}

// plan picks each node's ports, starts its proxies and writes its flags.
func (c *Cluster) plan(controllers, brokers int, extra []string) {
	var voters []string
	for i := 1; i <= controllers+brokers; i++ {
		node := &Node{ID: int32(i), dir: filepath.Join(c.base, fmt.Sprint("node", i)), roles: "broker,controller"}
		if err := os.MkdirAll(node.dir, 0o755); err != nil {
			c.t.Fatal(err)
		}
		switch {
		case brokers > 0 && i <= controllers:
			node.roles = "controller"
		case i > controllers:
			node.roles = "broker"
		}
		c.listen(node)
		if node.ctrlProxy != nil {
			voters = append(voters, fmt.Sprintf("%d@%s", i, node.ctrlProxy.Addr()))
		}
		c.nodes = append(c.nodes, node)
	}
	for _, node := range c.nodes {
		props := append([]string{
			"log.dirs=" + filepath.Join(node.dir, "data"),
			fmt.Sprintf("node.id=%d", node.ID),
			"process.roles=" + node.roles,
			"controller.listener.names=CONTROLLER",
			"controller.quorum.voters=" + strings.Join(voters, ","),
		}, extra...)
		for _, p := range props {
			node.sets = append(node.sets, "--set", p)
		}
	}
}

// listen picks the node's ports and starts its proxies: a client one for a
// broker, a controller one for a controller.
func (c *Cluster) listen(node *Node) {
	name := fmt.Sprint(node.ID)
	var err error
	c.pickPorts(node)
	if strings.Contains(node.roles, "broker") {
		if node.proxy, err = c.net.Listen(name, func() string { return node.target(&node.addr) }); err != nil {
			c.t.Fatal(err)
		}
	}
	if strings.Contains(node.roles, "controller") {
		if node.ctrlProxy, err = c.net.Listen(name, func() string { return node.target(&node.ctrlAddr) }); err != nil {
			c.t.Fatal(err)
		}
	}
}

// pickPorts picks free ports for the node's listeners (its proxies keep
// theirs: the other nodes and the clients know only those).
func (c *Cluster) pickPorts(node *Node) {
	node.mu.Lock()
	defer node.mu.Unlock()
	if strings.Contains(node.roles, "broker") {
		node.addr = c.freeAddr()
	}
	if strings.Contains(node.roles, "controller") {
		node.ctrlAddr = c.freeAddr()
	}
}

// target reads one of the node's listener addresses for its proxy.
func (n *Node) target(addr *string) string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return *addr
}

// flags are the node's --set flags with its current listeners.
func (n *Node) flags() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.flagsLocked()
}

func (n *Node) flagsLocked() []string {
	out := slices.Clone(n.sets)
	for _, p := range n.listenerProps() {
		out = append(out, "--set", p)
	}
	return out
}

// listenerProps are the node's listeners for its roles; mu held.
func (n *Node) listenerProps() []string {
	switch n.roles {
	case "controller":
		return []string{"listeners=CONTROLLER://" + n.ctrlAddr}
	case "broker":
		return []string{"listeners=PLAINTEXT://" + n.addr, "advertised.listeners=PLAINTEXT://" + n.proxy.Addr()}
	}
	return []string{fmt.Sprintf("listeners=PLAINTEXT://%s,CONTROLLER://%s", n.addr, n.ctrlAddr),
		"advertised.listeners=PLAINTEXT://" + n.proxy.Addr()}
}

func (c *Cluster) freeAddr() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		c.t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// run runs the binary to completion and returns its trimmed output.
func (c *Cluster) run(args ...string) string {
	c.t.Helper()
	out, err := exec.Command(c.binary, args...).CombinedOutput()
	if err != nil {
		c.t.Fatalf("faults: gofka %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

func (c *Cluster) ids() []int32 {
	var out []int32
	for _, n := range c.nodes {
		out = append(out, n.ID)
	}
	return out
}

// ClusterID is the id every node was formatted with.
func (c *Cluster) ClusterID() string { return c.clusterID }

// Node returns node id (1-based).
func (c *Cluster) Node(id int32) *Node { return c.nodes[id-1] }

// Nodes returns every node.
func (c *Cluster) Nodes() []*Node { return c.nodes }

// Addrs are the client addresses (proxies) of the nodes running and not
// paused.
func (c *Cluster) Addrs() []string {
	var out []string
	for _, n := range c.nodes {
		if n.Up() && !n.Paused() && n.proxy != nil {
			out = append(out, n.Addr())
		}
	}
	return out
}

// Restart starts stopped or killed nodes on their data, all at once, and
// waits until each listens.
func (c *Cluster) Restart(ids ...int32) {
	c.t.Helper()
	for _, id := range ids {
		if err := c.Node(id).launch(c.binary); err != nil {
			c.t.Fatal(err)
		}
	}
	for _, id := range ids {
		c.waitReady(c.Node(id))
	}
}

// waitReady waits until node listens. A port picked free can be taken
// before the process binds it (another test's connection gets it as its
// source port, on a machine shared by many tests): the node then starts
// again on new ports, behind the same proxies.
func (c *Cluster) waitReady(node *Node) {
	c.t.Helper()
	for try := 1; ; try++ {
		err := node.waitReady()
		if err == nil {
			return
		}
		if !errors.Is(err, errPortTaken) || try == 3 {
			c.t.Fatal(err)
		}
		c.t.Logf("%v; starting it on new ports", err)
		_ = node.end(syscall.SIGKILL)
		c.pickPorts(node)
		if err := node.launch(c.binary); err != nil {
			c.t.Fatal(err)
		}
	}
}

// Kill kills node id with SIGKILL and waits for it to exit.
func (c *Cluster) Kill(id int32) { c.Node(id).end(syscall.SIGKILL) }

// Stop stops node id with SIGTERM (a clean shutdown) and returns its
// exit error.
func (c *Cluster) Stop(id int32) error { return c.Node(id).end(syscall.SIGTERM) }

// Pause stops node id's process with SIGSTOP; Resume continues it.
func (c *Cluster) Pause(id int32) { c.Node(id).signal(syscall.SIGSTOP, true) }

// Resume continues a paused node with SIGCONT.
func (c *Cluster) Resume(id int32) { c.Node(id).signal(syscall.SIGCONT, false) }

// Blackhole pauses node id's network instead of its process: its proxies
// and its connections to other nodes carry nothing until Heal.
func (c *Cluster) Blackhole(id int32) { c.net.Node(fmt.Sprint(id), faultnet.Blackhole) }

// Cut partitions nodes a and b from each other, both ways, until Heal.
func (c *Cluster) Cut(a, b int32) { c.net.Cut(fmt.Sprint(a), fmt.Sprint(b)) }

// Partition cuts every node of each side from every node of the others.
func (c *Cluster) Partition(sides ...[]int32) {
	names := make([][]string, len(sides))
	for i, side := range sides {
		for _, id := range side {
			names[i] = append(names[i], fmt.Sprint(id))
		}
	}
	c.net.Partition(names...)
}

// Heal ends every cut and blackhole (not a SIGSTOP: Resume that).
func (c *Cluster) Heal() { c.net.Heal() }

// Leader asks the running nodes for the quorum's leader (DescribeQuorum)
// until one names a running node, or ctx ends.
func (c *Cluster) Leader(ctx context.Context) (int32, error) { return c.LeaderVia(ctx, c.Addrs()...) }

// LeaderVia is Leader asking only the nodes at addrs (the majority side
// of a partition).
func (c *Cluster) LeaderVia(ctx context.Context, addrs ...string) (int32, error) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(addrs...), kgo.RequestTimeoutOverhead(time.Second))
	if err != nil {
		return -1, err
	}
	defer cl.Close()
	for {
		req := kmsg.NewPtrDescribeQuorumRequest()
		rt := kmsg.NewDescribeQuorumRequestTopic()
		rt.Topic, rt.Partitions = "__cluster_metadata", []kmsg.DescribeQuorumRequestTopicPartition{{Partition: 0}}
		req.Topics = append(req.Topics, rt)
		resp, err := req.RequestWith(ctx, cl)
		if err == nil && resp.ErrorCode == 0 && len(resp.Topics) == 1 && len(resp.Topics[0].Partitions) == 1 {
			if l := resp.Topics[0].Partitions[0].LeaderID; l > 0 && int(l) <= len(c.nodes) && c.Node(l).Up() {
				return l, nil
			}
		}
		select {
		case <-ctx.Done():
			return -1, fmt.Errorf("faults: no quorum leader: %w", errors.Join(ctx.Err(), err))
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// close kills every node and stops the proxies.
func (c *Cluster) close() {
	for _, n := range c.nodes {
		n.end(syscall.SIGKILL)
	}
	if err := c.net.Close(); err != nil {
		c.t.Errorf("faults: close proxies: %v", err)
	}
}
