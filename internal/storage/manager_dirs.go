package storage

import (
	"errors"
	"slices"

	"github.com/gofka/gofka/internal/storage/checkpoint"
)

// This file holds the Manager's JBOD operations: moving a partition to
// another log dir (AlterReplicaLogDirs) and taking a failed dir offline.

// ErrMoving means the partition is being moved between log dirs.
var ErrMoving = errors.New("storage: partition is moving between log dirs")

// ErrDirOffline means a log dir failed and was taken offline.
var ErrDirOffline = errors.New("storage: log dir offline")

// futureSuffix names the copy of a partition being moved into a log dir.
const futureSuffix = "-future"

// MarkDirOffline takes a failed log dir offline, as Kafka's
// LogDirFailureChannel does: its logs are closed without flushing (their
// readers and writers get ErrClosed) and no new partition is placed there.
// Partitions in other dirs are unaffected. It returns the partitions that
// went offline and passes them to ManagerConfig.OnDirOffline.
func (m *Manager) MarkDirOffline(dir string) []checkpoint.TopicPartition {
	m.mu.Lock()
	if m.mu.offline[dir] || !slices.Contains(m.cfg.Dirs, dir) {
		m.mu.Unlock()
		return nil
	}
	m.mu.offline[dir] = true
	var gone []*Log
	var tps []checkpoint.TopicPartition
	for tp, d := range m.mu.dirOf {
		if d == dir {
			gone = append(gone, m.mu.logs[tp])
			tps = append(tps, tp)
		}
	}
	m.mu.Unlock()
	for _, l := range gone {
		l.close(false)
	}
	m.cfg.Logger.Error("storage: log dir offline", "dir", dir, "partitions", len(tps))
	if m.cfg.OnDirOffline != nil {
		m.cfg.OnDirOffline(dir, tps)
	}
	return tps
}

// OfflineDirs lists the log dirs taken offline.
func (m *Manager) OfflineDirs() []string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	var out []string
	for _, d := range m.cfg.Dirs {
		if m.mu.offline[d] {
			out = append(out, d)
		}
	}
	return out
}

// DirOnline reports whether dir is a log dir that has not failed.
func (m *Manager) DirOnline(dir string) bool {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return slices.Contains(m.cfg.Dirs, dir) && !m.mu.offline[dir]
}
