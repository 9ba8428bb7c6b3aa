// Package cleaner is the log cleaner: it compacts the logs of topics with
// cleanup.policy=compact (or compact,delete), keeping the latest record of
// every key, as Kafka's LogCleaner does.
//
// A cleaning pass over one log, the "filthiest" by dirty ratio:
//
//  1. The cleanable range runs from the log start to the first uncleanable
//     offset: the active segment, the first segment younger than
//     min.compaction.lag.ms, or the first offset of a transaction with no
//     marker yet. The dirty part starts at the cleaner checkpoint.
//  2. A scan of the range's batch headers finds the aborted transactions
//     (the ranges .txnindex would hold) and each producer's last batch.
//  3. An OffsetMap — a fixed-size open-addressing table of MD5(key) to
//     offset, Kafka's SkimpyOffsetMap — is filled from the dirty part until
//     it is full (log.cleaner.dedupe.buffer.size split over the threads).
//  4. The segments below the map's end are cleaned in groups no larger
//     than one segment: a record is kept when no later record has its key;
//     aborted transactional batches are dropped; tombstones and markers of
//     emptied transactions get a delete horizon (now + delete.retention.ms)
//     and are dropped by the first pass after it; a producer's emptied last
//     batch is kept as an empty batch so its sequence survives.
//  5. Each group is written as <base>.log.cleaned and swapped in through
//     storage.Log.ReplaceSegments (.cleaned, .swap, .deleted renames that
//     Open completes after a crash); the checkpoint moves to the map's end.
//
// Memory is bounded: the OffsetMap is allocated once per thread, reads go
// through one fixed buffer and writes are flushed every I/O buffer, so a
// pass over any log size needs the map plus a few buffers (and the
// largest batch). Reads and writes are throttled to
// log.cleaner.io.max.bytes.per.second.
//
// Lock order: Cleaner.mu, then the storage Manager's and Log's locks
// (grabFilthiest lists logs under Cleaner.mu); a pass holds no lock of
// its own while it reads and writes.
//
// The package never changes a log except through ReplaceSegments and
// SetCleanerCheckpoint, and never holds a storage lock while reading.
package cleaner
