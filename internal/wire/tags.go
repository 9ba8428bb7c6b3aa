package wire

import (
	"encoding/binary"
	"fmt"
)

// skipTags skips a KIP-482 tagged-field section: an unsigned varint count,
// then per field an unsigned varint tag, an unsigned varint size and size
// bytes.
func skipTags(b []byte) ([]byte, error) {
	n, b, err := uvarint(b)
	if err != nil {
		return nil, err
	}
	for ; n > 0; n-- {
		if _, b, err = uvarint(b); err != nil {
			return nil, err
		}
		var size uint64
		if size, b, err = uvarint(b); err != nil {
			return nil, err
		}
		if size > uint64(len(b)) {
			return nil, fmt.Errorf("%w: tagged field of %d bytes exceeds frame", ErrDecode, size)
		}
		b = b[size:]
	}
	return b, nil
}

// uvarint reads one unsigned varint of at most 32 bits, as Kafka's
// ByteUtils.readUnsignedVarint does.
func uvarint(b []byte) (uint64, []byte, error) {
	v, n := binary.Uvarint(b)
	if n <= 0 || n > 5 || v > 0xffffffff {
		return 0, nil, fmt.Errorf("%w: bad tagged-field varint", ErrDecode)
	}
	return v, b[n:], nil
}

// SkipTags skips a tagged-field section at the start of b, returning what
// follows; a count or size beyond b is an error (never a long loop).
func SkipTags(b []byte) ([]byte, error) { return skipTags(b) }
