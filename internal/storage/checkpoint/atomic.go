package checkpoint

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// filePerm is the mode of files written here, what Kafka's files get under
// the usual umask 022.
const filePerm = 0o644

// TempSuffix ends the name of every temp file WriteFileAtomic creates
// ("<name>.<random>.tmp"); one left behind by a crash can be deleted.
const TempSuffix = ".tmp"

// WriteFileAtomic writes data to path through a temp file in the same
// directory, fsyncs it, renames it over path and fsyncs the directory, so a
// reader sees either the old content or the new, never a torn file.
func WriteFileAtomic(path string, data []byte) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, base+".*"+TempSuffix)
	if err != nil {
		return fmt.Errorf("checkpoint: write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			_ = os.Remove(tmp.Name())
		}
	}()
	if err := writeAndSync(tmp, data); err != nil {
		return fmt.Errorf("checkpoint: write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("checkpoint: write %s: %w", path, err)
	}
	if err := SyncDir(dir); err != nil {
		return fmt.Errorf("checkpoint: write %s: %w", path, err)
	}
	return nil
}

// writeAndSync fills f, makes its mode filePerm, fsyncs and closes it.
func writeAndSync(f *os.File, data []byte) error {
	_, err := f.Write(data)
	if err == nil {
		err = f.Chmod(filePerm)
	}
	if err == nil {
		err = f.Sync()
	}
	return errors.Join(err, f.Close())
}

// SyncDir fsyncs a directory so that entries created, renamed or removed in
// it are durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("checkpoint: sync dir: %w", err)
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("checkpoint: sync dir %s: %w", dir, err)
	}
	return nil
}
