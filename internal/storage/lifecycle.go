package storage

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Close flushes the log, writes the final time index entry, trims the
// active segment's indexes and closes every file. Segments awaiting
// deletion are removed now.
func (l *Log) Close() error {
	return l.close(true)
}

func (l *Log) close(flush bool) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed.Swap(true) {
		return nil
	}
	var errs []error
	if flush {
		errs = append(errs, l.Flush(), l.active().onInactive(), l.active().sync())
	} else {
		// A crash, a failed dir or a deletion: the active segment's files
		// stay as they are (preallocated indexes untrimmed), as after kill -9.
		l.flushMu.Lock()
		//lint:ignore SA2001 the empty section waits for a running flush to finish
		l.flushMu.Unlock()
	}
	for _, s := range l.segments() {
		errs = append(errs, s.close())
	}
	l.deleter.flush()
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("storage: close %s: %w", l.tp, err)
	}
	return nil
}

// Delete closes the log without flushing and removes its directory: it is
// renamed "<topic>-<partition>.<uuid hex>-delete" first, as Kafka does, so
// a crash midway leaves a directory the Manager removes on start.
func (l *Log) Delete() error {
	if err := l.close(false); err != nil {
		l.logger.Warn("storage: close before delete", "err", err)
	}
	dst := filepath.Join(filepath.Dir(l.dir), deleteDirName(l.tp.Topic, l.tp.Partition))
	if err := os.Rename(l.dir, dst); err != nil {
		return fmt.Errorf("storage: delete %s: %w", l.tp, err)
	}
	if err := os.RemoveAll(dst); err != nil {
		return fmt.Errorf("storage: delete %s: %w", l.tp, err)
	}
	return nil
}

// deleteDirSuffix marks a partition directory being deleted.
const deleteDirSuffix = "-delete"

// deleteDirName is Kafka's UnifiedLog.logDeleteDirName: the topic
// (shortened so the name fits 255 bytes), partition, a random UUID in hex.
func deleteDirName(topic string, partition int32) string {
	var id [16]byte
	rand.Read(id[:])
	suffix := fmt.Sprintf("-%d.%s%s", partition, hex.EncodeToString(id[:]), deleteDirSuffix)
	if n := 255 - len(suffix); len(topic) > n {
		topic = topic[:n]
	}
	return topic + suffix
}
