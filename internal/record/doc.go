// Package record owns Kafka's RecordBatch (magic v2) format: parsing and
// validating batch headers and records, building batches, and compression
// (gzip, snappy, lz4, zstd).
//
// It works on byte slices the caller owns and never does I/O. Parsing a
// batch header or walking uncompressed records allocates nothing.
package record
