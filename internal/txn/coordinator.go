package txn

import (
	"errors"
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
	// AppendLog durably appends one record to the transaction log
	// partition p (a nil value is a tombstone).
	AppendLog(p int32, key, value []byte) error
	// NewProducerID hands out an unused producer id.
	NewProducerID() (int64, error)
	// WriteMarkers appends a commit or abort marker for the producer to
	// every partition (skipping partitions that no longer exist), as the
	// coordinator of transaction log partition txnPartition (its leader
	// epoch is the markers' coordinator epoch, which fences markers from a
	// coordinator that lost the partition).
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
}

// New returns a coordinator with no transactions; Load fills it.
func New(cfg Config, deps Deps) *Coordinator {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Coordinator{cfg: cfg, deps: deps, txns: map[string]*Metadata{}}
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

// persistLocked writes next to the log and, once durable, makes it current.
func (c *Coordinator) persistLocked(next *Metadata) *kerr.Error {
	next.UpdateMs = c.nowMs()
	p := PartitionFor(next.TransactionalID, c.cfg.Partitions)
	if err := c.deps.AppendLog(p, EncodeKey(next.TransactionalID), EncodeValue(next)); err != nil {
		c.cfg.Logger.Error("transaction log append failed", "transactional.id", next.TransactionalID, "err", err)
		if errors.Is(err, ErrNotCoordinator) {
			return kerr.NotCoordinator
		}
		return kerr.CoordinatorNotAvailable
	}
	c.txns[next.TransactionalID] = next
	return nil
}

// transitionLocked validates and persists a state change.
func (c *Coordinator) transitionLocked(next *Metadata, from State) *kerr.Error {
	if !validTransition(from, next.State) {
		return kerr.InvalidTxnState
	}
	return c.persistLocked(next)
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

// endLocked writes the Prepare state, the markers and the Complete state
// of m's transaction with m's current producer id and epoch.
func (c *Coordinator) endLocked(m *Metadata, commit bool) *kerr.Error {
	prep, done := PrepareAbort, CompleteAbort
	if commit {
		prep, done = PrepareCommit, CompleteCommit
	}
	next := m.clone()
	next.State = prep
	if err := c.transitionLocked(next, m.State); err != nil {
		return err
	}
	return c.completeLocked(next, done)
}

// completeLocked writes the markers of a prepared transaction and its
// Complete state.
func (c *Coordinator) completeLocked(m *Metadata, done State) *kerr.Error {
	if err := c.deps.WriteMarkers(PartitionFor(m.TransactionalID, c.cfg.Partitions), m.ProducerID, m.Epoch, done == CompleteCommit, m.SortedPartitions()); err != nil {
		c.cfg.Logger.Error("writing transaction markers failed", "transactional.id", m.TransactionalID, "err", err)
		return kerr.CoordinatorNotAvailable // left prepared; Recover retries
	}
	next := m.clone()
	next.State, next.Partitions = done, map[TopicPartition]struct{}{}
	return c.transitionLocked(next, m.State)
}

// Recover finishes every transaction left in a Prepare state (after a
// crash or a failed marker write). It returns how many it finished.
func (c *Coordinator) Recover() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.completePreparedLocked(func(id string) bool { return c.ownerLocked(id) == nil })
}

// completePreparedLocked finishes the prepared transactions of the ids
// that match and returns how many it finished.
func (c *Coordinator) completePreparedLocked(match func(id string) bool) int {
	n := 0
	for _, id := range c.idsLocked() {
		m := c.txns[id]
		if !match(id) || (m.State != PrepareCommit && m.State != PrepareAbort) {
			continue
		}
		done := CompleteAbort
		if m.State == PrepareCommit {
			done = CompleteCommit
		}
		if c.completeLocked(m, done) == nil {
			n++
		}
	}
	return n
}

// AbortTimedOut aborts ongoing transactions older than their timeout,
// fencing the producer with an epoch bump as Kafka does. It returns how
// many it aborted.
func (c *Coordinator) AbortTimedOut() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	now, n := c.nowMs(), 0
	for _, id := range c.idsLocked() {
		if c.ownerLocked(id) != nil {
			continue
		}
		m := c.txns[id]
		if m.State != Ongoing || m.StartMs+int64(m.TimeoutMs) > now {
			continue
		}
		c.cfg.Logger.Info("aborting timed out transaction", "transactional.id", id, "producer.id", m.ProducerID)
		fenced := m.clone()
		if err := c.bumpEpoch(fenced); err != nil {
			continue
		}
		if err := c.endLocked(fenced, false); err == nil {
			n++
		}
	}
	return n
}

// ExpireIDs removes the transactional ids with no transaction in flight
// (Empty, CompleteCommit or CompleteAbort: the states that may become
// Dead) whose state last changed expirationMs or more ago, writing a
// tombstone to the log for each, as Kafka's TransactionStateManager.
// removeExpiredTransactionalIds does (transactional.id.expiration.ms).
// An expired id that comes back gets a new producer id. It returns how
// many it removed.
func (c *Coordinator) ExpireIDs(expirationMs int64) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	cutoff, n := c.nowMs()-expirationMs, 0
	for _, id := range c.idsLocked() {
		if c.ownerLocked(id) != nil {
			continue
		}
		m := c.txns[id]
		if !validTransition(m.State, Dead) || m.UpdateMs > cutoff {
			continue
		}
		if err := c.deps.AppendLog(PartitionFor(id, c.cfg.Partitions), EncodeKey(id), nil); err != nil {
			c.cfg.Logger.Error("transaction log tombstone failed", "transactional.id", id, "err", err)
			continue
		}
		delete(c.txns, id)
		n++
	}
	return n
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
