package share

import (
	"encoding/binary"
	"fmt"
	"sort"

	"github.com/gofka/gofka/internal/share/sharerec"
)

// replayLocked applies one record of __share_group_state: a snapshot
// replaces a key's state, an update merges into it, a tombstone deletes
// it. Records of unknown types are skipped, as Kafka does.
func (s *StateStore) replayLocked(offset int64, key, value []byte) error {
	if len(key) < 2 {
		return fmt.Errorf("%w: key of %d bytes", ErrCorruptRecord, len(key))
	}
	typ := int16(binary.BigEndian.Uint16(key))
	if typ != keySnapshot && typ != keyUpdate {
		return nil
	}
	k, err := decodeKey(typ, key[2:])
	if err != nil {
		return err
	}
	if value == nil {
		delete(s.mu.states, k)
		return nil
	}
	if len(value) < 2 || binary.BigEndian.Uint16(value) != 0 {
		return fmt.Errorf("%w: value version of %s", ErrCorruptRecord, k)
	}
	if typ == keySnapshot {
		return s.replaySnapshotLocked(k, offset, value[2:])
	}
	return s.replayUpdateLocked(k, value[2:])
}

func decodeKey(typ int16, body []byte) (Key, error) {
	if typ == keySnapshot {
		var r sharerec.ShareSnapshotKey
		if err := r.ReadFrom(body, typ); err != nil {
			return Key{}, fmt.Errorf("%w: snapshot key: %w", ErrCorruptRecord, err)
		}
		return Key{r.GroupID, r.TopicID, r.Partition}, nil
	}
	var r sharerec.ShareUpdateKey
	if err := r.ReadFrom(body, typ); err != nil {
		return Key{}, fmt.Errorf("%w: update key: %w", ErrCorruptRecord, err)
	}
	return Key{r.GroupID, r.TopicID, r.Partition}, nil
}

func (s *StateStore) replaySnapshotLocked(k Key, offset int64, body []byte) error {
	var v sharerec.ShareSnapshotValue
	if err := v.ReadFrom(body, 0); err != nil {
		return fmt.Errorf("%w: snapshot of %s: %w", ErrCorruptRecord, k, err)
	}
	s.mu.states[k] = &stored{
		PartitionState: PartitionState{StateEpoch: v.StateEpoch, LeaderEpoch: v.LeaderEpoch, Start: v.StartOffset,
			Batches: mergeBatches(nil, fromRecBatches(v.StateBatches), v.StartOffset)},
		snapshotEpoch: v.SnapshotEpoch,
		snapOffset:    offset,
	}
	return nil
}

// replayUpdateLocked merges an update; one without a snapshot before it
// (its snapshot was pruned away, or it is stray) is skipped.
func (s *StateStore) replayUpdateLocked(k Key, body []byte) error {
	var v sharerec.ShareUpdateValue
	if err := v.ReadFrom(body, 0); err != nil {
		return fmt.Errorf("%w: update of %s: %w", ErrCorruptRecord, k, err)
	}
	st := s.mu.states[k]
	if st == nil || v.SnapshotEpoch != st.snapshotEpoch {
		return nil
	}
	if v.StartOffset >= 0 {
		st.Start = max(st.Start, v.StartOffset)
	}
	st.LeaderEpoch = max(st.LeaderEpoch, v.LeaderEpoch)
	st.Batches = mergeBatches(st.Batches, fromRecBatches(v.StateBatches), st.Start)
	st.updates++
	return nil
}

// mergeBatches overlays newer batches on older ones, drops what lies
// before start, and joins neighbours of equal state and count. Batches
// with bad bounds are dropped.
func mergeBatches(old, newer []Batch, start int64) []Batch {
	var out []Batch
	for _, o := range old {
		out = append(out, subtract(o, newer)...)
	}
	for _, n := range newer {
		if n.First <= n.Last {
			out = append(out, n)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].First < out[j].First })
	return coalesce(out, start)
}

// subtract is what remains of b outside every batch of cut.
func subtract(b Batch, cut []Batch) []Batch {
	parts := []Batch{b}
	for _, c := range cut {
		var next []Batch
		for _, p := range parts {
			if c.Last < p.First || c.First > p.Last || c.First > c.Last {
				next = append(next, p)
				continue
			}
			if p.First < c.First {
				next = append(next, Batch{p.First, c.First - 1, p.State, p.Count})
			}
			if p.Last > c.Last {
				next = append(next, Batch{c.Last + 1, p.Last, p.State, p.Count})
			}
		}
		parts = next
	}
	return parts
}

func coalesce(sorted []Batch, start int64) []Batch {
	var out []Batch
	for _, b := range sorted {
		if b.Last < start {
			continue
		}
		b.First = max(b.First, start)
		if n := len(out); n > 0 && out[n-1].Last+1 == b.First && out[n-1].State == b.State && out[n-1].Count == b.Count {
			out[n-1].Last = b.Last
			continue
		}
		out = append(out, b)
	}
	return out
}
