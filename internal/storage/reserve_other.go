//go:build !linux

package storage

import (
	"errors"
	"os"
)

// fallocateKeepSize is Linux-only: elsewhere segments are not reserved.
func fallocateKeepSize(*os.File, int64, int64) error {
	return errors.ErrUnsupported
}
