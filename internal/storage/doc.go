// Package storage owns the partition log in Kafka's exact on-disk format.
//
// A partition lives in <logdir>/<topic>-<partition>/ as a sequence of
// segments, each named by its 20-digit zero-padded base offset:
//
//	00000000000000000000.log        RecordBatches exactly as appended
//	00000000000000000000.index      sparse offset index: 4-byte relative offset, 4-byte position
//	00000000000000000000.timeindex  sparse time index: 8-byte timestamp, 4-byte relative offset
//	leader-epoch-checkpoint         the leader epoch cache
//	partition.metadata              the topic id
//
// Index entries are added when more than index.interval.bytes were written
// since the last one, pointing at batch boundaries, as Kafka's LogSegment
// does; the active segment's index files are preallocated to
// segment.index.bytes and trimmed when the segment rolls or closes. Index
// entries are also kept in memory, which answers every lookup, so a flushed
// inactive segment keeps only its .log open (index.release), as Kafka does.
//
// Log is one partition: Append assigns offsets and writes under one mutex;
// Read, the timestamp lookups and the offset accessors are lock-free, working
// on an immutable segment list and atomically published offsets. Open
// recovers a log after a crash by rescanning from the recovery point,
// validating every batch and truncating a torn or corrupt tail. Manager owns
// the log directories: their locks, the checkpoint files, the clean shutdown
// marker and the background retention, checkpoint and flush goroutines.
//
// The log cleaner (internal/storage/cleaner) works through clean.go: it
// reads closed segments, writes a <base>.log.cleaned segment and swaps it
// in with ReplaceSegments (.cleaned -> .swap, old -> .deleted, .swap ->
// final), which Open completes or discards after a crash
// (clean_recover.go). The Manager writes cleaner-offset-checkpoint. With
// several log dirs MoveLog (move.go, move_copy.go) copies a live
// partition to another dir through a "-future" directory and swaps it in,
// and MarkDirOffline (manager_dirs.go) takes a failed dir's logs offline;
// flush and checkpoint I/O errors call it too (faults.go).
//
// Lock order: Manager.mu, then Log.mu, then Log.flushMu, then the epoch
// cache's, the deleter's and each index's file-handle mutexes (leaves).
// Flush takes only flushMu, so fsyncs never block appends.
//
// The package never parses individual records and never decompresses: it
// works on batch headers only. Offset validation, compression and
// idempotence checks are the caller's (internal/record, internal/broker).
// Index contents are kept in memory (the bytes on disk are Kafka's); log data
// is never copied through Go memory on the read path: Read returns a file
// region for sendfile.
package storage
