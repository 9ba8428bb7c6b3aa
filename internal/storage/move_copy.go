package storage

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// futureCopy copies a live log into its -future directory: the .log
// bytes incrementally while the log serves, the rest when it is stopped.
type futureCopy struct {
	src         *Log
	dst         string
	copied      map[*segment]int64 // .log bytes copied per segment
	truncations int64              // src.truncations when copying began
}

func newFutureCopy(src *Log, dst string) *futureCopy {
	return &futureCopy{src: src, dst: dst, copied: map[*segment]int64{}, truncations: src.truncations.Load()}
}

// catchUp copies the segments in rounds until a round copies little.
func (c *futureCopy) catchUp() error {
	if err := os.MkdirAll(c.dst, 0o755); err != nil {
		return fmt.Errorf("storage: move: %w", err)
	}
	for range moveMaxRounds {
		n, err := c.round()
		if err != nil || n < moveCatchUpBytes {
			return err
		}
	}
	return nil
}

// round copies the .log bytes written since the last round.
func (c *futureCopy) round() (int64, error) {
	var total int64
	for _, s := range c.src.segments() {
		n, err := c.copySegment(s)
		if err != nil {
			return total, err
		}
		total += n
	}
	return total, nil
}

// copySegment appends s's new bytes to its copy and fsyncs it. A segment
// deleted meanwhile (its file closed) is skipped; finish drops its copy.
func (c *futureCopy) copySegment(s *segment) (int64, error) {
	size := s.size.Load()
	done, seen := c.copied[s]
	if seen && size == done {
		return 0, nil
	}
	f, err := os.OpenFile(filepath.Join(c.dst, segmentName(s.base)+logSuffix), os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		return 0, fmt.Errorf("storage: move: %w", err)
	}
	if size < done { // truncated: copy it again
		done = 0
	}
	err = f.Truncate(done)
	if err == nil {
		_, err = io.Copy(io.NewOffsetWriter(f, done), io.NewSectionReader(s.log, done, size-done))
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if errors.Is(err, os.ErrClosed) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("storage: move segment %d: %w", s.base, err)
	}
	c.copied[s] = size
	return size - done, nil
}

// finish runs with the source stopped under its append lock: the last
// bytes, the removal of copies of deleted segments, then every other
// file (indexes, epoch cache, producer snapshots, partition.metadata).
func (c *futureCopy) finish() error {
	if c.src.truncations.Load() != c.truncations {
		clear(c.copied) // the tail was rewritten: copy it all again
	}
	if _, err := c.round(); err != nil {
		return err
	}
	if err := c.dropDeleted(); err != nil {
		return err
	}
	if err := c.copyOthers(); err != nil {
		return err
	}
	return syncDir(c.dst)
}

// dropDeleted removes the copies of segments the source no longer has.
func (c *futureCopy) dropDeleted() error {
	live := map[string]bool{}
	for _, s := range c.src.segments() {
		live[segmentName(s.base)+logSuffix] = true
	}
	ents, err := os.ReadDir(c.dst)
	if err != nil {
		return fmt.Errorf("storage: move: %w", err)
	}
	for _, e := range ents {
		if !live[e.Name()] {
			if err := os.Remove(filepath.Join(c.dst, e.Name())); err != nil {
				return fmt.Errorf("storage: move: %w", err)
			}
		}
	}
	return nil
}

// copyOthers copies the source's regular files other than segment data
// and files pending deletion or a cleaner swap.
func (c *futureCopy) copyOthers() error {
	ents, err := os.ReadDir(c.src.Dir())
	if err != nil {
		return fmt.Errorf("storage: move: %w", err)
	}
	for _, e := range ents {
		if !e.Type().IsRegular() || skipOnMove(e.Name()) {
			continue
		}
		if err := copyFile(filepath.Join(c.src.Dir(), e.Name()), filepath.Join(c.dst, e.Name())); err != nil {
			return err
		}
	}
	return nil
}

func skipOnMove(name string) bool {
	for _, suf := range []string{logSuffix, deletedSuffix, cleanedSuffix, swapSuffix} {
		if strings.HasSuffix(name, suf) {
			return true
		}
	}
	return false
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("storage: move: %w", err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("storage: move: %w", err)
	}
	_, err = io.Copy(out, in)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("storage: move %s: %w", filepath.Base(src), err)
	}
	return nil
}
