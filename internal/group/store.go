package group

// Store is the coordinator's persistence: the partitions of
// __consumer_offsets, which the broker owns.
type Store interface {
	// Append appends one record batch (offsets are assigned by the log) to
	// a partition and returns once it is durable.
	Append(partition int32, batch []byte) error
	// AppendTransactional appends a transactional batch (TxnOffsetCommit)
	// after checking its producer epoch against the partition's producer
	// state; an older epoch fails with an error wrapping ErrProducerFenced.
	AppendTransactional(partition int32, batch []byte) error
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
