// Package record owns Kafka's RecordBatch (magic v2) format: parsing and
// validating batch headers and records (Validate follows Kafka's
// LogValidator for produce), iterating records (Iterate), building batches
// (Builder, Recompress), and compression in the exact formats Kafka and its
// clients use (gzip, snappy in xerial framing or raw, lz4 frames, zstd).
//
// It works on byte slices the caller owns and never does I/O. Parsing a
// batch header, validating or iterating uncompressed records allocates
// nothing; codecs are pooled, run no goroutines, and never inflate beyond
// MaxDecompressed. Every decoder here reads untrusted bytes and must never
// panic or hang on them (see the Fuzz targets).
//
// Errors match the sentinels ErrCorrupt, ErrShort, ErrCRC, ErrMagic,
// ErrInvalidRecord and ErrTooLarge through errors.Is. Mapping them to Kafka
// error codes is the broker's job: test ErrInvalidRecord (INVALID_RECORD)
// before ErrCorrupt (CORRUPT_MESSAGE).
//
// Not here: legacy magic v0/v1 message sets, which are reported as
// ErrMagic.
package record
