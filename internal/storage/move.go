package storage

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/gofka/gofka/internal/storage/checkpoint"
)

// moveCatchUpBytes is the remainder below which a move stops its
// background catch-up rounds and copies the rest under the append lock.
const moveCatchUpBytes = 1 << 20

// moveMaxRounds bounds the background catch-up rounds of a move.
const moveMaxRounds = 20

// MoveLog moves tp's log to the log dir dest online, as Kafka does with a
// future replica, and returns the reopened log. The segments are copied
// to <dest>/<topic>-<partition>-future in the background while the log
// keeps serving appends and reads; catch-up rounds copy what was appended
// meanwhile until the remainder is small. Then, under the log's append
// lock, the old log stops taking appends and reads (ErrClosed, which
// callers treat as retriable), the rest and the index, epoch and
// producer-state files are copied, fsynced, and the future directory is
// renamed into place and opened. Readers holding Slices of the old log
// keep working: its files stay open for file.delete.delay.ms. A crash
// leaves one complete copy (a leftover -future directory is removed on
// start; of two complete copies the first dir in log.dirs order is kept).
// The caller pauses cleaning.
func (m *Manager) MoveLog(tp checkpoint.TopicPartition, dest string) (*Log, error) {
	l, src, err := m.beginMove(tp, dest)
	if err != nil || src == dest {
		return l, err
	}
	defer m.endMove(tp)
	final := filepath.Join(dest, tp.String())
	c := newFutureCopy(l, final+futureSuffix)
	if err := c.catchUp(); err != nil {
		os.RemoveAll(c.dst)
		return nil, err
	}
	opts, err := m.swap(l, c, final)
	if err != nil {
		os.RemoveAll(c.dst)
		return nil, m.reopen(tp, src, opts, err)
	}
	return m.openMoved(l, final, dest, opts)
}

// swap stops l under its append lock, finishes the copy and renames the
// future directory to final. It returns the options to open either copy.
func (m *Manager) swap(l *Log, c *futureCopy, final string) (Options, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	opts := Options{Config: l.config(), LogStartOffset: l.LogStartOffset(), HighWatermark: l.HighWatermark(),
		Clean: true, Now: m.cfg.Now, Logger: m.cfg.Logger}
	l.closed.Store(true)
	err := errors.Join(l.Flush(), l.active().onInactive(), l.active().sync())
	opts.RecoveryPoint = l.LogEndOffset()
	if err == nil {
		err = c.finish()
	}
	if err == nil {
		err = renameSynced(c.dst, final)
	}
	if err != nil {
		l.closeFilesLocked()
	}
	return opts, err
}

// openMoved opens the moved log, registers it and retires the old one.
func (m *Manager) openMoved(old *Log, final, dest string, opts Options) (*Log, error) {
	m.retire(old)
	nl, err := Open(final, old.tp, opts)
	if err != nil {
		return nil, err
	}
	nl.SetCleanerCheckpoint(old.CleanerCheckpoint())
	m.mu.Lock()
	m.registerLocked(old.tp, nl, dest)
	m.mu.Unlock()
	return nl, m.Checkpoint()
}

// retire removes a moved-away log's directory; its segment files stay
// open for file.delete.delay.ms so readers' Slices stay valid.
func (m *Manager) retire(l *Log) {
	delay := time.Duration(l.config().FileDeleteDelayMs) * time.Millisecond
	l.deleter.flush()
	for _, s := range l.segments() {
		m.retired.schedule(s, delay)
	}
	removeDir(l.Dir(), l.tp)
}

// closeFilesLocked closes a stopped log's files after a failed move.
func (l *Log) closeFilesLocked() {
	for _, s := range l.segments() {
		s.close()
	}
	l.deleter.flush()
}

func renameSynced(from, to string) error {
	if err := os.Rename(from, to); err != nil {
		return fmt.Errorf("storage: move: %w", err)
	}
	return syncDir(filepath.Dir(to))
}

// beginMove checks the move and marks tp moving; the log keeps serving.
// It returns src == dest when tp is already in dest.
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
		return l, src, nil
	}
	m.mu.moving[tp] = true
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
		m.mu.Lock()
		delete(m.mu.logs, tp)
		delete(m.mu.dirOf, tp)
		m.mu.Unlock()
		return errors.Join(cause, err)
	}
	m.mu.Lock()
	m.registerLocked(tp, l, src)
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
