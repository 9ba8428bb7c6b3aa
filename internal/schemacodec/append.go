package schemacodec

import (
	"encoding/binary"
	"math"
)

// AppendUvarint appends v as an unsigned varint.
func AppendUvarint(dst []byte, v uint64) []byte { return binary.AppendUvarint(dst, v) }

// AppendBool appends v as one byte, 1 or 0.
func AppendBool(dst []byte, v bool) []byte {
	if v {
		return append(dst, 1)
	}
	return append(dst, 0)
}

// AppendInt8 appends v as one byte.
func AppendInt8(dst []byte, v int8) []byte { return append(dst, byte(v)) }

// AppendInt16 appends v big-endian.
func AppendInt16(dst []byte, v int16) []byte { return binary.BigEndian.AppendUint16(dst, uint16(v)) }

// AppendUint16 appends v big-endian.
func AppendUint16(dst []byte, v uint16) []byte { return binary.BigEndian.AppendUint16(dst, v) }

// AppendInt32 appends v big-endian.
func AppendInt32(dst []byte, v int32) []byte { return binary.BigEndian.AppendUint32(dst, uint32(v)) }

// AppendUint32 appends v big-endian.
func AppendUint32(dst []byte, v uint32) []byte { return binary.BigEndian.AppendUint32(dst, v) }

// AppendInt64 appends v big-endian.
func AppendInt64(dst []byte, v int64) []byte { return binary.BigEndian.AppendUint64(dst, uint64(v)) }

// AppendUUID appends the 16 bytes of a Kafka Uuid.
func AppendUUID(dst []byte, v [16]byte) []byte { return append(dst, v[:]...) }

// AppendFloat64 appends v as a big-endian IEEE 754 float64.
func AppendFloat64(dst []byte, v float64) []byte {
	return binary.BigEndian.AppendUint64(dst, math.Float64bits(v))
}

// appendLen writes a length: compact (uvarint n+1, 0 for null) or classic
// (int16 for strings, int32 otherwise; -1 for null).
func appendLen(dst []byte, n int, null, flex, short bool) []byte {
	switch {
	case flex && null:
		return AppendUvarint(dst, 0)
	case flex:
		return AppendUvarint(dst, uint64(n)+1)
	case null:
		n = -1
	}
	if short {
		return AppendInt16(dst, int16(n))
	}
	return AppendInt32(dst, int32(n))
}

// AppendString appends a non-nullable string, compact when flex.
func AppendString(dst []byte, s string, flex bool) []byte {
	return append(appendLen(dst, len(s), false, flex, true), s...)
}

// AppendNullableString writes nil as null when the version allows it, else as "".
func AppendNullableString(dst []byte, s *string, nullable, flex bool) []byte {
	if s == nil {
		return appendLen(dst, 0, nullable, flex, true)
	}
	return AppendString(dst, *s, flex)
}

// AppendBytes writes nil as null when the version allows it, else as empty.
func AppendBytes(dst []byte, b []byte, nullable, flex bool) []byte {
	return append(appendLen(dst, len(b), nullable && b == nil, flex, false), b...)
}

// AppendArrayLen appends an array length, or null when null is true.
func AppendArrayLen(dst []byte, n int, null, flex bool) []byte {
	return appendLen(dst, n, null, flex, false)
}

// InsertSize inserts, at start, the uvarint length of dst[start:]: a tagged field's size prefix.
func InsertSize(dst []byte, start int) []byte {
	n := len(dst) - start
	var buf [binary.MaxVarintLen64]byte
	k := binary.PutUvarint(buf[:], uint64(n))
	dst = append(dst, buf[:k]...)
	copy(dst[start+k:], dst[start:start+n])
	copy(dst[start:], buf[:k])
	return dst
}
