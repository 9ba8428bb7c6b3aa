package storage

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/gofka/gofka/internal/record"
)

// FuzzRecover feeds arbitrary bytes as a segment file (and offset index):
// Open must not panic, and what it keeps must be a prefix of the input made
// of valid batches with increasing offsets, readable from the start. Each
// exec does file I/O; -fuzzminimizetime=5s keeps minimization short.
func FuzzRecover(f *testing.F) {
	var good []byte
	for i := 0; i < 4; i++ {
		b := makeBatch(1+i, int64(i), int64(i), 10)
		record.SetBaseOffset(b, int64(i*10))
		good = append(good, b...)
	}
	f.Add(good, []byte(nil), false)
	f.Add(good, []byte(nil), true)
	f.Add(good[:len(good)-3], []byte{0, 0, 0, 1, 0, 0, 0, 90}, true)
	f.Add(append(bytes.Clone(good), make([]byte, 100)...), []byte(nil), false)
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff}, []byte(nil), false)
	f.Fuzz(func(t *testing.T, data, index []byte, clean bool) {
		dir := t.TempDir()
		seg := filepath.Join(dir, "00000000000000000000.log")
		if err := os.WriteFile(seg, data, 0o644); err != nil {
			t.Fatal(err)
		}
		if len(index) > 0 {
			os.WriteFile(filepath.Join(dir, "00000000000000000000.index"), index, 0o644)
		}
		c := testConfig()
		c.SegmentIndexBytes = 64
		l, err := Open(dir, testTP, Options{Config: c, Clean: clean})
		if err != nil {
			return // reported errors are fine; panics are not
		}
		defer l.Close()
		kept := fileBytes(t, seg)
		if !bytes.HasPrefix(data, kept) {
			t.Fatalf("kept %d bytes that are not a prefix of the input", len(kept))
		}
		next := int64(0)
		if err := record.Split(kept, func(b []byte) error {
			h, err := record.ParseHeader(b)
			if err != nil {
				return err
			}
			if err := record.CheckCRC(b); err != nil && !clean {
				return err
			}
			if h.BaseOffset < next {
				t.Fatalf("offsets not increasing: %d after %d", h.BaseOffset, next)
			}
			next = h.LastOffset() + 1
			return nil
		}); err != nil {
			t.Fatalf("kept invalid data: %v", err)
		}
		if l.LogEndOffset() != next {
			t.Fatalf("LEO %d, want %d", l.LogEndOffset(), next)
		}
		for off := int64(0); off < next; {
			s, err := l.Read(off, 1<<20, 1<<62, true)
			if err != nil || s.Size == 0 {
				t.Fatalf("read %d: %v", off, err)
			}
			off = batchesIn(t, readSlice(t, s))[0][1] + 1 // readSlice: whole batches
			if !clean {
				continue
			}
		}
	})
}
