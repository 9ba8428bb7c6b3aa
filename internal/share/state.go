package share

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/gofka/gofka/internal/group"
	"github.com/gofka/gofka/internal/share/sharerec"
)

// Key names the durable state of one share partition.
type Key struct {
	Group     string
	TopicID   [16]byte
	Partition int32
}

// String is Kafka's share coordinator key, "group:topicId:partition",
// with the topic id in Kafka's base64 form.
func (k Key) String() string {
	return k.Group + ":" + base64.RawURLEncoding.EncodeToString(k.TopicID[:]) + ":" + strconv.Itoa(int(k.Partition))
}

// PartitionState is the durable state of one share partition.
type PartitionState struct {
	StateEpoch  int32
	LeaderEpoch int32
	Start       int64
	Batches     []Batch
}

// stored is a state with its snapshot bookkeeping.
type stored struct {
	PartitionState
	snapshotEpoch uint16
	updates       int   // ShareUpdate records since the last snapshot
	snapOffset    int64 // where the last snapshot is, -1 when unknown
}

// StateConfig are the share coordinator's settings.
type StateConfig struct {
	// NumPartitions is share.coordinator.state.topic.num.partitions.
	NumPartitions int32
	// UpdatesPerSnapshot is
	// share.coordinator.snapshot.update.records.per.snapshot.
	UpdatesPerSnapshot int
}

// StateStore is the share coordinator: the durable state of every share
// partition, written to and replayed from __share_group_state through a
// Log. Each write is a ShareUpdate record, every UpdatesPerSnapshot-th a
// ShareSnapshot.
type StateStore struct {
	cfg   StateConfig
	store Log
	now   func() time.Time

	mu struct {
		sync.Mutex
		states map[Key]*stored
	}
}

// Log is the partitions of __share_group_state, which the broker owns.
type Log interface {
	// Append appends one record batch to a partition and returns once
	// the ISR holds it.
	Append(partition int32, batch []byte) error
	// Replay calls fn with every record batch of a partition, in order.
	Replay(partition int32, fn func(batch []byte) error) error
}

// NewStateStore returns an empty store; Load fills it.
func NewStateStore(cfg StateConfig, store Log, now func() time.Time) *StateStore {
	s := &StateStore{cfg: cfg, store: store, now: now}
	s.mu.states = map[Key]*stored{}
	return s
}

// NumPartitions is the partition count of __share_group_state.
func (s *StateStore) NumPartitions() int32 { return s.cfg.NumPartitions }

// PartitionFor is the __share_group_state partition of a key.
func (s *StateStore) PartitionFor(k Key) int32 {
	return group.PartitionFor(k.String(), s.cfg.NumPartitions)
}

// Load replays every partition of __share_group_state.
func (s *StateStore) Load() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for p := int32(0); p < s.cfg.NumPartitions; p++ {
		err := s.store.Replay(p, func(b []byte) error { return group.EachRecord(b, s.replayLocked) })
		if err != nil {
			return fmt.Errorf("share: load __share_group_state-%d: %w", p, err)
		}
	}
	return nil
}

// Read returns a copy of a key's state.
func (s *StateStore) Read(k Key) (PartitionState, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.mu.states[k]
	if st == nil {
		return PartitionState{}, false
	}
	out := st.PartitionState
	out.Batches = append([]Batch(nil), st.Batches...)
	return out, true
}

// Keys lists the keys of a group, or of every group with group "".
func (s *StateStore) Keys(groupID string) []Key {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Key
	for k := range s.mu.states {
		if groupID == "" || k.Group == groupID {
			out = append(out, k)
		}
	}
	sort.Slice(out, func(i, j int) bool { return keyLess(out[i], out[j]) })
	return out
}

func keyLess(a, b Key) bool {
	if a.Group != b.Group {
		return a.Group < b.Group
	}
	if a.TopicID != b.TopicID {
		return string(a.TopicID[:]) < string(b.TopicID[:])
	}
	return a.Partition < b.Partition
}

// Initialize sets a key's state anew (InitializeShareGroupState, and
// AlterShareGroupOffsets): a snapshot with nothing in flight.
func (s *StateStore) Initialize(k Key, stateEpoch int32, start int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := &stored{PartitionState: PartitionState{StateEpoch: stateEpoch, LeaderEpoch: -1, Start: start}}
	if old := s.mu.states[k]; old != nil {
		st.snapshotEpoch = old.snapshotEpoch + 1
	}
	return s.snapshotLocked(k, st)
}

// Write merges a partition's new start offset (-1 for unchanged) and
// batches into its state (WriteShareGroupState) and persists the result
// before returning.
func (s *StateStore) Write(k Key, leaderEpoch int32, start int64, batches []Batch) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.mu.states[k]
	if old == nil {
		return fmt.Errorf("%w: no state for %s", ErrUnknownState, k)
	}
	next := *old
	if start >= 0 {
		next.Start = max(start, old.Start)
	}
	next.LeaderEpoch = max(leaderEpoch, old.LeaderEpoch)
	next.Batches = mergeBatches(old.Batches, batches, next.Start)
	if old.updates+1 >= s.cfg.UpdatesPerSnapshot {
		next.snapshotEpoch, next.updates = old.snapshotEpoch+1, 0
		return s.snapshotLocked(k, &next)
	}
	next.updates++
	v := sharerec.ShareUpdateValue{SnapshotEpoch: next.snapshotEpoch, LeaderEpoch: next.LeaderEpoch, StartOffset: start, StateBatches: recBatches(batches)}
	if err := s.appendLocked(k, updateKey(k), versioned(v.AppendTo(nil, 0))); err != nil {
		return err
	}
	s.mu.states[k] = &next
	return nil
}

// Delete removes a key's state with tombstones (DeleteShareGroupState).
func (s *StateStore) Delete(k Key) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.mu.states[k] == nil {
		return nil
	}
	recs := []group.Record{{Key: snapshotKey(k)}, {Key: updateKey(k)}}
	if err := s.appendRecsLocked(k, recs); err != nil {
		return err
	}
	delete(s.mu.states, k)
	return nil
}

func (s *StateStore) snapshotLocked(k Key, st *stored) error {
	v := sharerec.ShareSnapshotValue{
		SnapshotEpoch: st.snapshotEpoch, StateEpoch: st.StateEpoch, LeaderEpoch: st.LeaderEpoch,
		StartOffset: st.Start, StateBatches: recBatches(st.Batches),
	}
	off, err := s.appendAtLocked(k, []group.Record{{Key: snapshotKey(k), Value: versioned(v.AppendTo(nil, 0))}})
	if err != nil {
		return err
	}
	st.snapOffset = off
	s.mu.states[k] = st
	return nil
}

func (s *StateStore) appendLocked(k Key, key, value []byte) error {
	return s.appendRecsLocked(k, []group.Record{{Key: key, Value: value}})
}

func (s *StateStore) appendRecsLocked(k Key, recs []group.Record) error {
	_, err := s.appendAtLocked(k, recs)
	return err
}

// appendAtLocked writes records and returns the first one's offset, -1
// when the store does not tell.
func (s *StateStore) appendAtLocked(k Key, recs []group.Record) (int64, error) {
	b, err := group.BuildBatch(recs, s.now().UnixMilli())
	if err != nil {
		return -1, err
	}
	p, off := s.PartitionFor(k), int64(-1)
	if pr, ok := s.store.(Pruner); ok {
		off, err = pr.AppendAt(p, b)
	} else {
		err = s.store.Append(p, b)
	}
	if err != nil {
		return -1, fmt.Errorf("share: write state of %s: %w", k, err)
	}
	return off, nil
}

// Record key types of __share_group_state.
const (
	keySnapshot = 0
	keyUpdate   = 1
)

func snapshotKey(k Key) []byte {
	r := sharerec.ShareSnapshotKey{GroupID: k.Group, TopicID: k.TopicID, Partition: k.Partition}
	return r.AppendTo(binary.BigEndian.AppendUint16(nil, keySnapshot), keySnapshot)
}

func updateKey(k Key) []byte {
	r := sharerec.ShareUpdateKey{GroupID: k.Group, TopicID: k.TopicID, Partition: k.Partition}
	return r.AppendTo(binary.BigEndian.AppendUint16(nil, keyUpdate), keyUpdate)
}

// versioned prefixes a value body with its version (0), as Kafka writes
// coordinator record values.
func versioned(body []byte) []byte { return append([]byte{0, 0}, body...) }

func recBatches(bs []Batch) []sharerec.StateBatch {
	out := make([]sharerec.StateBatch, len(bs))
	for i, b := range bs {
		out[i] = sharerec.StateBatch{FirstOffset: b.First, LastOffset: b.Last, DeliveryState: int8(b.State), DeliveryCount: b.Count}
	}
	return out
}

func fromRecBatches(bs []sharerec.StateBatch) []Batch {
	out := make([]Batch, len(bs))
	for i, b := range bs {
		out[i] = Batch{First: b.FirstOffset, Last: b.LastOffset, State: State(b.DeliveryState), Count: b.DeliveryCount}
	}
	return out
}
