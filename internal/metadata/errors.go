package metadata

import (
	"errors"
	"fmt"
)

// ErrCorrupt is wrapped by every error that reports undecodable record or journal bytes.
var ErrCorrupt = errors.New("metadata: corrupt data")

// ErrUnknownRecord is wrapped when a framed record carries an api key with no generated type.
var ErrUnknownRecord = errors.New("metadata: unknown record type")

// ErrUnsupportedVersion is wrapped when a record version is outside the type's valid versions.
var ErrUnsupportedVersion = errors.New("metadata: unsupported record version")

// ErrInconsistent is wrapped when a record cannot be applied to an image, such as a
// partition of an unknown topic or a duplicate topic id.
var ErrInconsistent = errors.New("metadata: inconsistent record")

// ErrClosed is returned by a journal used after Close.
var ErrClosed = errors.New("metadata: journal closed")

func unsupportedVersion(name string, version int16) error {
	return fmt.Errorf("metadata: %s version %d: %w: %w", name, version, ErrUnsupportedVersion, ErrCorrupt)
}

func corruptf(format string, args ...any) error {
	return fmt.Errorf("metadata: "+format+": %w", append(args, ErrCorrupt)...)
}

func inconsistentf(format string, args ...any) error {
	return fmt.Errorf("metadata: "+format+": %w", append(args, ErrInconsistent)...)
}
