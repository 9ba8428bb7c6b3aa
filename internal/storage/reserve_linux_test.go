//go:build linux

package storage

import (
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
)

// allocated is the bytes of disk blocks the file holds.
func allocated(t *testing.T, path string) (size, blocks int64) {
	t.Helper()
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		t.Fatal(err)
	}
	return st.Size, st.Blocks * 512
}

// TestReserveAhead checks the active segment's blocks allocated past its
// data (reserve.go): the file's size stays the data's, the reservation
// grows with the segment and is released on roll and on close, and
// recovery after a crash reads only the data.
func TestReserveAhead(t *testing.T) {
	dir := t.TempDir()
	c := testConfig()
	c.SegmentBytes = 4 << 20
	l := openTest(t, dir, c)
	b := makeBatch(10, 1, 1, 1000) // about 10 KiB
	first := filepath.Join(dir, "00000000000000000000.log")
	mustAppend(t, l, slices.Clone(b), AppendOptions{})
	size, blocks := allocated(t, first)
	if size != int64(len(b)) {
		t.Fatalf("size %d after one batch of %d", size, len(b))
	}
	if blocks < minReserve {
		t.Skipf("no blocks reserved ahead (%d bytes of blocks): the test dir is not on ext4", blocks)
	}
	for l.NumSegments() == 1 {
		mustAppend(t, l, slices.Clone(b), AppendOptions{})
	}
	// Rolled: the first segment holds its data and no more.
	size, blocks = allocated(t, first)
	if blocks > size+4096 {
		t.Fatalf("rolled segment: %d bytes of blocks for %d of data", blocks, size)
	}
	want := l.LogEndOffset()
	active := filepath.Join(dir, segFiles(t, dir, ".log")[1])
	if size, blocks = allocated(t, active); blocks < minReserve || blocks < size {
		t.Fatalf("active segment: %d bytes of blocks for %d of data, want a reservation", blocks, size)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if size, blocks = allocated(t, active); blocks > size+4096 {
		t.Fatalf("closed segment: %d bytes of blocks for %d of data", blocks, size)
	}
	l = openTest(t, dir, c)
	defer l.Close()
	if got := l.LogEndOffset(); got != want {
		t.Fatalf("reopened: log end %d, want %d", got, want)
	}
	mustAppend(t, l, slices.Clone(b), AppendOptions{})
	if l.LogEndOffset() != want+10 {
		t.Fatalf("log end %d after one more batch", l.LogEndOffset())
	}
	if st, err := os.Stat(active); err != nil || st.Size() != size+int64(len(b)) {
		t.Fatalf("active segment size %v %v, want %d", st, err, size+int64(len(b)))
	}
}

// TestReserveAfterTruncate checks that a truncation, which releases the
// blocks past the data, makes the next append reserve again.
func TestReserveAfterTruncate(t *testing.T) {
	dir := t.TempDir()
	c := testConfig()
	c.SegmentBytes = 4 << 20
	l := openTest(t, dir, c)
	defer l.Close()
	b := makeBatch(10, 1, 1, 1000)
	for i := 0; i < 4; i++ {
		mustAppend(t, l, slices.Clone(b), AppendOptions{})
	}
	path := filepath.Join(dir, "00000000000000000000.log")
	if _, blocks := allocated(t, path); blocks < minReserve {
		t.Skipf("no blocks reserved ahead (%d bytes of blocks): the test dir is not on ext4", blocks)
	}
	if err := l.TruncateTo(20); err != nil {
		t.Fatal(err)
	}
	if size, blocks := allocated(t, path); blocks > size+4096 {
		t.Fatalf("truncated: %d bytes of blocks for %d of data", blocks, size)
	}
	mustAppend(t, l, slices.Clone(b), AppendOptions{})
	if size, blocks := allocated(t, path); blocks < minReserve || size != 3*int64(len(b)) {
		t.Fatalf("after truncate and append: %d bytes of blocks for %d of data, want a reservation", blocks, size)
	}
}
