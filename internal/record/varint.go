package record

// Kafka's varints are zigzag encoded (protobuf sint32/sint64). A varint
// takes at most 5 bytes and a varlong at most 10, as in Kafka's ByteUtils:
// like Java, bits beyond the value's width in the last byte are dropped.
const (
	maxVarintLen  = 5
	maxVarlongLen = 10
)

// readVarint decodes a zigzag varint from b. n is the bytes read; 0 means
// b ended first, -1 means the varint is longer than 5 bytes.
func readVarint(b []byte) (v int32, n int) {
	var u uint32
	for i := 0; i < maxVarintLen; i++ {
		if i >= len(b) {
			return 0, 0
		}
		c := b[i]
		u |= uint32(c&0x7f) << (7 * i)
		if c < 0x80 {
			return int32(u>>1) ^ -int32(u&1), i + 1
		}
	}
	return 0, -1
}

// readVarlong decodes a zigzag varlong from b, like readVarint.
func readVarlong(b []byte) (v int64, n int) {
	var u uint64
	for i := 0; i < maxVarlongLen; i++ {
		if i >= len(b) {
			return 0, 0
		}
		c := b[i]
		u |= uint64(c&0x7f) << (7 * i)
		if c < 0x80 {
			return int64(u>>1) ^ -int64(u&1), i + 1
		}
	}
	return 0, -1
}

// appendVarint appends v as a zigzag varint.
func appendVarint(b []byte, v int32) []byte {
	return appendUvarint(b, uint64(uint32(v<<1)^uint32(v>>31)))
}

// appendVarlong appends v as a zigzag varlong.
func appendVarlong(b []byte, v int64) []byte {
	return appendUvarint(b, uint64(v<<1)^uint64(v>>63))
}

func appendUvarint(b []byte, u uint64) []byte {
	for u >= 0x80 {
		b = append(b, byte(u)|0x80)
		u >>= 7
	}
	return append(b, byte(u))
}

// sizeVarint is the encoded size of v as a zigzag varint.
func sizeVarint(v int32) int { return sizeUvarint(uint64(uint32(v<<1) ^ uint32(v>>31))) }

// sizeVarlong is the encoded size of v as a zigzag varlong.
func sizeVarlong(v int64) int { return sizeUvarint(uint64(v<<1) ^ uint64(v>>63)) }

func sizeUvarint(u uint64) int {
	n := 1
	for u >= 0x80 {
		u >>= 7
		n++
	}
	return n
}
