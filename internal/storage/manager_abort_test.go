package storage

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/gofka/gofka/internal/storage/checkpoint"
)

// Abort leaves no clean shutdown marker and no checkpoint, unlocks the
// dir, and the next open recovers every record.
func TestManagerAbort(t *testing.T) {
	dir := t.TempDir()
	m, l := fillManager(t, dir, 10)
	end := l.LogEndOffset()
	m.Abort()
	m.Abort() // idempotent
	if err := m.Close(); err != nil {
		t.Fatalf("Close after Abort: %v", err)
	}
	for _, name := range []string{checkpoint.CleanShutdownFile, "recovery-point-offset-checkpoint"} {
		if _, err := os.Stat(filepath.Join(dir, name)); !os.IsNotExist(err) {
			t.Errorf("%s after Abort: %v", name, err)
		}
	}
	m2 := openManager(t, managerConfig(dir), segConfig())
	defer m2.Close()
	l2 := m2.Get(testTP)
	if l2 == nil || l2.LogEndOffset() != end {
		t.Fatalf("reopened after Abort: log %v", l2)
	}
}
