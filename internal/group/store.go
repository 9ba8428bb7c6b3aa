package group

// Store is the coordinator's persistence: the partitions of
// __consumer_offsets, which the broker owns.
type Store interface {
	// Write appends one record batch (offsets are assigned by the log) to
	// a partition and returns the log end offset after it, without
	// waiting for the ISR (see Await). The coordinator calls it under its
	// lock, so the log order is the order of its state changes.
	Write(partition int32, batch []byte) (end int64, err error)
	// WriteTransactional appends a transactional batch (TxnOffsetCommit)
	// after checking its producer epoch against the partition's producer
	// state; an older epoch fails with an error wrapping ErrProducerFenced.
	// It does not wait for the ISR either.
	WriteTransactional(partition int32, batch []byte) (end int64, err error)
	// Await returns once the ISR holds the partition's log up to end. It
	// is called without the coordinator's lock. A failed wait (leadership
	// lost, or the ISR did not take the records within
	// offsets.commit.timeout.ms) returns an error wrapping
	// ErrNotCoordinator, after the broker has stopped serving the
	// partition and queued its reload from the log (so the coordinator's
	// in-memory changes since are dropped with it); it must never call
	// into the coordinator.
	Await(partition int32, end int64) error
	// Replay calls fn with every record batch of a partition, in order.
	Replay(partition int32, fn func(batch []byte) error) error
}

// Metadata is the cluster's topics as the coordinator needs them: topic
// existence and ids for offsets, partition counts and names for the
// KIP-848 assignors.
type Metadata interface {
	// Topic reports a topic's id and partition count.
	Topic(name string) (id [16]byte, partitions int32, ok bool)
	// TopicByID reports a topic's name and partition count.
	TopicByID(id [16]byte) (name string, partitions int32, ok bool)
	// TopicNames lists every topic, sorted.
	TopicNames() []string
}
