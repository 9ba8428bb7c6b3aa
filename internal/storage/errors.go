package storage

import "errors"

var (
	// ErrOffsetOutOfRange means an offset is below the log start offset or
	// above the log end offset (or, for DeleteRecordsBefore, above the high
	// watermark).
	ErrOffsetOutOfRange = errors.New("storage: offset out of range")
	// ErrCorruptLog means the log holds data that does not frame as
	// RecordBatches where it must (outside recovery, which truncates it).
	ErrCorruptLog = errors.New("storage: corrupt log")
	// ErrClosed means the log or manager was closed.
	ErrClosed = errors.New("storage: closed")
	// ErrTopicIDMismatch means partition.metadata names another topic id
	// than the one the caller expects (the topic was deleted and recreated).
	ErrTopicIDMismatch = errors.New("storage: topic id mismatch")
	// ErrDirLocked means another process holds a log directory's lock.
	ErrDirLocked = errors.New("storage: log dir locked")
)

func isClosed(err error) bool { return errors.Is(err, ErrClosed) }
