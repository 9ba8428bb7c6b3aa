package storage

import (
	"errors"
	"fmt"
	"os"
	"sync"
)

// SyncOnFlush leaves the fsync of the file at path, beside the log's
// segments, to the log's next flush: the background flusher's check runs
// within log.flush.scheduler.interval.ms (and a clean close flushes). It
// is for files written on the append path, such as the producer state
// snapshot taken when an append rolls a segment, which Kafka's roll also
// writes without fsync and leaves to its flush scheduler: an fsync there
// waits for the journal commit that the rolled segment's own writeback
// holds up, and stalled Produce requests by hundreds of milliseconds. A
// file removed before then is skipped. A crash before the fsync may leave
// the file torn or empty, so its reader must check it (a snapshot's CRC).
func (l *Log) SyncOnFlush(path string) { l.pending.add(path) }

// pendingSyncs is the list of files awaiting an fsync by the next flush.
type pendingSyncs struct {
	mu    sync.Mutex
	paths []string
}

func (p *pendingSyncs) add(path string) {
	p.mu.Lock()
	p.paths = append(p.paths, path)
	p.mu.Unlock()
}

// sync fsyncs and forgets the pending files; the caller holds flushMu.
// On an error the files not yet synced stay pending.
func (p *pendingSyncs) sync() error {
	p.mu.Lock()
	paths := p.paths
	p.paths = nil
	p.mu.Unlock()
	for i, path := range paths {
		if err := syncFile(path); err != nil {
			p.mu.Lock()
			p.paths = append(paths[i:len(paths):len(paths)], p.paths...)
			p.mu.Unlock()
			return err
		}
	}
	return nil
}

// syncFile fsyncs the file at path; a file that is gone is not an error.
// A variable so that tests can see the calls.
var syncFile = func(path string) error {
	if err := fsyncPath(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("storage: fsync %s: %w", path, err)
	}
	return nil
}

// fsyncPath fsyncs the file or directory at path.
func fsyncPath(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	return errors.Join(f.Sync(), f.Close())
}
