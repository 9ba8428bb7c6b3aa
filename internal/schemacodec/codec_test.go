package schemacodec

import (
	"bytes"
	"strings"
	"testing"
)

func TestAppendBytes(t *testing.T) {
	s := "ab"
	tests := []struct {
		name string
		got  []byte
		want []byte
	}{
		{"uvarint", AppendUvarint(nil, 300), []byte{0xac, 0x02}},
		{"bool", AppendBool(AppendBool(nil, true), false), []byte{1, 0}},
		{"int8", AppendInt8(nil, -1), []byte{0xff}},
		{"int16", AppendInt16(nil, -2), []byte{0xff, 0xfe}},
		{"uint16", AppendUint16(nil, 0x0102), []byte{1, 2}},
		{"int32", AppendInt32(nil, 1), []byte{0, 0, 0, 1}},
		{"uint32", AppendUint32(nil, 0x01020304), []byte{1, 2, 3, 4}},
		{"int64", AppendInt64(nil, 1), []byte{0, 0, 0, 0, 0, 0, 0, 1}},
		{"float64", AppendFloat64(nil, 1), []byte{0x3f, 0xf0, 0, 0, 0, 0, 0, 0}},
		{"uuid", AppendUUID(nil, [16]byte{15: 9}), append(make([]byte, 15), 9)},
		{"string classic", AppendString(nil, s, false), []byte{0, 2, 'a', 'b'}},
		{"string compact", AppendString(nil, s, true), []byte{3, 'a', 'b'}},
		{"null string classic", AppendNullableString(nil, nil, true, false), []byte{0xff, 0xff}},
		{"null string compact", AppendNullableString(nil, nil, true, true), []byte{0}},
		{"null string not nullable", AppendNullableString(nil, nil, false, true), []byte{1}},
		{"nullable string set", AppendNullableString(nil, &s, true, true), []byte{3, 'a', 'b'}},
		{"null bytes classic", AppendBytes(nil, nil, true, false), []byte{0xff, 0xff, 0xff, 0xff}},
		{"empty bytes compact", AppendBytes(nil, []byte{}, true, true), []byte{1}},
		{"array classic", AppendArrayLen(nil, 2, false, false), []byte{0, 0, 0, 2}},
		{"null array compact", AppendArrayLen(nil, 0, true, true), []byte{0}},
		{"insert size", InsertSize([]byte{7, 'x', 'y'}, 1), []byte{7, 2, 'x', 'y'}},
	}
	for _, tc := range tests {
		if !bytes.Equal(tc.got, tc.want) {
			t.Errorf("%s: got % x, want % x", tc.name, tc.got, tc.want)
		}
	}
}

func TestReaderRoundTrip(t *testing.T) {
	s := "hi"
	var b []byte
	b = AppendBool(b, true)
	b = AppendInt8(b, -3)
	b = AppendInt16(b, -4)
	b = AppendInt32(b, -5)
	b = AppendInt64(b, -6)
	b = AppendUint16(b, 7)
	b = AppendUint32(b, 8)
	b = AppendFloat64(b, 2.5)
	b = AppendUUID(b, [16]byte{1, 2})
	b = AppendString(b, s, true)
	b = AppendNullableString(b, nil, true, false)
	b = AppendBytes(b, []byte{}, true, true)
	b = AppendArrayLen(b, 1, false, true)
	b = AppendInt32(b, 9)
	b = AppendUvarint(b, 1) // one tagged field
	b = AppendUvarint(b, 5)
	start := len(b)
	b = AppendInt16(b, 10)
	b = InsertSize(b, start)

	r := NewReader(b)
	got := []any{r.Bool(), r.Int8(), r.Int16(), r.Int32(), r.Int64(), r.Uint16(), r.Uint32(),
		r.Float64(), r.UUID(), r.String(true), r.NullableString(true, false),
		r.Bytes(true, true, true)}
	want := []any{true, int8(-3), int16(-4), int32(-5), int64(-6), uint16(7), uint32(8),
		2.5, [16]byte{1, 2}, "hi", (*string)(nil), []byte{}}
	for i := range want {
		if !equal(got[i], want[i]) {
			t.Errorf("value %d: got %#v, want %#v", i, got[i], want[i])
		}
	}
	if n, ok := r.ArrayLen(false, true, 4); !ok || n != 1 || r.Int32() != 9 {
		t.Errorf("array: n=%d ok=%v", n, ok)
	}
	if nt := r.Uvarint(); nt != 1 {
		t.Fatalf("tagged count %d", nt)
	}
	tag, sr := r.TaggedField()
	if v := sr.Int16(); tag != 5 || v != 10 {
		t.Errorf("tagged field %d = %d", tag, v)
	}
	r.EndTagged(sr)
	if r.Err() != nil || len(r.Remaining()) != 0 {
		t.Errorf("err %v, %d bytes left", r.Err(), len(r.Remaining()))
	}
}

func equal(a, b any) bool {
	if ab, ok := a.([]byte); ok {
		bb, _ := b.([]byte)
		return bytes.Equal(ab, bb) && (ab == nil) == (bb == nil)
	}
	return a == b
}

func TestReaderErrors(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		read func(r *Reader)
		want string
	}{
		{"short", []byte{1}, func(r *Reader) { r.Int32() }, "need 4 bytes, have 1"},
		{"bad varint", []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, func(r *Reader) { r.Uvarint() }, "bad unsigned varint"},
		{"null string", []byte{0}, func(r *Reader) { r.String(true) }, "non-nullable field is null"},
		{"null array", []byte{0xff, 0xff, 0xff, 0xff}, func(r *Reader) { r.ArrayLen(false, false, 1) }, "non-nullable array is null"},
		{"huge array", []byte{0, 0, 0, 9, 1}, func(r *Reader) { r.ArrayLen(false, false, 4) }, "array of 9 elements exceeds 1 remaining bytes"},
		{"tagged trailing", []byte{1, 2, 0, 0}, func(r *Reader) {
			_, sr := r.TaggedField()
			sr.Int8()
			r.EndTagged(sr)
		}, "tagged field has 1 trailing bytes"},
		{"sticky", []byte{}, func(r *Reader) { r.Int8(); r.String(true) }, "need 1 bytes, have 0"},
	}
	for _, tc := range tests {
		r := NewReader(tc.in)
		tc.read(&r)
		if r.Err() == nil || !strings.Contains(r.Err().Error(), tc.want) {
			t.Errorf("%s: err %v, want %q", tc.name, r.Err(), tc.want)
		}
		if r.Remaining() != nil || r.Int64() != 0 {
			t.Errorf("%s: reader not emptied after error", tc.name)
		}
	}
}

// FuzzReader reads arbitrary bytes with every method: it must never panic, and an
// error must leave nothing to read.
func FuzzReader(f *testing.F) {
	f.Add([]byte{3, 'a', 'b', 0, 0, 0, 1, 7})
	f.Add([]byte{1, 5, 2, 0, 1})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		r := NewReader(b)
		r.String(true)
		r.NullableString(true, false)
		r.Bytes(true, true, false)
		if n, ok := r.ArrayLen(true, true, 1); ok {
			for range n {
				r.Int8()
			}
		}
		r.SkipTaggedFields()
		r.UUID()
		r.Float64()
		if r.Err() != nil && len(r.Remaining()) != 0 {
			t.Fatal("bytes remain after an error")
		}
	})
}
