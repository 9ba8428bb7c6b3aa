package storage

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
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

// MoveLog moves tp's log to the log dir dest and returns the reopened
// log; the old Log is closed. The copy is written as
// <dest>/<topic>-<partition>-future, fsynced and renamed, then the source
// directory is deleted, so a crash leaves one complete copy (a leftover
// -future directory is removed on start; of two complete copies the
// first dir in log.dirs order is kept). The partition is unavailable
// (ErrClosed, then absent) while it moves; the caller pauses cleaning.
func (m *Manager) MoveLog(tp checkpoint.TopicPartition, dest string) (*Log, error) {
	l, src, err := m.beginMove(tp, dest)
	if err != nil || l == nil {
		return l, err
	}
	defer m.endMove(tp)
	opts := Options{Config: l.config(), LogStartOffset: l.LogStartOffset(), HighWatermark: l.HighWatermark(),
		Clean: true, Now: m.cfg.Now, Logger: m.cfg.Logger}
	cleanerOff := l.CleanerCheckpoint()
	if err := l.Close(); err != nil {
		return nil, m.reopen(tp, src, opts, err)
	}
	opts.RecoveryPoint = l.LogEndOffset()
	final := filepath.Join(dest, tp.String())
	if err := copyDir(l.Dir(), final+futureSuffix); err != nil {
		os.RemoveAll(final + futureSuffix)
		return nil, m.reopen(tp, src, opts, err)
	}
	if err := os.Rename(final+futureSuffix, final); err != nil {
		return nil, m.reopen(tp, src, opts, fmt.Errorf("storage: move %s: %w", tp, err))
	}
	if err := syncDir(dest); err != nil {
		return nil, m.reopen(tp, src, opts, err)
	}
	removeDir(l.Dir(), tp)
	nl, err := Open(final, tp, opts)
	if err != nil {
		return nil, err
	}
	nl.SetCleanerCheckpoint(cleanerOff)
	m.mu.Lock()
	m.mu.logs[tp], m.mu.dirOf[tp] = nl, dest
	m.mu.Unlock()
	return nl, m.Checkpoint()
}

// beginMove checks the move and takes tp out of the Manager; a nil log
// with no error means tp is already in dest.
func (m *Manager) beginMove(tp checkpoint.TopicPartition, dest string) (*Log, string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	l, src := m.mu.logs[tp], m.mu.dirOf[tp]
	switch {
	case m.mu.closed:
		return nil, "", ErrClosed
	case !slices.Contains(m.cfg.Dirs, dest):
		return nil, "", fmt.Errorf("storage: %s is not a log dir", dest)
	case m.mu.offline[dest] || m.mu.offline[src]:
		return nil, "", ErrDirOffline
	case m.mu.moving[tp]:
		return nil, "", ErrMoving
	case l == nil:
		return nil, "", fmt.Errorf("storage: no log for %s", tp)
	case src == dest:
		return m.mu.logs[tp], src, nil
	}
	m.mu.moving[tp] = true
	delete(m.mu.logs, tp)
	delete(m.mu.dirOf, tp)
	return l, src, nil
}

func (m *Manager) endMove(tp checkpoint.TopicPartition) {
	m.mu.Lock()
	delete(m.mu.moving, tp)
	m.mu.Unlock()
}

// reopen puts the source log back after a failed move.
func (m *Manager) reopen(tp checkpoint.TopicPartition, src string, opts Options, cause error) error {
	l, err := Open(filepath.Join(src, tp.String()), tp, opts)
	if err != nil {
		return errors.Join(cause, err)
	}
	m.mu.Lock()
	m.mu.logs[tp], m.mu.dirOf[tp] = l, src
	m.mu.Unlock()
	return cause
}

// removeDir deletes a partition directory through a -delete rename.
func removeDir(dir string, tp checkpoint.TopicPartition) {
	dst := filepath.Join(filepath.Dir(dir), deleteDirName(tp.Topic, tp.Partition))
	if os.Rename(dir, dst) == nil {
		os.RemoveAll(dst)
	}
}

// copyDir copies the regular files of src into a new directory dst,
// fsyncing each file and dst.
func copyDir(src, dst string) error {
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return fmt.Errorf("storage: move: %w", err)
	}
	ents, err := os.ReadDir(src)
	if err != nil {
		return fmt.Errorf("storage: move: %w", err)
	}
	for _, e := range ents {
		if e.Type().IsRegular() {
			if err := copyFile(filepath.Join(src, e.Name()), filepath.Join(dst, e.Name())); err != nil {
				return err
			}
		}
	}
	return syncDir(dst)
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("storage: move: %w", err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("storage: move: %w", err)
	}
	_, err = io.Copy(out, in)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("storage: move %s: %w", filepath.Base(src), err)
	}
	return nil
}

// MarkDirOffline takes a failed log dir offline, as Kafka's
// LogDirFailureChannel does: its logs are closed without flushing (their
// readers and writers get ErrClosed) and no new partition is placed there.
// Partitions in other dirs are unaffected. It returns the partitions that
// went offline.
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
