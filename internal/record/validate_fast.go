package record

// The record walk of Validate runs once per record produced, so its
// common case is decoded inline here: every varint of one or two bytes
// (deltas under 8192, lengths under 8192 bytes). Anything else, and
// anything malformed, goes back to parseRecord, which checks the record
// in full and names what is wrong: quickRecord only ever accepts records
// parseRecord accepts, with the same results (FuzzQuickRecord).

// var2 decodes a zigzag varint of one or two bytes; n is 0 when it is
// longer or b ends first.
func var2(b []byte) (v int32, n int) {
	if len(b) >= 1 && b[0] < 0x80 {
		return int32(b[0]>>1) ^ -int32(b[0]&1), 1
	}
	if len(b) >= 2 && b[1] < 0x80 {
		u := uint32(b[0]&0x7f) | uint32(b[1])<<7
		return int32(u>>1) ^ -int32(u&1), 2
	}
	return 0, 0
}

// quickRecord checks the record at the start of b, which must have offset
// delta i, and returns the bytes after it, its timestamp delta and
// whether its key is null; ok is false when the record needs the full
// decoder (long varints, or anything parseRecord would reject).
func quickRecord(b []byte, i int32) (rest []byte, tsDelta int64, nullKey, ok bool) {
	size, n := var2(b)
	if n == 0 || size < 1 || int(size) > len(b)-n {
		return nil, 0, false, false
	}
	body, rest := b[n:n+int(size)], b[n+int(size):]
	p := 1 // attributes: any value
	ts, m := var2(body[p:])
	if m == 0 {
		return nil, 0, false, false
	}
	p += m
	off, m := var2(body[p:])
	if m == 0 || off != i {
		return nil, 0, false, false
	}
	p += m
	keyLen, m := var2(body[p:]) // key: nullable (any negative length)
	if m == 0 {
		return nil, 0, false, false
	}
	p += m
	if keyLen > 0 {
		if int(keyLen) > len(body)-p {
			return nil, 0, false, false
		}
		p += int(keyLen)
	}
	valLen, m := var2(body[p:]) // value: nullable
	if m == 0 {
		return nil, 0, false, false
	}
	p += m
	if valLen > 0 {
		if int(valLen) > len(body)-p {
			return nil, 0, false, false
		}
		p += int(valLen)
	}
	// The common end: a header count of 0 as the record's last byte.
	if p != len(body)-1 || body[p] != 0 {
		var ok bool
		if p, ok = skipHeaders(body, p); !ok || p != len(body) {
			return nil, 0, false, false
		}
	}
	return rest, int64(ts), keyLen < 0, true
}

// skipBytes skips a length-prefixed field at body[p:]; a negative length
// is null when nullable, and refused otherwise.
func skipBytes(body []byte, p int, nullable bool) (length int32, next int, ok bool) {
	l, m := var2(body[p:])
	if m == 0 || (l < 0 && !nullable) {
		return 0, 0, false
	}
	p += m
	if l < 0 {
		return l, p, true
	}
	if int(l) > len(body)-p {
		return 0, 0, false
	}
	return l, p + int(l), true
}

// skipHeaders skips the header count and the headers at body[p:].
func skipHeaders(body []byte, p int) (int, bool) {
	count, m := var2(body[p:])
	if m == 0 || count < 0 {
		return 0, false
	}
	p += m
	for range count {
		var ok bool
		if _, p, ok = skipBytes(body, p, false); !ok { // key: never null
			return 0, false
		}
		if _, p, ok = skipBytes(body, p, true); !ok {
			return 0, false
		}
	}
	return p, true
}
