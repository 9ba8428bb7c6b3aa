// Package txnindex owns the aborted-transaction index: the .txnindex file
// beside each segment, in Kafka's format (34-byte entries: version int16 0,
// producer id, first offset, last offset, last stable offset, all
// big-endian), plus an in-memory list of every aborted transaction of the
// partition that Fetch with isolation.level=read_committed consults.
//
// An entry is written to the file of the segment holding the abort marker.
// The package does its own file I/O but never reads the log; the caller
// serializes writes per partition (reads of the list take a lock).
package txnindex
