package storage

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// goldenTimestamps are the max timestamps of the ten golden batches: they
// grow by 10 ms except batches 5 and 6, which go back in time.
var goldenTimestamps = []int64{1000, 1010, 1020, 1030, 1040, 900, 1030, 1070, 1080, 1090}

// writeGoldenLog appends the golden batches to a log starting at offset 100
// with index.interval.bytes 300: ten single-record batches of 170 bytes.
func writeGoldenLog(t *testing.T, dir string) {
	c := testConfig()
	c.IndexIntervalBytes = 300
	l := openTest(t, dir, c, func(o *Options) { o.LogStartOffset = 100 })
	for _, ts := range goldenTimestamps {
		b := makeBatch(1, ts, ts, 100)
		if len(b) != 170 {
			t.Fatalf("batch size %d, want 170", len(b))
		}
		mustAppend(t, l, b, AppendOptions{})
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
}

// readHexGolden reads a testdata file of hex bytes with # comments.
func readHexGolden(t *testing.T, name string) []byte {
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []byte
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		b, err := hex.DecodeString(strings.Join(strings.Fields(line), ""))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out = append(out, b...)
	}
	return out
}

func checkGolden(t *testing.T, dir string) {
	t.Helper()
	for _, g := range []struct{ file, golden string }{
		{"00000000000000000100.index", "golden.index.hex"},
		{"00000000000000000100.timeindex", "golden.timeindex.hex"},
	} {
		got := fileBytes(t, filepath.Join(dir, g.file))
		if want := readHexGolden(t, g.golden); !bytes.Equal(got, want) {
			t.Errorf("%s:\n got %x\nwant %x", g.file, got, want)
		}
	}
}

func TestGoldenIndexes(t *testing.T) {
	dir := t.TempDir()
	writeGoldenLog(t, dir)
	checkGolden(t, dir)
}

// TestGoldenIndexesRebuilt checks that recovery rebuilds the same bytes.
func TestGoldenIndexesRebuilt(t *testing.T) {
	dir := t.TempDir()
	writeGoldenLog(t, dir)
	for _, suf := range []string{".index", ".timeindex"} {
		if err := os.Remove(filepath.Join(dir, "00000000000000000100"+suf)); err != nil {
			t.Fatal(err)
		}
	}
	c := testConfig()
	c.IndexIntervalBytes = 300
	l := openTest(t, dir, c, func(o *Options) { o.LogStartOffset = 100 })
	if l.LogEndOffset() != 110 {
		t.Fatalf("LEO %d", l.LogEndOffset())
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, dir)
}

func TestIndexEntrySpacing(t *testing.T) {
	for _, interval := range []int32{0, 100, 500, 4096} {
		c := testConfig()
		c.IndexIntervalBytes = interval
		c.SegmentBytes = 1 << 20
		l := openTest(t, t.TempDir(), c)
		var positions []int64 // batch start positions
		pos := int64(0)
		for i := 0; i < 40; i++ {
			b := makeBatch(1+i%3, int64(i), int64(i), 20+i*7)
			positions = append(positions, pos)
			pos += int64(len(b))
			mustAppend(t, l, b, AppendOptions{})
		}
		// Expected per Kafka: an entry at a batch when more than interval
		// bytes were written since the last entry (or segment start).
		var want []int64
		last := int64(0)
		for i, p := range positions {
			if i > 0 && p-last > int64(interval) {
				want = append(want, p)
				last = p
			}
		}
		e := l.active().offIdx.entries()
		var got []int64
		for i := 0; i < len(e)/offsetEntrySize; i++ {
			_, p := offsetEntry(e, i)
			got = append(got, int64(p))
		}
		if len(got) != len(want) {
			t.Fatalf("interval %d: %d entries, want %d", interval, len(got), len(want))
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("interval %d: entry %d at %d, want %d", interval, i, got[i], want[i])
			}
		}
		l.Close()
	}
}

// TestIndexWriteBehind checks that index entries reach the file in
// pendingWriteBytes chunks and that sync and release write the rest.
func TestIndexWriteBehind(t *testing.T) {
	path := filepath.Join(t.TempDir(), "00000000000000000000.index")
	x, err := openIndex(path, offsetEntrySize, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	onDisk := func() int {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		n := len(b) / offsetEntrySize
		for n > 0 && allZero(b[(n-1)*offsetEntrySize:n*offsetEntrySize]) {
			n--
		}
		return n
	}
	chunk := pendingWriteBytes / offsetEntrySize
	for i := 1; i < chunk; i++ {
		if err := x.appendOffset(0, int64(i), int64(i*100)); err != nil {
			t.Fatal(err)
		}
	}
	if got := onDisk(); got != 0 {
		t.Fatalf("%d entries written before a chunk filled", got)
	}
	if err := x.appendOffset(0, int64(chunk), int64(chunk*100)); err != nil {
		t.Fatal(err)
	}
	if got := onDisk(); got != chunk {
		t.Fatalf("%d entries on disk after a full chunk, want %d", got, chunk)
	}
	if err := x.appendOffset(0, int64(chunk+1), int64(chunk*100+100)); err != nil {
		t.Fatal(err)
	}
	if err := x.sync(); err != nil {
		t.Fatal(err)
	}
	if got := onDisk(); got != chunk+1 {
		t.Fatalf("%d entries on disk after sync, want %d", got, chunk+1)
	}
	x.truncateEntries(10)
	if err := x.appendOffset(0, 11, 5000); err != nil {
		t.Fatal(err)
	}
	if err := x.release(); err != nil {
		t.Fatal(err)
	}
	y, err := openIndex(path, offsetEntrySize, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	defer y.release()
	e := y.entries()
	if rel, pos := offsetEntry(e, 10); rel != 11 || pos != 5000 {
		t.Fatalf("entry 10 after truncate, append and release: %d at %d", rel, pos)
	}
}
