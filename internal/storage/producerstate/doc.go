// Package producerstate owns one partition's idempotent and transactional
// producer state, as Kafka's ProducerStateManager keeps it: per producer id
// the epoch, the metadata of the last five appended batches (so retried
// batches are answered with their original offsets), the coordinator epoch
// of the last marker and the first offset of the producer's ongoing
// transaction. From the ongoing transactions it derives the first unstable
// offset, which bounds the last stable offset.
//
// State is a deterministic state machine with no I/O: Check validates an
// incoming batch, Append records it after the log assigned its offsets, and
// Marker completes a transaction. Snapshots are written and read in Kafka's
// .snapshot format (version 1, CRC-32C) by WriteSnapshot and ReadSnapshot;
// the caller decides when (at segment roll and clean shutdown) and replays
// the log after the latest snapshot on open.
//
// The package never reads the log and never takes locks: the caller
// serializes calls per partition.
package producerstate
