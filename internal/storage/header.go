package storage

import "encoding/binary"

// Offsets of RecordBatch header fields read on the append path, where the
// batches were already parsed once (see record.Header).
const (
	offLastOffsetDelta = 23
	offMaxTimestamp    = 35
)

func int64FromHeader(b []byte, off int) int64 { return int64(binary.BigEndian.Uint64(b[off:])) }
func int32FromHeader(b []byte, off int) int32 { return int32(binary.BigEndian.Uint32(b[off:])) }
