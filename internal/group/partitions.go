package group

// Partition ownership, as Kafka's coordinator runtime: the coordinator
// serves the groups of the __consumer_offsets partitions this node leads.
// The broker loads a partition (LoadPartition) when it becomes its leader
// and unloads it (UnloadPartition) when it stops leading it; Config.Owner
// says which partitions are served at any moment, so a request for a group
// of another partition answers NOT_COORDINATOR (the client looks the
// coordinator up again) and one for a partition being loaded
// COORDINATOR_LOAD_IN_PROGRESS.

import (
	"errors"

	"github.com/twmb/franz-go/pkg/kerr"
)

// availLocked is the error a request for a group answers before any other
// check: COORDINATOR_NOT_AVAILABLE once closed, else the partition's
// ownership. A served group's partition is touched: the request answers
// once the ISR holds what was written to it (pending.go). Requires c.mu.
func (c *Coordinator) availLocked(groupID string) *kerr.Error {
	if c.mu.closed {
		return kerr.CoordinatorNotAvailable
	}
	if err := c.ownerLocked(groupID); err != nil {
		return err
	}
	c.touchLocked(c.PartitionFor(groupID))
	return nil
}

// ownerLocked is nil when this node serves the group's partition.
func (c *Coordinator) ownerLocked(groupID string) *kerr.Error {
	if c.cfg.Owner == nil {
		return nil
	}
	return c.cfg.Owner(c.PartitionFor(groupID))
}

// writeErrCode is the code a failed write answers: NOT_COORDINATOR when
// the partition's leadership was lost under it, else fallback.
func writeErrCode(err error, fallback *kerr.Error) *kerr.Error {
	if errors.Is(err, ErrNotCoordinator) {
		return kerr.NotCoordinator
	}
	return fallback
}

// LoadPartition replays one __consumer_offsets partition into memory
// (dropping what was held for it before), then arms the session timers of
// its loaded members. The broker calls it once it leads the partition,
// before Owner reports the partition served.
func (c *Coordinator) LoadPartition(p int32) error {
	var err error
	c.do(func() {
		c.unloadLocked(p, kerr.NotCoordinator)
		err = c.loadLocked(p)
		clear(c.mu.touched) // loading waits for nothing
		if err != nil {
			c.unloadLocked(p, kerr.NotCoordinator)
		}
	})
	return err
}

func (c *Coordinator) loadLocked(p int32) error {
	c.mu.loading = nil
	err := c.store.Replay(p, func(b []byte) error { return c.replayBatch(p, b) })
	if err == nil {
		err = c.buildLoaded()
	}
	c.mu.loading = nil
	if err != nil {
		return err
	}
	c.armLoaded(p)
	if c.mu.expiry == nil && !c.mu.closed {
		c.armExpiry()
	}
	return nil
}

// UnloadPartition forgets the groups of a partition this node no longer
// leads: parked JoinGroup and SyncGroup requests answer NOT_COORDINATOR,
// timers stop and pending transactional offsets are dropped (the new
// leader replays them from the log).
func (c *Coordinator) UnloadPartition(p int32) {
	c.do(func() { c.unloadLocked(p, kerr.NotCoordinator) })
}

func (c *Coordinator) unloadLocked(p int32, err *kerr.Error) {
	c.resetWritesLocked(p)
	for id, g := range c.mu.groups {
		if c.PartitionFor(id) != p {
			continue
		}
		c.answerParked(g, err)
		g.stopTimers()
		delete(c.mu.groups, id)
	}
	for pid, byGroup := range c.mu.pending {
		for id := range byGroup {
			if c.PartitionFor(id) == p {
				delete(byGroup, id)
			}
		}
		if len(byGroup) == 0 {
			delete(c.mu.pending, pid)
		}
	}
}

// answerParked answers a group's parked JoinGroup and SyncGroup requests
// with err.
func (c *Coordinator) answerParked(g *group, err *kerr.Error) {
	for _, m := range g.classic.members {
		c.fenceCallbacksWith(m, err)
	}
}
