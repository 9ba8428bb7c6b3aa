package gofkatest

// Faults of a MultiCluster: a crash (Kill), a pause (Pause/Resume: the
// node's listeners and its own connections blackholed, as when the
// process is stopped) and partitions (Cut, Partition), all made with the
// fault proxies of internal/faultnet in front of every listener. The
// proxies know which node opened a connection from the Kafka client id
// of Gofka's inter-node clients, so a cut between two nodes leaves both
// reachable by clients and by the other nodes.

import (
	"fmt"

	"github.com/gofka/gofka/internal/broker"
	"github.com/gofka/gofka/internal/faultnet"
)

// Kill stops node id without a clean shutdown, as kill -9 would: no
// controlled shutdown, no flush, checkpoints or clean-shutdown marker
// (broker.Node.Abort). Restart starts it again on its data.
func (c *MultiCluster) Kill(id int32) {
	c.t.Helper()
	if err := c.Node(id).halt((*broker.Node).Abort); err != nil {
		c.t.Errorf("gofkatest: kill node %d: %v", id, err)
	}
}

// Pause blackholes node id: its proxies accept connections but carry
// nothing either way, and connections it makes to other nodes carry
// nothing either; bytes in flight are held, not dropped, as when the
// process is stopped with SIGSTOP. The node itself keeps running (its
// timers fire), unlike a stopped process. Resume undoes it.
func (c *MultiCluster) Pause(id int32) {
	c.mu.Lock()
	c.paused[id] = true
	c.mu.Unlock()
	c.net.Node(name(id), faultnet.Blackhole)
}

// Resume lets a paused node's traffic flow again, held bytes first.
func (c *MultiCluster) Resume(id int32) {
	c.mu.Lock()
	delete(c.paused, id)
	c.mu.Unlock()
	c.net.Node(name(id), faultnet.Pass)
}

func (c *MultiCluster) isPaused(id int32) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.paused[id]
}

// Cut partitions nodes a and b from each other, both ways: connections
// between them are dropped and refused until Heal. Clients and the other
// nodes still reach both.
func (c *MultiCluster) Cut(a, b int32) { c.net.Cut(name(a), name(b)) }

// Partition cuts every node of each side from every node of the other
// sides, e.g. Partition([]int32{1, 2}, []int32{3}) for a majority and a
// minority. Nodes not named keep every link.
func (c *MultiCluster) Partition(sides ...[]int32) { c.net.Partition(names(sides)...) }

// Heal ends every cut and pause.
func (c *MultiCluster) Heal() {
	c.mu.Lock()
	clear(c.paused)
	c.mu.Unlock()
	c.net.Heal()
}

func name(id int32) string { return fmt.Sprint(id) }

// names are the proxies' names of the nodes of each side.
func names(sides [][]int32) [][]string {
	out := make([][]string, len(sides))
	for i, side := range sides {
		for _, id := range side {
			out[i] = append(out[i], name(id))
		}
	}
	return out
}
