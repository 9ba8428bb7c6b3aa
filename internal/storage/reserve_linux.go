//go:build linux

package storage

import (
	"os"

	"golang.org/x/sys/unix"
)

// reservable reports whether reserving f's blocks ahead pays: on ext4,
// where it was measured. On tmpfs it would hold memory, and other file
// systems were not measured.
func reservable(f *os.File) bool {
	var st unix.Statfs_t
	return unix.Fstatfs(int(f.Fd()), &st) == nil && st.Type == unix.EXT4_SUPER_MAGIC
}

// fallocateKeepSize allocates [off, off+n) of f without changing its size.
func fallocateKeepSize(f *os.File, off, n int64) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var ferr error
	if err := rc.Control(func(fd uintptr) {
		for {
			ferr = unix.Fallocate(int(fd), unix.FALLOC_FL_KEEP_SIZE, off, n)
			if ferr != unix.EINTR {
				return
			}
		}
	}); err != nil {
		return err
	}
	return ferr
}
