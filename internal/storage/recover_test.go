package storage

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// crashState appends batches to a log in dir and returns the bytes of its
// files as a crash would leave them (active indexes preallocated), before
// closing the log.
func crashState(t *testing.T, dir string, c Config, batches [][]byte) map[string][]byte {
	l := openTest(t, dir, c)
	for _, b := range batches {
		mustAppend(t, l, b, AppendOptions{LeaderEpoch: 1})
	}
	files := map[string][]byte{}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		files[e.Name()] = fileBytes(t, filepath.Join(dir, e.Name()))
	}
	l.Close()
	return files
}

func writeFiles(t *testing.T, dir string, files map[string][]byte) {
	t.Helper()
	os.MkdirAll(dir, 0o755)
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestRecoverTornTailEveryByte(t *testing.T) {
	var batches [][]byte
	for i := 0; i < 5; i++ {
		batches = append(batches, makeBatch(2, int64(i), int64(i), 40))
	}
	files := crashState(t, t.TempDir(), testConfig(), batches)
	const seg = "00000000000000000000.log"
	full := files[seg]
	last := len(batches[4])
	prefix := len(full) - last
	for cut := 0; cut < last; cut++ {
		dir := t.TempDir()
		f := copyFiles(files)
		f[seg] = full[:prefix+cut]
		writeFiles(t, dir, f)
		l := openTest(t, dir, testConfig())
		if l.LogEndOffset() != 8 || l.Size() != int64(prefix) {
			t.Fatalf("cut %d: LEO %d size %d", cut, l.LogEndOffset(), l.Size())
		}
		mustAppend(t, l, makeBatch(1, 9, 9, 3), AppendOptions{})
		s, err := l.Read(6, 1<<20, 1<<62, false)
		if err != nil {
			t.Fatal(err)
		}
		if got := batchesIn(t, readSlice(t, s)); len(got) != 2 || got[1] != [2]int64{8, 8} {
			t.Fatalf("cut %d: %v", cut, got)
		}
		l.Close()
	}
}

func copyFiles(m map[string][]byte) map[string][]byte {
	out := map[string][]byte{}
	for k, v := range m {
		out[k] = bytes.Clone(v)
	}
	return out
}

func TestRecoverPreallocated(t *testing.T) {
	c := testConfig()
	c.Preallocate = true
	files := crashState(t, t.TempDir(), c, [][]byte{makeBatch(1, 1, 1, 10), makeBatch(1, 2, 2, 10)})
	if n := len(files["00000000000000000000.log"]); n != int(c.SegmentBytes) {
		t.Fatalf("preallocated %d", n)
	}
	dir := t.TempDir()
	writeFiles(t, dir, files)
	l := openTest(t, dir, c)
	defer l.Close()
	if l.LogEndOffset() != 2 || l.Size() != 2*int64(len(makeBatch(1, 1, 1, 10))) {
		t.Fatalf("LEO %d size %d", l.LogEndOffset(), l.Size())
	}
}
