//go:build !linux

package wire

import (
	"net"
	"os"
)

// sendFile writes n bytes at off of f to nc with pread+write; sendfile(2)
// is only used on Linux.
func sendFile(nc net.Conn, f *os.File, off, n int64) error {
	return copyFile(nc, f, off, n)
}
