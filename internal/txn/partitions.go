package txn

// Partition ownership, as Kafka's TransactionStateManager: the coordinator
// serves the transactional ids of the __transaction_state partitions this
// node leads. The broker loads a partition when it becomes its leader
// (LoadPartition replays its records, then finishes the transactions left
// prepared, writing their markers) and unloads it when it stops leading it.

import (
	"errors"

	"github.com/twmb/franz-go/pkg/kerr"
)

// ErrNotCoordinator reports a write to a transaction log partition this
// node no longer leads (answered NOT_COORDINATOR).
var ErrNotCoordinator = errors.New("txn: not the coordinator")

// ownerLocked is nil when this node serves the id's partition.
func (c *Coordinator) ownerLocked(id string) *kerr.Error {
	if c.cfg.Owner == nil {
		return nil
	}
	return c.cfg.Owner(PartitionFor(id, c.cfg.Partitions))
}

// Owner reports whether this node serves a transactional id: nil, or
// NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS.
func (c *Coordinator) Owner(id string) *kerr.Error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ownerLocked(id)
}

// LoadPartition replaces what the coordinator holds for partition p with
// the records replay hands to load (the partition's log, oldest first),
// then completes the transactions left in PrepareCommit or PrepareAbort,
// as Kafka's coordinator does when it takes a partition over. It returns
// how many it completed; those whose markers fail stay prepared for
// Recover to retry.
func (c *Coordinator) LoadPartition(p int32, replay func(load func(key, value []byte) error) error) (int, error) {
	c.mu.Lock()
	prepared, err := c.loadLocked(p, replay)
	c.mu.Unlock()
	return c.finishAll(prepared), err
}

func (c *Coordinator) loadLocked(p int32, replay func(load func(key, value []byte) error) error) ([]ending, error) {
	c.unloadLocked(p)
	err := replay(func(key, value []byte) error {
		id, m, err := DecodeRecord(key, value)
		switch {
		case err != nil:
			return err
		case PartitionFor(id, c.cfg.Partitions) != p:
			return nil // not this partition's (a changed partition count)
		case m == nil:
			delete(c.txns, id)
		default:
			c.txns[id] = m
		}
		return nil
	})
	if err != nil {
		c.unloadLocked(p)
		return nil, err
	}
	return c.takePreparedLocked(func(id string) bool { return PartitionFor(id, c.cfg.Partitions) == p }), nil
}

// UnloadPartition forgets the transactional ids of a partition this node
// no longer leads.
func (c *Coordinator) UnloadPartition(p int32) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.unloadLocked(p)
}

// unloadLocked forgets partition p's ids, their pending writes (whose
// waits answer NOT_COORDINATOR) and their finishing marks (the finishing
// callers find the state gone; a load finishes the prepared ones again).
func (c *Coordinator) unloadLocked(p int32) {
	for id := range c.txns {
		if PartitionFor(id, c.cfg.Partitions) == p {
			delete(c.txns, id)
		}
	}
	for id := range c.finishing {
		if PartitionFor(id, c.cfg.Partitions) == p {
			delete(c.finishing, id)
		}
	}
	c.dropPendingLocked(p)
}

// Partitions is the number of transaction log partitions.
func (c *Coordinator) Partitions() int32 { return c.cfg.Partitions }
