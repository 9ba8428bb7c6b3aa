package txn

import (
	"fmt"
	"log/slog"
	"math"
	"sort"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
)

// Deps is what the coordinator needs from the broker.
type Deps interface {
	// AppendLog appends one record to the transaction log partition p (a
	// nil value is a tombstone), without waiting for the ISR, and returns
	// the partition's log end offset after it. It is called under the
	// coordinator's lock (log order is the order of the transitions). A
	// failed append wraps ErrNotCoordinator when the partition is lost.
	AppendLog(p int32, key, value []byte) (end int64, err error)
	// NewProducerID hands out an unused producer id.
	NewProducerID() (int64, error)
	// AwaitLog returns once the ISR holds the transaction log partition p
	// up to end (end < 0: its log end offset now); a failed wait
	// (leadership lost, or the ISR did not take it in time) returns an
	// error wrapping ErrNotCoordinator after the broker queued the
	// partition's reload; an ISR below min.insync.replicas returns another
	// error and leaves the partition loaded. It is called without the
	// coordinator's lock and must never call into the coordinator.
	AwaitLog(p int32, end int64) error
	// WriteMarkers appends a commit or abort marker for the producer to
	// every partition (skipping partitions that no longer exist), as the
	// coordinator of transaction log partition txnPartition (its leader
	// epoch is the markers' coordinator epoch, which fences markers from a
	// coordinator that lost the partition). It is called without the
	// coordinator's lock.
	WriteMarkers(txnPartition int32, pid int64, epoch int16, commit bool, parts []TopicPartition) error
	// PartitionExists reports whether a partition exists.
	PartitionExists(tp TopicPartition) bool
}

// Config configures a Coordinator.
type Config struct {
	Partitions   int32 // transaction log partitions
	MaxTimeoutMs int32 // transaction.max.timeout.ms
	Now          func() time.Time
	Logger       *slog.Logger
	// Owner, when set, says whether this node serves a transaction log
	// partition: nil when it leads it and has loaded it, else
	// NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS. It is called with
	// the coordinator's lock held and must take no lock held while calling
	// the coordinator. Unset, every partition is served.
	Owner func(partition int32) *kerr.Error
}

// Coordinator is the transaction coordinator of one node.
type Coordinator struct {
	cfg  Config
	deps Deps

	mu   sync.Mutex
	txns map[string]*Metadata
	// finishing is the prepared transactions whose markers a caller is
	// writing without the lock (finish.go), by transactional id.
	finishing map[string]*Metadata
	// pending is the write each transactional id waits for the ISR to
	// hold before its state changes (pending.go).
	pending map[string]*write
}

// New returns a coordinator with no transactions; Load fills it.
func New(cfg Config, deps Deps) *Coordinator {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Coordinator{cfg: cfg, deps: deps, txns: map[string]*Metadata{},
		finishing: map[string]*Metadata{}, pending: map[string]*write{}}
}

// Load applies one transaction log record read at startup; the last
// record of an id wins and a tombstone removes it.
func (c *Coordinator) Load(key, value []byte) error {
	id, m, err := DecodeRecord(key, value)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if m == nil {
		delete(c.txns, id)
	} else {
		c.txns[id] = m
	}
	return nil
}

func (c *Coordinator) nowMs() int64 { return c.cfg.Now().UnixMilli() }

// transitionLocked validates a state change and appends it as the id's
// pending write (pending.go): the caller awaits it without the lock.
func (c *Coordinator) transitionLocked(next *Metadata, from State) (*write, *kerr.Error) {
	if !validTransition(from, next.State) {
		return nil, kerr.InvalidTxnState
	}
	return c.appendLocked(next)
}

// bumpEpoch gives m the next epoch, or a new producer id at epoch 0 when
// the epoch is exhausted.
func (c *Coordinator) bumpEpoch(m *Metadata) *kerr.Error {
	m.LastEpoch = m.Epoch
	if m.Epoch < math.MaxInt16-1 {
		m.Epoch++
		return nil
	}
	pid, err := c.deps.NewProducerID()
	if err != nil {
		return kerr.CoordinatorNotAvailable
	}
	m.PrevProducerID, m.ProducerID, m.Epoch, m.LastEpoch = m.ProducerID, pid, 0, -1
	return nil
}

// Recover finishes every transaction left in a Prepare state (after a
// crash or a failed marker write). It returns how many it finished.
func (c *Coordinator) Recover() int {
	c.mu.Lock()
	prepared := c.takePreparedLocked(func(id string) bool { return c.ownerLocked(id) == nil })
	c.mu.Unlock()
	return c.finishAll(prepared)
}

// AbortTimedOut aborts ongoing transactions older than their timeout,
// fencing the producer with an epoch bump as Kafka does. It returns how
// many it aborted.
func (c *Coordinator) AbortTimedOut() int {
	c.mu.Lock()
	now := c.nowMs()
	var prepared []ending
	for _, id := range c.idsLocked() {
		if c.ownerLocked(id) != nil {
			continue
		}
		m := c.txns[id]
		if m.State != Ongoing || m.StartMs+int64(m.TimeoutMs) > now || c.busyLocked(id) {
			continue
		}
		c.cfg.Logger.Info("aborting timed out transaction", "transactional.id", id, "producer.id", m.ProducerID)
		fenced := m.clone()
		if err := c.bumpEpoch(fenced); err != nil {
			continue
		}
		if e, err := c.prepareLocked(fenced, false); err == nil {
			prepared = append(prepared, e)
		}
	}
	c.mu.Unlock()
	return c.finishAll(prepared)
}

// ExpireIDs removes the transactional ids with no transaction in flight
// (Empty, CompleteCommit or CompleteAbort: the states that may become
// Dead) whose state last changed expirationMs or more ago, writing a
// tombstone to the log for each, as Kafka's TransactionStateManager.
// removeExpiredTransactionalIds does (transactional.id.expiration.ms).
// An id is removed from memory once the ISR holds its tombstone; until
// then it is pending (requests for it answer CONCURRENT_TRANSACTIONS). An
// expired id that comes back gets a new producer id. It returns how many
// it removed.
func (c *Coordinator) ExpireIDs(expirationMs int64) int {
	c.mu.Lock()
	cutoff := c.nowMs() - expirationMs
	var tombs []*write
	for _, id := range c.idsLocked() {
		m := c.txns[id]
		if c.ownerLocked(id) != nil || c.busyLocked(id) || !validTransition(m.State, Dead) || m.UpdateMs > cutoff {
			continue
		}
		if w, err := c.tombstoneLocked(id); err == nil {
			tombs = append(tombs, w)
		}
	}
	c.mu.Unlock()
	n := 0
	for _, w := range tombs {
		if c.await(w) == nil {
			n++
		}
	}
	return n
}

// busyLocked reports whether id has a write waiting for the ISR or a
// transaction being finished. Requires c.mu.
func (c *Coordinator) busyLocked(id string) bool {
	return c.pending[id] != nil || c.finishing[id] != nil
}

func (c *Coordinator) idsLocked() []string {
	ids := make([]string, 0, len(c.txns))
	for id := range c.txns {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Get returns a copy of a transactional id's state, or nil.
func (c *Coordinator) Get(id string) *Metadata {
	c.mu.Lock()
	defer c.mu.Unlock()
	if m := c.txns[id]; m != nil {
		return m.clone()
	}
	return nil
}

func (c *Coordinator) String() string {
	return fmt.Sprintf("txn.Coordinator(%d partitions)", c.cfg.Partitions)
}
