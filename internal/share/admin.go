package share

import (
	"github.com/twmb/franz-go/pkg/kerr"
)

// Empty reports whether a share group has no members.
func (c *Coordinator) Empty(groupID string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	g := c.mu.groups[groupID]
	return g == nil || len(g.members) == 0
}

// SetStart moves a share partition's start offset, forgetting what is in
// flight (AlterShareGroupOffsets). The group must be empty.
func (c *Coordinator) SetStart(k Key, offset int64) *kerr.Error {
	if !c.Empty(k.Group) {
		return kerr.NonEmptyGroup
	}
	epoch := int32(0)
	if st, ok := c.state.Read(k); ok {
		epoch = st.StateEpoch + 1
	}
	c.dropPart(k)
	if err := c.state.Initialize(k, epoch, offset); err != nil {
		return kerr.UnknownServerError
	}
	c.ensureGroup(k.Group) // altering offsets makes an empty group, as in Kafka
	return nil
}

// ensureGroup makes an empty share group unless it exists.
func (c *Coordinator) ensureGroup(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.mu.groups[id] == nil {
		c.mu.groups[id] = &shareGroup{id: id, members: map[string]*member{}}
	}
}

// DeleteStart deletes a share partition's state (DeleteShareGroupOffsets):
// it starts again by the auto offset reset. The group must be empty.
func (c *Coordinator) DeleteStart(k Key) *kerr.Error {
	if !c.Empty(k.Group) {
		return kerr.NonEmptyGroup
	}
	c.dropPart(k)
	if err := c.state.Delete(k); err != nil {
		return kerr.UnknownServerError
	}
	return nil
}

// dropPart forgets a live share partition, to be loaded again from its
// durable state.
func (c *Coordinator) dropPart(k Key) {
	c.mu.Lock()
	delete(c.mu.parts, k)
	c.mu.Unlock()
}

// Lag counts the records from a state's start up to end that are not
// acknowledged or archived.
func Lag(st PartitionState, end int64) int64 {
	if end <= st.Start {
		return 0
	}
	lag := end - st.Start
	for _, b := range st.Batches {
		if b.State != Acknowledged && b.State != Archived {
			continue
		}
		lo, hi := max(b.First, st.Start), min(b.Last, end-1)
		if hi >= lo {
			lag -= hi - lo + 1
		}
	}
	return lag
}
