package group

import "errors"

var (
	// ErrClosed is returned by calls on a closed Coordinator.
	ErrClosed = errors.New("group: coordinator closed")
	// ErrCorruptRecord reports a __consumer_offsets record that does not decode.
	ErrCorruptRecord = errors.New("group: corrupt record")
	// ErrRecordTooLarge reports a group write larger than MaxRecordBytes.
	ErrRecordTooLarge = errors.New("group: record too large")
	// ErrProducerFenced reports a transactional write from a producer
	// epoch older than the one the partition has seen.
	ErrProducerFenced = errors.New("group: producer fenced")
	// ErrNotCoordinator reports a write to a __consumer_offsets partition
	// this node no longer leads (answered NOT_COORDINATOR).
	ErrNotCoordinator = errors.New("group: not the coordinator")
)
