package record

import (
	"errors"
	"fmt"
)

var (
	// ErrInvalidRecord means a batch's records are malformed or disagree
	// with its header: Kafka's InvalidRecordException, reported to
	// producers as INVALID_RECORD. Errors matching it also match
	// ErrCorrupt, so callers mapping error codes test it first.
	ErrInvalidRecord = errors.New("record: invalid record")
	// ErrTooLarge means a compressed batch would inflate beyond
	// MaxDecompressed. Errors matching it also match ErrCorrupt.
	ErrTooLarge = errors.New("record: decompressed size over limit")
)

// recordError is an error that matches several sentinels at once, with
// one readable message.
type recordError struct {
	msg string
	is  []error
}

func (e *recordError) Error() string   { return "record: " + e.msg }
func (e *recordError) Unwrap() []error { return e.is }

// invalidf reports malformed records (ErrInvalidRecord and ErrCorrupt).
func invalidf(format string, args ...any) error {
	return &recordError{msg: fmt.Sprintf(format, args...), is: []error{ErrInvalidRecord, ErrCorrupt}}
}

// corruptf reports a malformed batch (ErrCorrupt).
func corruptf(format string, args ...any) error {
	return &recordError{msg: fmt.Sprintf(format, args...), is: []error{ErrCorrupt}}
}

// shortf reports a truncated batch (ErrShort and ErrCorrupt).
func shortf(format string, args ...any) error {
	return &recordError{msg: fmt.Sprintf(format, args...), is: []error{ErrShort, ErrCorrupt}}
}

// tooLargef reports a decompression bomb (ErrTooLarge and ErrCorrupt).
func tooLargef(format string, args ...any) error {
	return &recordError{msg: fmt.Sprintf(format, args...), is: []error{ErrTooLarge, ErrCorrupt}}
}

// codecErr wraps a codec library's error as a corrupt batch.
func codecErr(c Codec, err error) error {
	return &recordError{msg: fmt.Sprintf("%s: %v", c, err), is: []error{ErrCorrupt, err}}
}
