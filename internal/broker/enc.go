package broker

import "encoding/binary"

// enc appends Kafka protocol primitives to a buffer. It is used where a
// response is written by hand (Fetch, to splice file regions in) instead of
// through kmsg.
type enc struct {
	b        []byte
	flexible bool
}

func (e *enc) i16(v int16) { e.b = binary.BigEndian.AppendUint16(e.b, uint16(v)) }
func (e *enc) i32(v int32) { e.b = binary.BigEndian.AppendUint32(e.b, uint32(v)) }
func (e *enc) i64(v int64) { e.b = binary.BigEndian.AppendUint64(e.b, uint64(v)) }
func (e *enc) uvarint(v uint64) {
	e.b = binary.AppendUvarint(e.b, v)
}

// arrayLen writes an array length; n < 0 is a null array.
func (e *enc) arrayLen(n int) {
	if !e.flexible {
		e.i32(int32(n))
		return
	}
	e.uvarint(uint64(n + 1)) // null (-1) becomes 0
}

func (e *enc) str(s string) {
	if e.flexible {
		e.uvarint(uint64(len(s) + 1))
	} else {
		e.i16(int16(len(s)))
	}
	e.b = append(e.b, s...)
}

// bytesLen writes the length prefix of a nullable bytes field; n < 0 is null.
func (e *enc) bytesLen(n int) {
	if e.flexible {
		e.uvarint(uint64(n + 1))
		return
	}
	e.i32(int32(n))
}

// noTags writes an empty tagged-field section in flexible versions.
func (e *enc) noTags() {
	if e.flexible {
		e.uvarint(0)
	}
}
