package share

import "fmt"

// Pruner is a store that can say where a batch went and delete what lies
// before an offset: how __share_group_state is kept small. A key's state
// is its last ShareSnapshot and the updates after it, so a partition's
// records before the oldest last snapshot of its keys are not needed.
type Pruner interface {
	AppendAt(partition int32, batch []byte) (int64, error)
	DeleteBefore(partition int32, offset int64) error
}

// PruneOffsets is, per partition of __share_group_state, the offset
// before which no record is needed; partitions with a key whose last
// snapshot offset is unknown are left out.
func (s *StateStore) PruneOffsets() map[int32]int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[int32]int64{}
	unknown := map[int32]bool{}
	for k, st := range s.mu.states {
		p := s.PartitionFor(k)
		if st.snapOffset < 0 {
			unknown[p] = true
			continue
		}
		if o, ok := out[p]; !ok || st.snapOffset < o {
			out[p] = st.snapOffset
		}
	}
	for p := range unknown {
		delete(out, p)
	}
	return out
}

// Prune deletes the records no key needs any more.
func (s *StateStore) Prune() error {
	pr, ok := s.store.(Pruner)
	if !ok {
		return nil
	}
	for p, off := range s.PruneOffsets() {
		if err := pr.DeleteBefore(p, off); err != nil {
			return fmt.Errorf("share: prune __share_group_state-%d: %w", p, err)
		}
	}
	return nil
}
