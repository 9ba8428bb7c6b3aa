package record

import (
	"encoding/binary"
	"fmt"
)

// Recompress appends batch re-encoded with codec c to dst, as the broker
// does when a topic's compression.type differs from the producer's. The
// records are not re-encoded, only recompressed: base offset, timestamps,
// producer fields, leader epoch and the attributes other than the codec
// stay as they are; the length and CRC are recomputed. batch must be a
// full valid batch (see Validate); scratch receives the decompressed
// records and is returned for reuse.
func Recompress(dst []byte, batch []byte, c Codec, scratch []byte) (out []byte, newScratch []byte, err error) {
	if c < CodecNone || c > CodecZstd {
		return dst, scratch, fmt.Errorf("record: recompress: unknown codec %d", int8(c))
	}
	h, records, scratch, err := openBatch(batch, scratch)
	if err != nil {
		return dst, scratch, err
	}
	start := len(dst)
	dst = append(dst, batch[:HeaderSize]...)
	// An empty batch (left by compaction) keeps no records section,
	// whatever its codec.
	if len(records) > 0 {
		if dst, err = Compress(dst, c, records); err != nil {
			return dst[:start], scratch, err
		}
	}
	out = dst[start:]
	attrs := uint16(h.Attributes)&^attrCompressionMask | uint16(c)
	binary.BigEndian.PutUint16(out[offAttributes:], attrs)
	binary.BigEndian.PutUint32(out[offLength:], uint32(len(out)-LogOverhead))
	binary.BigEndian.PutUint32(out[offCRC:], ComputeCRC(out))
	return dst, scratch, nil
}
