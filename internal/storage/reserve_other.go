//go:build !linux

package storage

import (
	"errors"
	"os"
)

// Reserving blocks ahead is Linux-only (ext4).
func reservable(*os.File) bool { return false }

func fallocateKeepSize(*os.File, int64, int64) error {
	return errors.ErrUnsupported
}
