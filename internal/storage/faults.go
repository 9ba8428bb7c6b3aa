package storage

import (
	"errors"
	"sync/atomic"

	"github.com/gofka/gofka/internal/storage/checkpoint"
)

// This file holds the log dir failure channel, as Kafka's
// LogDirFailureChannel: an I/O error reading a segment, flushing a log or
// writing a dir's checkpoints takes that dir offline (MarkDirOffline),
// and the Manager's OnDirOffline callback tells its owner. A FaultHook
// injects such errors in tests without breaking the filesystem.

// FaultOp names the I/O a FaultHook is asked about.
type FaultOp int

// The I/O operations a FaultHook can fail.
const (
	FaultRead       FaultOp = iota // Log.Read of a segment
	FaultFlush                     // fsync of a segment by a flush
	FaultCheckpoint                // a dir's checkpoint file write
)

// FaultHook returns a non-nil error to fail op on path (a partition or
// log dir) as if the I/O had failed. For tests only.
type FaultHook func(op FaultOp, path string) error

// faultSlot holds a Manager's FaultHook, shared with its logs.
type faultSlot struct{ hook atomic.Pointer[FaultHook] }

// check asks the hook, if any, about op on path.
func (f *faultSlot) check(op FaultOp, path string) error {
	if f == nil {
		return nil
	}
	if h := f.hook.Load(); h != nil {
		return (*h)(op, path)
	}
	return nil
}

// SetFaultHook installs h (nil removes it) for every log of the Manager.
func (m *Manager) SetFaultHook(h FaultHook) {
	if h == nil {
		m.faults.hook.Store(nil)
		return
	}
	m.faults.hook.Store(&h)
}

// register adds l to the Manager in dir; the caller holds m.mu.
func (m *Manager) registerLocked(tp checkpoint.TopicPartition, l *Log, dir string) {
	l.faults = &m.faults
	m.mu.logs[tp], m.mu.dirOf[tp] = l, dir
}

// failLogOf takes l's dir offline after an I/O error on it; errors of a
// closed log are not failures.
func (m *Manager) failLogOf(l *Log, err error) {
	if err == nil || isClosed(err) || errors.Is(err, ErrOffsetOutOfRange) {
		return
	}
	m.mu.RLock()
	dir, ok := m.mu.dirOf[l.tp]
	ok = ok && m.mu.logs[l.tp] == l
	m.mu.RUnlock()
	if ok {
		m.MarkDirOffline(dir)
	}
}
