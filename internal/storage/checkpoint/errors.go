package checkpoint

import "errors"

// ErrMalformed reports a checkpoint, metadata or properties file whose content
// does not follow Kafka's format: wrong version, bad count, malformed line,
// missing required key.
var ErrMalformed = errors.New("checkpoint: malformed file")

// ErrInvalidUUID reports a string that is not a Kafka Uuid (22 characters of
// URL-safe base64 encoding 16 bytes).
var ErrInvalidUUID = errors.New("checkpoint: invalid uuid")

// ErrInvalidTopicPartition reports a topic or partition that cannot be stored:
// an illegal topic name, a negative partition or a directory name that does
// not name a partition.
var ErrInvalidTopicPartition = errors.New("checkpoint: invalid topic partition")
