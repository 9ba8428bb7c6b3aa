package metadata

// Machine applies committed metadata batches to the images of a Publisher:
// the state machine of the metadata quorum (it satisfies raft.StateMachine).
type Machine struct {
	Pub       *Publisher
	ClusterID string
}

// Apply publishes the current image with recs applied.
func (m *Machine) Apply(lastOffset int64, recs []Record) error {
	next, err := m.Pub.Current().Apply(lastOffset, recs)
	if err != nil {
		return err
	}
	m.Pub.Publish(next)
	return nil
}

// Restore publishes the image a snapshot's records build.
func (m *Machine) Restore(lastOffset int64, recs []Record) error {
	next, err := Empty().WithClusterID(m.ClusterID).Apply(lastOffset, recs)
	if err != nil {
		return err
	}
	m.Pub.Publish(next)
	return nil
}

// Snapshot returns the records of the current image.
func (m *Machine) Snapshot() []Record { return m.Pub.Current().Records() }
