package record

import (
	"math"
	"testing"
)

func TestVarintRoundTrip(t *testing.T) {
	for _, v := range []int32{0, 1, -1, 63, -64, 64, -65, 8191, -8192, math.MaxInt32, math.MinInt32} {
		b := appendVarint(nil, v)
		if len(b) != sizeVarint(v) {
			t.Errorf("varint %d: size %d, encoded %d", v, sizeVarint(v), len(b))
		}
		got, n := readVarint(b)
		if got != v || n != len(b) {
			t.Errorf("varint %d: read %d (%d bytes of %d)", v, got, n, len(b))
		}
	}
	for _, v := range []int64{0, 1, -1, math.MaxInt32 + 1, math.MaxInt64, math.MinInt64} {
		b := appendVarlong(nil, v)
		if len(b) != sizeVarlong(v) {
			t.Errorf("varlong %d: size %d, encoded %d", v, sizeVarlong(v), len(b))
		}
		got, n := readVarlong(b)
		if got != v || n != len(b) {
			t.Errorf("varlong %d: read %d (%d bytes of %d)", v, got, n, len(b))
		}
	}
}

func TestVarintZigzagBytes(t *testing.T) {
	// Kafka's zigzag: 0→00, -1→01, 1→02, -2→03, 64→8001.
	tests := []struct {
		v    int32
		want []byte
	}{{0, []byte{0}}, {-1, []byte{1}}, {1, []byte{2}}, {-2, []byte{3}}, {64, []byte{0x80, 1}}}
	for _, tt := range tests {
		if got := appendVarint(nil, tt.v); string(got) != string(tt.want) {
			t.Errorf("varint %d = %x, want %x", tt.v, got, tt.want)
		}
	}
}

func TestVarintBad(t *testing.T) {
	tests := []struct {
		name  string
		b     []byte
		wantN int
	}{
		{"empty", nil, 0},
		{"unterminated", []byte{0x80, 0x80}, 0},
		{"six bytes", []byte{0x80, 0x80, 0x80, 0x80, 0x80, 0x01}, -1},
	}
	for _, tt := range tests {
		if _, n := readVarint(tt.b); n != tt.wantN {
			t.Errorf("%s: n = %d, want %d", tt.name, n, tt.wantN)
		}
	}
	long := []byte{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01}
	if _, n := readVarlong(long); n != -1 {
		t.Errorf("11-byte varlong: n = %d, want -1", n)
	}
	// Five bytes are allowed, the excess bits of the last dropped as in Java.
	if v, n := readVarint([]byte{0xfe, 0xff, 0xff, 0xff, 0x7f}); n != 5 || v != math.MaxInt32 {
		t.Errorf("5-byte varint = %d (%d bytes)", v, n)
	}
}
