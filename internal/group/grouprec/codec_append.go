package grouprec

import (
	"encoding/binary"
	"math"
)

// Append helpers for Kafka's message encodings, used by the generated codecs.

func appendUvarint(dst []byte, v uint64) []byte { return binary.AppendUvarint(dst, v) }

func appendBool(dst []byte, v bool) []byte {
	if v {
		return append(dst, 1)
	}
	return append(dst, 0)
}

func appendInt8(dst []byte, v int8) []byte     { return append(dst, byte(v)) }
func appendInt16(dst []byte, v int16) []byte   { return binary.BigEndian.AppendUint16(dst, uint16(v)) }
func appendUint16(dst []byte, v uint16) []byte { return binary.BigEndian.AppendUint16(dst, v) }
func appendInt32(dst []byte, v int32) []byte   { return binary.BigEndian.AppendUint32(dst, uint32(v)) }
func appendInt64(dst []byte, v int64) []byte   { return binary.BigEndian.AppendUint64(dst, uint64(v)) }
func appendUUID(dst []byte, v UUID) []byte     { return append(dst, v[:]...) }

func appendFloat64(dst []byte, v float64) []byte {
	return binary.BigEndian.AppendUint64(dst, math.Float64bits(v))
}

// appendLen writes a length: compact (uvarint n+1, 0 for null) or classic
// (int16 for strings, int32 otherwise; -1 for null).
func appendLen(dst []byte, n int, null, flex, short bool) []byte {
	switch {
	case flex && null:
		return appendUvarint(dst, 0)
	case flex:
		return appendUvarint(dst, uint64(n)+1)
	case null:
		n = -1
	}
	if short {
		return appendInt16(dst, int16(n))
	}
	return appendInt32(dst, int32(n))
}

func appendString(dst []byte, s string, flex bool) []byte {
	return append(appendLen(dst, len(s), false, flex, true), s...)
}

// appendNullableString writes nil as null when the version allows it, else as "".
func appendNullableString(dst []byte, s *string, nullable, flex bool) []byte {
	if s == nil {
		return appendLen(dst, 0, nullable, flex, true)
	}
	return appendString(dst, *s, flex)
}

// appendBytes writes nil as null when the version allows it, else as empty.
func appendBytes(dst []byte, b []byte, nullable, flex bool) []byte {
	return append(appendLen(dst, len(b), nullable && b == nil, flex, false), b...)
}

func appendArrayLen(dst []byte, n int, null, flex bool) []byte {
	return appendLen(dst, n, null, flex, false)
}

// insertSize inserts, at start, the uvarint length of dst[start:]: a tagged field's size prefix.
func insertSize(dst []byte, start int) []byte {
	n := len(dst) - start
	var buf [binary.MaxVarintLen64]byte
	k := binary.PutUvarint(buf[:], uint64(n))
	dst = append(dst, buf[:k]...)
	copy(dst[start+k:], dst[start:start+n])
	copy(dst[start:], buf[:k])
	return dst
}
