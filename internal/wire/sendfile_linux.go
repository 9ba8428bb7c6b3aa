//go:build linux

package wire

import (
	"errors"
	"net"
	"os"
	"syscall"
)

// maxSendfileChunk bounds one sendfile(2) call (Linux moves at most
// 0x7ffff000 bytes per call).
const maxSendfileChunk = 1 << 30

// sendFile writes n bytes at off of f to nc. On a TCP or Unix socket it uses
// sendfile(2) with an explicit offset, so concurrent senders of the same
// *os.File never race on its file position; otherwise (e.g. TLS) it falls
// back to pread+write.
func sendFile(nc net.Conn, f *os.File, off, n int64) error {
	var sc syscall.Conn
	switch c := nc.(type) {
	case *net.TCPConn:
		sc = c
	case *net.UnixConn:
		sc = c
	default:
		return copyFile(nc, f, off, n)
	}
	dst, err := sc.SyscallConn()
	if err != nil {
		return err
	}
	src, err := f.SyscallConn()
	if err != nil {
		return copyFile(nc, f, off, n)
	}
	var serr error
	cerr := src.Control(func(ffd uintptr) {
		serr = sendfileFD(dst, int(ffd), off, n)
	})
	if cerr != nil {
		return cerr
	}
	return serr
}

// sendfileFD loops sendfile(2) from file descriptor ffd into the socket
// behind dst, waiting for writability through RawConn.Write on EAGAIN.
func sendfileFD(dst syscall.RawConn, ffd int, off, n int64) error {
	var serr error
	werr := dst.Write(func(sfd uintptr) bool {
		for n > 0 {
			m, err := syscall.Sendfile(int(sfd), ffd, &off, int(min(n, maxSendfileChunk)))
			if m > 0 {
				n -= int64(m)
			}
			switch {
			case errors.Is(err, syscall.EAGAIN):
				return false
			case errors.Is(err, syscall.EINTR):
				continue
			case err != nil:
				serr = err
				return true
			case m == 0:
				serr = ErrShortFile
				return true
			}
		}
		return true
	})
	if werr != nil {
		return werr
	}
	return serr
}
