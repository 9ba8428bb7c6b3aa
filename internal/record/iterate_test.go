package record

import (
	"errors"
	"reflect"
	"testing"
)

func TestIterateLogAppendTime(t *testing.T) {
	batch := buildSample(t, CodecSnappy)
	SetLogAppendTime(batch, 42)
	_, recs := collect(t, batch)
	for i, r := range recs {
		if r.Timestamp != 42 || r.Offset != testBaseOffset+int64(i) {
			t.Errorf("record %d: ts %d offset %d", i, r.Timestamp, r.Offset)
		}
	}
}

func TestIterateStopsOnError(t *testing.T) {
	stop := errors.New("stop")
	calls := 0
	_, err := Iterate(buildSample(t, CodecLZ4), nil, func(*Header, *Record) error {
		calls++
		if calls == 2 {
			return stop
		}
		return nil
	})
	if err != stop || calls != 2 {
		t.Errorf("err %v after %d calls", err, calls)
	}
}

func TestIterateScratchReuse(t *testing.T) {
	batch := buildSample(t, CodecZstd)
	scratch, err := Iterate(batch, nil, func(*Header, *Record) error { return nil })
	if err != nil || cap(scratch) == 0 {
		t.Fatalf("scratch %d, %v", cap(scratch), err)
	}
	again, err := Iterate(batch, scratch, func(*Header, *Record) error { return nil })
	if err != nil || &again[:1][0] != &scratch[:1][0] {
		t.Errorf("scratch not reused: %v", err)
	}
}

func TestIterateErrors(t *testing.T) {
	good := smallBatch(t, 3)
	tests := []struct {
		name string
		b    []byte
		want error
	}{
		{"empty", nil, ErrShort},
		{"truncated", good[:len(good)-2], ErrShort},
		{"bad magic", func() []byte { b := append([]byte(nil), good...); b[16] = 0; return b }(), ErrMagic},
		{"count too high", fixCRC(put32(append([]byte(nil), good...), 57, 4)), ErrInvalidRecord},
		{"count too low", fixCRC(put32(append([]byte(nil), good...), 57, 2)), ErrInvalidRecord},
		{"unknown codec", func() []byte { b := append([]byte(nil), good...); b[22] = 6; return b }(), ErrCorrupt},
	}
	for _, tt := range tests {
		if _, err := Iterate(tt.b, nil, func(*Header, *Record) error { return nil }); !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
	}
}

// TestIterateEmptyBatch: compaction can leave batches without records,
// in any codec.
func TestIterateEmptyBatch(t *testing.T) {
	b := smallBatch(t, 1)[:HeaderSize]
	b[22] = byte(CodecGzip)
	put32(b, 8, HeaderSize-12)
	put32(b, 57, 0)
	if _, err := Iterate(fixCRC(b), nil, func(*Header, *Record) error { t.Error("called"); return nil }); err != nil {
		t.Fatal(err)
	}
	out, _, err := Recompress(nil, b, CodecZstd, nil)
	if err != nil || len(out) != HeaderSize || CheckCRC(out) != nil {
		t.Errorf("recompress empty: %d bytes, %v", len(out), err)
	}
}

func TestIterateAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items under -race")
	}
	batch := benchBatch(t)
	fn := func(*Header, *Record) error { return nil }
	allocs := testing.AllocsPerRun(50, func() {
		if _, err := Iterate(batch, nil, fn); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("Iterate uncompressed: %.1f allocs", allocs)
	}
}

func TestRecompress(t *testing.T) {
	for _, from := range allCodecs {
		src := buildSample(t, from)
		SetBaseOffset(src, 555)
		srcHdr, _ := ParseHeader(src)
		for _, to := range allCodecs {
			out, _, err := Recompress([]byte("p"), src, to, nil)
			if err != nil {
				t.Fatalf("%s->%s: %v", from, to, err)
			}
			out = out[1:]
			info, _, err := Validate(out, nil)
			if err != nil {
				t.Fatalf("%s->%s: validate: %v", from, to, err)
			}
			h := info.Header
			want := srcHdr
			want.Length, want.CRC, want.Attributes = h.Length, h.CRC, srcHdr.Attributes&^7|int16(to)
			if h != want {
				t.Errorf("%s->%s: header\n got %+v\nwant %+v", from, to, h, want)
			}
			_, got := collect(t, out)
			_, orig := collect(t, src)
			if !reflect.DeepEqual(got, orig) {
				t.Errorf("%s->%s: records differ", from, to)
			}
		}
	}
	if _, _, err := Recompress(nil, smallBatch(t, 1), Codec(5), nil); err == nil {
		t.Error("recompress to codec 5")
	}
}
