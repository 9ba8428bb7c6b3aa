package sharerec

import (
	"errors"
	"fmt"
)

// ErrCorrupt is wrapped by every error that reports undecodable record bytes.
var ErrCorrupt = errors.New("sharerec: corrupt data")

// ErrUnsupportedVersion is wrapped when a record version is outside the type's valid versions.
var ErrUnsupportedVersion = errors.New("sharerec: unsupported record version")

// UUID is a Kafka uuid (a topic id).
type UUID [16]byte

func unsupportedVersion(name string, version int16) error {
	return fmt.Errorf("sharerec: %s version %d: %w: %w", name, version, ErrUnsupportedVersion, ErrCorrupt)
}

func corruptf(format string, args ...any) error {
	return fmt.Errorf("sharerec: "+format+": %w", append(args, ErrCorrupt)...)
}
