package share

import (
	"github.com/twmb/franz-go/pkg/kerr"
)

// The share coordinator APIs (InitializeShareGroupState,
// ReadShareGroupState, WriteShareGroupState, DeleteShareGroupState,
// ReadShareGroupStateSummary) over the store, with Kafka's fencing: an
// older state epoch is FENCED_STATE_EPOCH, an older leader epoch
// FENCED_LEADER_EPOCH. A key never initialized reads as start offset -1.

// InitializeAPI sets a key's state at a new state epoch.
func (c *Coordinator) InitializeAPI(k Key, stateEpoch int32, start int64) *kerr.Error {
	if st, ok := c.state.Read(k); ok && stateEpoch <= st.StateEpoch {
		return kerr.FencedStateEpoch
	}
	c.dropPart(k)
	if c.state.Initialize(k, stateEpoch, start) != nil {
		return kerr.UnknownServerError
	}
	return nil
}

// ReadAPI returns a key's state, first raising its leader epoch to
// leaderEpoch (-1 for none).
func (c *Coordinator) ReadAPI(k Key, leaderEpoch int32) (PartitionState, *kerr.Error) {
	st, ok := c.state.Read(k)
	switch {
	case !ok:
		return PartitionState{StateEpoch: 0, LeaderEpoch: -1, Start: -1}, nil
	case leaderEpoch >= 0 && leaderEpoch < st.LeaderEpoch:
		return PartitionState{}, kerr.FencedLeaderEpoch
	case leaderEpoch > st.LeaderEpoch:
		if c.state.Write(k, leaderEpoch, -1, nil) != nil {
			return PartitionState{}, kerr.UnknownServerError
		}
		st.LeaderEpoch = leaderEpoch
	}
	return st, nil
}

// WriteAPI merges a write into a key's state; a key never initialized is
// initialized at the write's state epoch and start offset first.
func (c *Coordinator) WriteAPI(k Key, stateEpoch, leaderEpoch int32, start int64, batches []Batch) *kerr.Error {
	st, ok := c.state.Read(k)
	switch {
	case !ok:
		if c.state.Initialize(k, stateEpoch, max(start, 0)) != nil {
			return kerr.UnknownServerError
		}
	case stateEpoch < st.StateEpoch:
		return kerr.FencedStateEpoch
	case leaderEpoch >= 0 && leaderEpoch < st.LeaderEpoch:
		return kerr.FencedLeaderEpoch
	}
	for _, b := range batches {
		if b.First > b.Last || (b.State != Available && b.State != Acknowledged && b.State != Archived) {
			return kerr.InvalidRequest
		}
	}
	c.dropPart(k)
	if c.state.Write(k, leaderEpoch, start, batches) != nil {
		return kerr.UnknownServerError
	}
	return nil
}

// DeleteAPI deletes a key's state.
func (c *Coordinator) DeleteAPI(k Key) *kerr.Error {
	c.dropPart(k)
	if c.state.Delete(k) != nil {
		return kerr.UnknownServerError
	}
	return nil
}
