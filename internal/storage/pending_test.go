package storage

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestSyncOnFlush: files left to the next flush are fsynced by it once,
// a file removed meanwhile is skipped, and a failed fsync fails the flush
// and keeps the files for the next one.
func TestSyncOnFlush(t *testing.T) {
	dir := t.TempDir()
	l := openTest(t, dir, testConfig())
	defer l.Close()
	var synced []string
	fail := false
	orig := syncFile
	syncFile = func(path string) error {
		if fail {
			return errors.New("disk gone")
		}
		synced = append(synced, filepath.Base(path))
		return orig(path)
	}
	defer func() { syncFile = orig }()

	kept, gone := filepath.Join(dir, "a.snapshot"), filepath.Join(dir, "b.snapshot")
	for _, p := range []string{kept, gone} {
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		l.SyncOnFlush(p)
	}
	if err := os.Remove(gone); err != nil {
		t.Fatal(err)
	}
	if len(synced) != 0 {
		t.Fatalf("synced %v before any flush", synced)
	}
	// Nothing appended: the recovery point is at the log end, and the
	// pending files are synced all the same.
	if err := l.Flush(); err != nil {
		t.Fatal(err)
	}
	if want := []string{"a.snapshot", "b.snapshot"}; !slices.Equal(synced, want) {
		t.Fatalf("synced %v, want %v", synced, want)
	}
	synced = nil
	if err := l.Flush(); err != nil || len(synced) != 0 {
		t.Fatalf("second flush synced %v (err %v), want nothing", synced, err)
	}

	l.SyncOnFlush(kept)
	fail = true
	mustAppend(t, l, makeBatch(1, 1, 1, 10), AppendOptions{})
	if err := l.Flush(); err == nil {
		t.Fatal("a failed fsync of a pending file must fail the flush")
	}
	if l.RecoveryPoint() != 0 {
		t.Fatalf("recovery point %d advanced past a failed flush", l.RecoveryPoint())
	}
	fail = false
	if err := l.Flush(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(synced, []string{"a.snapshot"}) || l.RecoveryPoint() != 1 {
		t.Fatalf("after the retry synced %v, recovery point %d", synced, l.RecoveryPoint())
	}
}
