package storage

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// openFiles counts this process's open files under dir by suffix.
func openFiles(t *testing.T, dir string) map[string]int {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd")
	}
	out := map[string]int{}
	for _, fd := range fds {
		p, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name()))
		if err == nil && strings.HasPrefix(p, dir+string(os.PathSeparator)) {
			out[filepath.Ext(p)]++
		}
	}
	return out
}

// TestInactiveSegmentsKeepOneFile: a flushed inactive segment keeps only
// its .log open, as in Kafka, and its indexes still serve lookups; after
// a truncation into it the segment is active again and its indexes are
// written through reopened files; a reopened log holds the same files.
func TestInactiveSegmentsKeepOneFile(t *testing.T) {
	dir := t.TempDir()
	l := openTest(t, dir, testConfig())
	for i := range 60 {
		mustAppend(t, l, makeBatch(4, int64(1000+i), int64(1000+i), 60), AppendOptions{})
	}
	segs := len(l.segments())
	if segs < 5 {
		t.Fatalf("%d segments, want several", segs)
	}
	if err := l.Flush(); err != nil {
		t.Fatal(err)
	}
	check := func(when string, segs int) {
		t.Helper()
		want := map[string]int{".log": segs, ".index": 1, ".timeindex": 1}
		if got := openFiles(t, dir); got[".log"] != want[".log"] || got[".index"] != 1 || got[".timeindex"] != 1 {
			t.Fatalf("%s: open files %v, want %v", when, got, want)
		}
	}
	check("after flush", segs)
	old := l.segments()[1]
	if x := old.offIdx; x.count() == 0 || lookupOffset(x.entries(), 1<<30) == 0 {
		t.Fatalf("released index of segment %d has no entries", old.base)
	}
	if s, err := l.Read(old.base+5, 1<<20, l.LogEndOffset(), true); err != nil || s.Size == 0 {
		t.Fatalf("read from an inactive segment: %+v %v", s, err)
	}

	if err := l.TruncateTo(old.base + 4); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		mustAppend(t, l, makeBatch(4, int64(2000+i), int64(2000+i), 60), AppendOptions{})
	}
	if err := l.Flush(); err != nil {
		t.Fatal(err)
	}
	check("after truncating into segment 1 and appending", len(l.segments()))

	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	l = openTest(t, dir, testConfig())
	defer l.Close()
	check("after a clean reopen", len(l.segments()))
	if s, err := l.Read(old.base+5, 1<<20, l.LogEndOffset(), true); err != nil || s.Size == 0 {
		t.Fatalf("read after reopen: %+v %v", s, err)
	}
}
