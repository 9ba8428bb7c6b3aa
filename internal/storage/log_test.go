package storage

import (
	"bytes"
	"errors"
	"testing"
)

func TestAppendReadRoundTrip(t *testing.T) {
	l := openTest(t, t.TempDir(), testConfig())
	defer l.Close()
	var want [][]byte
	next := int64(0)
	for i := 0; i < 20; i++ {
		n := 1 + i%4
		b := makeBatch(n, 1000+int64(i), 1000+int64(i)+5, 50)
		res := mustAppend(t, l, b, AppendOptions{LeaderEpoch: 7})
		if res.FirstOffset != next || res.LastOffset != next+int64(n-1) || res.Bytes != len(b) || res.LogAppendTime != -1 {
			t.Fatalf("append %d: %+v", i, res)
		}
		next += int64(n)
		want = append(want, b)
	}
	if l.LogEndOffset() != next {
		t.Fatalf("LEO %d, want %d", l.LogEndOffset(), next)
	}
	off := int64(0)
	for i, w := range want {
		s, err := l.Read(off, 1, 1<<62, true)
		if err != nil {
			t.Fatal(err)
		}
		got := readSlice(t, s)
		if !bytes.Equal(got, w) || s.FirstOffset != off {
			t.Fatalf("batch %d: read differs (first offset %d)", i, s.FirstOffset)
		}
		h := batchesIn(t, got)
		if h[0][0] != off {
			t.Fatalf("base offset %d, want %d", h[0][0], off)
		}
		// Every offset inside the batch reads the same batch.
		s2, _ := l.Read(h[0][1], 1, 1<<62, true)
		if s2.Pos != s.Pos || s2.File != s.File {
			t.Fatalf("offset %d: batch at %d, want %d", h[0][1], s2.Pos, s.Pos)
		}
		off = h[0][1] + 1
	}
	if s, err := l.Read(next, 1000, 1<<62, true); err != nil || s.Size != 0 {
		t.Fatalf("read at LEO: %+v %v", s, err)
	}
	if _, err := l.Read(next+1, 1000, 1<<62, true); !errors.Is(err, ErrOffsetOutOfRange) {
		t.Fatalf("read past LEO: %v", err)
	}
	if e, ok := l.LatestEpoch(); !ok || e != 7 {
		t.Fatalf("latest epoch %d %v", e, ok)
	}
}

func TestAppendLogAppendTime(t *testing.T) {
	l := openTest(t, t.TempDir(), testConfig())
	defer l.Close()
	b := makeBatch(3, 10, 20, 5)
	res := mustAppend(t, l, b, AppendOptions{LogAppendTime: 5000})
	if res.LogAppendTime != 5000 || res.MaxTimestamp != 5000 || res.OffsetOfMaxTimestamp != 2 {
		t.Fatalf("%+v", res)
	}
	s, _ := l.Read(0, 1<<20, 1<<62, false)
	got := readSlice(t, s)
	batchesIn(t, got) // CRC still valid
	if ts := int64FromHeader(got, offMaxTimestamp); ts != 5000 {
		t.Fatalf("max timestamp %d", ts)
	}
}

func TestAppendRejectsGarbage(t *testing.T) {
	l := openTest(t, t.TempDir(), testConfig())
	defer l.Close()
	for _, b := range [][]byte{nil, {1, 2, 3}, makeBatch(1, 1, 1, 1)[:70]} {
		if _, err := l.Append(b, AppendOptions{}); err == nil {
			t.Errorf("Append(%d bytes) succeeded", len(b))
		}
	}
	if l.LogEndOffset() != 0 {
		t.Fatal("LEO moved")
	}
}

func TestClosedLog(t *testing.T) {
	l := openTest(t, t.TempDir(), testConfig())
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Append(makeBatch(1, 1, 1, 1), AppendOptions{}); !errors.Is(err, ErrClosed) {
		t.Fatalf("append after close: %v", err)
	}
	if _, err := l.Read(0, 1, 1, true); !errors.Is(err, ErrClosed) {
		t.Fatalf("read after close: %v", err)
	}
}
