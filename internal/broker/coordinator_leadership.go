package broker

// Coordinators follow partition leadership, as Kafka's group, transaction
// and share coordinators do (onElection / onResignation): this node
// serves the groups, transactional ids and share-partition states whose
// coordinator partition (of __consumer_offsets, __transaction_state and
// __share_group_state) it leads. Every published metadata image names the
// partitions whose leader changed; when this node becomes a coordinator
// partition's leader the partition is marked loading (requests for its
// keys answer COORDINATOR_LOAD_IN_PROGRESS) and a node-owned worker
// replays its log into the coordinator, then marks it loaded. When the
// node stops leading it, the partition is forgotten at once (requests
// answer NOT_COORDINATOR, so clients look the coordinator up again) and
// the worker unloads its state: parked requests answered NOT_COORDINATOR,
// timers stopped. A write to a coordinator partition that fails is taken
// as a lost leadership: NOT_COORDINATOR to the client, the partition
// unloaded and, if the image still names this node its leader, loaded
// again from the log.
//
// Lock order: a coordinator's lock, then coordLeadership.mu, which is
// never held while calling anything else.

import (
	"fmt"
	"sync"
	"time"

	"github.com/gofka/gofka/internal/metadata"
	"github.com/gofka/gofka/internal/record"
	"github.com/gofka/gofka/internal/share"
	"github.com/gofka/gofka/internal/storage/checkpoint"
	"github.com/gofka/gofka/internal/txn"
	"github.com/twmb/franz-go/pkg/kerr"
)

// coordPhase is a led coordinator partition's state.
type coordPhase int8

const (
	coordLoading coordPhase = iota + 1
	coordLoaded
)

// coordEntry is one coordinator partition this node leads; gen tells a
// load queued for this leadership from one queued for an earlier one.
type coordEntry struct {
	phase coordPhase
	gen   uint64
}

// coordTask is a load or an unload for the worker.
type coordTask struct {
	tp   checkpoint.TopicPartition
	load bool
	gen  uint64
}

// coordLeadership is the coordinator partitions this node leads.
type coordLeadership struct {
	mu struct {
		sync.Mutex
		led   map[checkpoint.TopicPartition]coordEntry
		queue []coordTask
		gen   uint64
	}
	wake  chan struct{}
	peers *clientPool // WriteTxnMarkers and AddPartitionsToTxn to other brokers' inter-broker listener
}

// isCoordTopic reports the topics whose leaders are coordinators.
func isCoordTopic(name string) bool {
	return name == offsetsTopic || name == txn.Topic || name == shareStateTopic
}

// startCoordLeadership loads the coordinator partitions this node leads
// now (before clients connect), then follows every image.
func (n *Node) startCoordLeadership() {
	c := &n.coord
	c.mu.led = map[checkpoint.TopicPartition]coordEntry{}
	c.wake = make(chan struct{}, 1)
	c.peers = newClientPool(fmt.Sprintf("gofka-broker-%d", n.nodeID), n.brokerSec)
	n.meta.Subscribe(func(_, next *metadata.Image, d metadata.Delta) { n.onCoordImage(next, d) })
	img := n.meta.Current()
	for _, name := range []string{offsetsTopic, txn.Topic, shareStateTopic} {
		if t := img.Topic(name); t != nil {
			for _, pi := range t.Partitions {
				if pi != nil {
					n.coordLeader(checkpoint.TopicPartition{Topic: name, Partition: pi.Partition}, pi.Leader == n.nodeID)
				}
			}
		}
	}
	n.runCoordTasks(nil) // the start-up loads, in line
	n.goAsync(n.coordWorker)
	n.goAsync(func(quit <-chan struct{}) {
		<-quit
		c.peers.close()
	})
}

// onCoordImage notes the coordinator partitions whose leader changed.
// It runs on the image publish path: it only marks and queues.
func (n *Node) onCoordImage(img *metadata.Image, d metadata.Delta) {
	created := map[string]bool{}
	for _, t := range d.CreatedTopics {
		created[t.Name] = isCoordTopic(t.Name)
	}
	for _, pi := range d.ChangedPartitions {
		if !isCoordTopic(pi.Topic) {
			continue
		}
		tp := checkpoint.TopicPartition{Topic: pi.Topic, Partition: pi.Partition}
		if created[pi.Topic] && pi.Leader == n.nodeID && n.coordEmpty(tp) {
			n.coordLoadedNew(tp)
			continue
		}
		n.coordLeader(tp, pi.Leader == n.nodeID)
	}
	for _, t := range d.DeletedTopics {
		if !isCoordTopic(t.Name) || img.Topic(t.Name) != nil {
			continue
		}
		for _, pi := range t.Partitions {
			if pi != nil {
				n.coordLeader(checkpoint.TopicPartition{Topic: t.Name, Partition: pi.Partition}, false)
			}
		}
	}
}

// coordLeader records whether this node leads tp and queues its load or
// unload when that changed.
func (n *Node) coordLeader(tp checkpoint.TopicPartition, leads bool) {
	c := &n.coord
	c.mu.Lock()
	_, led := c.mu.led[tp]
	switch {
	case leads && !led:
		c.mu.gen++
		c.mu.led[tp] = coordEntry{phase: coordLoading, gen: c.mu.gen}
		c.mu.queue = append(c.mu.queue, coordTask{tp: tp, load: true, gen: c.mu.gen})
	case !leads && led:
		delete(c.mu.led, tp)
		c.mu.queue = append(c.mu.queue, coordTask{tp: tp})
	}
	c.mu.Unlock()
	c.signal()
}

// coordEmpty reports whether a coordinator partition's log is hosted here
// and holds nothing.
func (n *Node) coordEmpty(tp checkpoint.TopicPartition) bool {
	p := n.parts.get(tp.Topic, tp.Partition)
	return p != nil && p.log.LogEndOffset() == 0
}

// coordLoadedNew serves a partition of a coordinator topic just created
// here: its log is empty, so there is nothing to load and the first
// request after FindCoordinator is served at once.
func (n *Node) coordLoadedNew(tp checkpoint.TopicPartition) {
	c := &n.coord
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, led := c.mu.led[tp]; !led {
		c.mu.gen++
		c.mu.led[tp] = coordEntry{phase: coordLoaded, gen: c.mu.gen}
	}
}

// coordWriteFailed takes a failed write to a loaded coordinator partition
// as a lost leadership: the partition is unloaded and, if this node still
// leads it, loaded again from its log.
func (n *Node) coordWriteFailed(topic string, partition int32) {
	c := &n.coord
	tp := checkpoint.TopicPartition{Topic: topic, Partition: partition}
	c.mu.Lock()
	e, ok := c.mu.led[tp]
	if ok && e.phase == coordLoaded {
		c.mu.gen++
		c.mu.led[tp] = coordEntry{phase: coordLoading, gen: c.mu.gen}
		c.mu.queue = append(c.mu.queue, coordTask{tp: tp}, coordTask{tp: tp, load: true, gen: c.mu.gen})
	}
	c.mu.Unlock()
	if ok {
		n.log.Warn("coordinator write failed: reloading the partition", "partition", tp.String())
		c.signal()
	}
}

func (c *coordLeadership) signal() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// coordOwner is nil when this node serves the coordinator partition,
// else NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS.
func (n *Node) coordOwner(topic string, partition int32) *kerr.Error {
	c := &n.coord
	c.mu.Lock()
	defer c.mu.Unlock()
	switch c.mu.led[checkpoint.TopicPartition{Topic: topic, Partition: partition}].phase {
	case coordLoaded:
		return nil
	case coordLoading:
		return kerr.CoordinatorLoadInProgress
	}
	return kerr.NotCoordinator
}

// coordWorker runs the queued loads and unloads in order; a load that
// failed is tried again a second later.
func (n *Node) coordWorker(quit <-chan struct{}) {
	var retry []coordTask
	for {
		var again <-chan time.Time
		if len(retry) > 0 {
			again = time.After(time.Second)
		}
		select {
		case <-quit:
			return
		case <-n.coord.wake:
		case <-again:
			n.coord.mu.Lock()
			n.coord.mu.queue = append(retry, n.coord.mu.queue...)
			n.coord.mu.Unlock()
			retry = nil
		}
		retry = n.runCoordTasks(retry)
	}
}

// runCoordTasks runs every queued task and returns retry with the loads
// that failed appended.
func (n *Node) runCoordTasks(retry []coordTask) []coordTask {
	for {
		c := &n.coord
		c.mu.Lock()
		if len(c.mu.queue) == 0 {
			c.mu.Unlock()
			return retry
		}
		t := c.mu.queue[0]
		c.mu.queue = c.mu.queue[1:]
		c.mu.Unlock()
		if !t.load {
			n.unloadCoordPartition(t.tp)
			continue
		}
		if !n.coordLoadWanted(t) {
			continue
		}
		start := n.now()
		if err := n.loadCoordPartition(t.tp); err != nil {
			n.log.Error("load coordinator partition", "partition", t.tp.String(), "err", err)
			retry = append(retry, t)
			continue
		}
		c.mu.Lock()
		if e := c.mu.led[t.tp]; e.gen == t.gen && e.phase == coordLoading {
			c.mu.led[t.tp] = coordEntry{phase: coordLoaded, gen: t.gen}
		}
		c.mu.Unlock()
		n.log.Info("coordinator partition loaded", "partition", t.tp.String(), "took", n.now().Sub(start))
	}
}

// coordLoadWanted reports whether a load is still for the current
// leadership.
func (n *Node) coordLoadWanted(t coordTask) bool {
	c := &n.coord
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.mu.led[t.tp]
	return ok && e.gen == t.gen && e.phase == coordLoading
}

// loadCoordPartition replays a coordinator partition into its coordinator.
// Share-partition states are replayed for every hosted partition at start
// (share.StateStore), so there is nothing to load for them.
func (n *Node) loadCoordPartition(tp checkpoint.TopicPartition) error {
	switch tp.Topic {
	case offsetsTopic:
		return n.groups.coord.LoadPartition(tp.Partition)
	case txn.Topic:
		k, err := n.txns.coord.LoadPartition(tp.Partition, func(load func(key, value []byte) error) error {
			return n.replayTxnPartition(tp.Partition, load)
		})
		if k > 0 {
			n.log.Info("finished prepared transactions", "partition", tp.String(), "count", k)
		}
		return err
	}
	return nil
}

func (n *Node) unloadCoordPartition(tp checkpoint.TopicPartition) {
	switch tp.Topic {
	case offsetsTopic:
		n.groups.coord.UnloadPartition(tp.Partition)
	case txn.Topic:
		n.txns.coord.UnloadPartition(tp.Partition)
	}
	n.log.Info("coordinator partition unloaded", "partition", tp.String())
}

// replayTxnPartition hands every record of a transaction log partition to
// load, oldest first.
func (n *Node) replayTxnPartition(partition int32, load func(key, value []byte) error) error {
	p := n.parts.get(txn.Topic, partition)
	if p == nil {
		return nil
	}
	return readBatches(p.log, p.log.LogStartOffset(), p.log.LogEndOffset(), func(b []byte, h *record.Header) error {
		if h.Control() {
			return nil
		}
		_, err := record.Iterate(b, nil, func(_ *record.Header, r *record.Record) error {
			return load(r.Key, r.Value)
		})
		return err
	})
}

// groupOwner is coordOwner for a group id's __consumer_offsets partition.
func (n *Node) groupOwner(groupID string) *kerr.Error {
	return n.coordOwner(offsetsTopic, n.groups.coord.PartitionFor(groupID))
}

// shareKeyOwner is pre, else coordOwner for a share-partition key's
// __share_group_state partition.
func (n *Node) shareKeyOwner(pre *kerr.Error, k share.Key) *kerr.Error {
	if pre != nil {
		return pre
	}
	return n.coordOwner(shareStateTopic, n.shares.coord.State().PartitionFor(k))
}
