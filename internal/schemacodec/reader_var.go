package schemacodec

// readLen reads a compact or classic length; null reports a null value (-1 or compact 0).
func (r *Reader) readLen(flex, short bool) (n int, null bool) {
	switch {
	case flex:
		u := r.Uvarint()
		if u == 0 {
			return 0, r.err == nil
		}
		return int(u - 1), false
	case short:
		n = int(r.Int16())
	default:
		n = int(r.Int32())
	}
	if n < 0 {
		return 0, r.err == nil
	}
	return n, false
}

// variable reads a length-prefixed value; ok is false for null or on error.
func (r *Reader) variable(nullable, flex, short bool) (b []byte, ok bool) {
	n, null := r.readLen(flex, short)
	if null {
		if !nullable {
			r.fail("non-nullable field is null")
		}
		return nil, false
	}
	b = r.take(n)
	return b, r.err == nil
}

// String reads a non-nullable string, compact when flex.
func (r *Reader) String(flex bool) string {
	b, _ := r.variable(false, flex, true)
	return string(b)
}

// NullableString reads a string that may be null when nullable; null is nil.
func (r *Reader) NullableString(nullable, flex bool) *string {
	b, ok := r.variable(nullable, flex, true)
	if !ok {
		return nil
	}
	s := string(b)
	return &s
}

// Bytes reads a byte field into a fresh slice; an empty value stays non-nil only when
// keepEmpty (the field is nullable in some version, so empty and null differ).
func (r *Reader) Bytes(nullable, flex, keepEmpty bool) []byte {
	b, ok := r.variable(nullable, flex, false)
	if !ok || (len(b) == 0 && !keepEmpty) {
		return nil
	}
	return append(make([]byte, 0, len(b)), b...)
}

// ArrayLen reads an array length; ok is false for null or on error. Lengths that
// cannot fit in the remaining bytes (minSize bytes per element) are rejected before
// the caller allocates.
func (r *Reader) ArrayLen(nullable, flex bool, minSize int) (n int, ok bool) {
	n, null := r.readLen(flex, false)
	if r.err != nil {
		return 0, false
	}
	if null {
		if !nullable {
			r.fail("non-nullable array is null")
		}
		return 0, false
	}
	if n > len(r.b)/minSize {
		r.fail("array of %d elements exceeds %d remaining bytes", n, len(r.b))
		return 0, false
	}
	return n, true
}

// TaggedField reads one tagged field header and returns its tag and a reader over its data.
func (r *Reader) TaggedField() (uint64, *Reader) {
	tag := r.Uvarint()
	size := r.Uvarint()
	data := r.take(int(size))
	return tag, &Reader{b: data, err: r.err}
}

// EndTagged checks that a known tagged field, read through sr, consumed exactly its
// declared size, and carries sr's error over to r.
func (r *Reader) EndTagged(sr *Reader) {
	switch {
	case r.err != nil:
	case sr.err != nil:
		r.err, r.b = sr.err, nil
	case len(sr.b) != 0:
		r.fail("tagged field has %d trailing bytes", len(sr.b))
	}
}

// SkipTaggedFields skips a tagged-field section whose tags are all unknown.
func (r *Reader) SkipTaggedFields() {
	for n := r.Uvarint(); n > 0 && r.err == nil; n-- {
		r.TaggedField()
	}
}
