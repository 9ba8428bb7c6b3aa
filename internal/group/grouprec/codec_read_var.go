package grouprec

import "fmt"

// readLen reads a compact or classic length; null reports a null value (-1 or compact 0).
func (r *reader) readLen(flex, short bool) (n int, null bool) {
	switch {
	case flex:
		u := r.uvarint()
		if u == 0 {
			return 0, r.err == nil
		}
		return int(u - 1), false
	case short:
		n = int(r.int16())
	default:
		n = int(r.int32())
	}
	if n < 0 {
		return 0, r.err == nil
	}
	return n, false
}

// variable reads a length-prefixed value; ok is false for null or on error.
func (r *reader) variable(nullable, flex, short bool) (b []byte, ok bool) {
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

func (r *reader) string(flex bool) string {
	b, _ := r.variable(false, flex, true)
	return string(b)
}

func (r *reader) nullableString(nullable, flex bool) *string {
	b, ok := r.variable(nullable, flex, true)
	if !ok {
		return nil
	}
	s := string(b)
	return &s
}

// bytes reads a byte field into a fresh slice; an empty value stays non-nil only when
// keepEmpty (the field is nullable in some version, so empty and null differ).
func (r *reader) bytes(nullable, flex, keepEmpty bool) []byte {
	b, ok := r.variable(nullable, flex, false)
	if !ok || (len(b) == 0 && !keepEmpty) {
		return nil
	}
	return append(make([]byte, 0, len(b)), b...)
}

// arrayLen reads an array length; ok is false for null or on error. Lengths that
// cannot fit in the remaining bytes (minSize bytes per element) are rejected before
// the caller allocates.
func (r *reader) arrayLen(nullable, flex bool, minSize int) (n int, ok bool) {
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

// taggedField reads one tagged field header and returns its tag and a reader over its data.
func (r *reader) taggedField() (uint64, *reader) {
	tag := r.uvarint()
	size := r.uvarint()
	data := r.take(int(size))
	return tag, &reader{b: data, err: r.err}
}

// endTagged checks that a known tagged field consumed exactly its declared size.
func (r *reader) endTagged(sr *reader) {
	switch {
	case r.err != nil:
	case sr.err != nil:
		r.err, r.b = sr.err, nil
	case len(sr.b) != 0:
		r.fail("tagged field has %d trailing bytes", len(sr.b))
	}
}

// skipTaggedFields skips a tagged-field section whose tags are all unknown.
func (r *reader) skipTaggedFields() {
	for n := r.uvarint(); n > 0 && r.err == nil; n-- {
		r.taggedField()
	}
}

// done reports the first error or trailing bytes after a whole record body.
func (r *reader) done(name string) error {
	if r.err != nil {
		return fmt.Errorf("grouprec: %s: %w", name, r.err)
	}
	if len(r.b) != 0 {
		return corruptf("%s: %d bytes of garbage after record", name, len(r.b))
	}
	return nil
}
