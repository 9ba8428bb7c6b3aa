package storage

import (
	"errors"
	"io/fs"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gofka/gofka/internal/storage/checkpoint"
)

// TestFaultTakesDirOffline: an injected flush or checkpoint error in the
// Manager's background tasks takes only that dir offline and reports it
// through OnDirOffline; a read error is returned to the caller.
func TestFaultTakesDirOffline(t *testing.T) {
	for _, tc := range []struct {
		name string
		op   FaultOp
		cfg  func(*ManagerConfig)
	}{
		{"flush", FaultFlush, func(c *ManagerConfig) { c.FlushCheckInterval = time.Millisecond }},
		{"checkpoint", FaultCheckpoint, func(c *ManagerConfig) { c.RecoveryCheckpointInterval = time.Millisecond }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, b := t.TempDir(), t.TempDir()
			var mu sync.Mutex
			var gone []checkpoint.TopicPartition
			c := managerConfig(a, b)
			c.OnDirOffline = func(dir string, tps []checkpoint.TopicPartition) {
				mu.Lock()
				gone = append(gone, tps...)
				mu.Unlock()
			}
			tc.cfg(&c)
			m := openManager(t, c, testConfig())
			defer m.Close()
			lc := segConfig()
			lc.FlushMs = 1
			la, _ := m.GetOrCreate(testTP, checkpoint.UUID{1}, lc)
			lb, _ := m.GetOrCreate(checkpoint.TopicPartition{Topic: "other"}, checkpoint.UUID{2}, lc)
			m.SetFaultHook(failOn(tc.op, a, la.Dir()))
			mustAppend(t, la, makeBatch(1, 1, 1, 1), AppendOptions{})
			waitFor(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(gone) > 0 })
			mu.Lock()
			defer mu.Unlock()
			if m.DirOnline(a) || len(gone) != 1 || gone[0] != testTP || !m.DirOnline(b) {
				t.Fatalf("offline %v", gone)
			}
			mustAppend(t, lb, makeBatch(1, 1, 1, 1), AppendOptions{})
		})
	}
}

// failOn returns a hook failing op on either path with EIO.
func failOn(op FaultOp, paths ...string) FaultHook {
	return func(o FaultOp, path string) error {
		for _, p := range paths {
			if o == op && path == p {
				return &fs.PathError{Op: "injected", Path: path, Err: syscall.EIO}
			}
		}
		return nil
	}
}

func TestFaultRead(t *testing.T) {
	m, a, _ := twoDirManager(t)
	defer m.Close()
	l, _ := m.GetOrCreate(testTP, checkpoint.UUID{1}, segConfig())
	mustAppend(t, l, makeBatch(1, 1, 1, 1), AppendOptions{})
	m.SetFaultHook(failOn(FaultRead, l.Dir()))
	if _, err := l.Read(0, 100, 1, true); !errors.Is(err, syscall.EIO) {
		t.Fatalf("read: %v", err)
	}
	m.SetFaultHook(nil)
	if _, err := l.Read(0, 100, 1, true); err != nil || !m.DirOnline(a) {
		t.Fatalf("read: %v", err)
	}
}
