package storage

import (
	"errors"
	"fmt"
	"io/fs"
	"sync"

	"github.com/gofka/gofka/internal/storage/checkpoint"
)

// epochFile is the leader epoch cache's file in the partition directory.
const epochFile = checkpoint.LeaderEpochCheckpointFile

// Undefined epoch and offset of OffsetForLeaderEpoch answers.
const (
	UndefinedEpoch       int32 = -1
	UndefinedEpochOffset int64 = -1
)

// epochCache is the leader epoch cache: (epoch, start offset) pairs with
// both increasing, as Kafka's LeaderEpochFileCache keeps them. Writers hold
// the Log mutex too; mu lets readers skip it.
type epochCache struct {
	mu      sync.RWMutex
	path    string
	entries []checkpoint.EpochEntry
}

// loadEpochs reads the cache file if it exists.
func loadEpochs(path string) (*epochCache, error) {
	c := &epochCache{path: path}
	es, err := checkpoint.ReadEpochs(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("storage: leader epoch cache: %w", err)
	}
	for _, e := range es {
		c.assignLocked(e.Epoch, e.StartOffset)
	}
	return c, nil
}

// latest returns the latest epoch.
func (c *epochCache) latest() (int32, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if len(c.entries) == 0 {
		return UndefinedEpoch, false
	}
	return c.entries[len(c.entries)-1].Epoch, true
}

// assign records that epoch starts at offset; it reports a change.
func (c *epochCache) assign(epoch int32, offset int64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.assignLocked(epoch, offset)
}

// assignLocked drops entries the new one contradicts (epoch or start
// offset not below it) and appends it, unless it adds nothing.
func (c *epochCache) assignLocked(epoch int32, offset int64) bool {
	if epoch < 0 || offset < 0 {
		return false
	}
	if n := len(c.entries); n > 0 {
		last := c.entries[n-1]
		if last.Epoch == epoch && last.StartOffset <= offset {
			return false
		}
	}
	k := len(c.entries)
	for k > 0 && (c.entries[k-1].Epoch >= epoch || c.entries[k-1].StartOffset >= offset) {
		k--
	}
	c.entries = append(c.entries[:k], checkpoint.EpochEntry{Epoch: epoch, StartOffset: offset})
	return true
}

// truncateFromEnd removes entries starting at or after end.
func (c *epochCache) truncateFromEnd(end int64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := len(c.entries)
	for k > 0 && c.entries[k-1].StartOffset >= end {
		k--
	}
	changed := k != len(c.entries)
	c.entries = c.entries[:k]
	return changed
}

// truncateFromStart drops entries wholly before start; the last of them is
// kept, moved to start, as Kafka does.
func (c *epochCache) truncateFromStart(start int64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := 0
	for k < len(c.entries) && c.entries[k].StartOffset <= start {
		k++
	}
	if k == 0 || (k == 1 && c.entries[0].StartOffset == start) {
		return false
	}
	kept := checkpoint.EpochEntry{Epoch: c.entries[k-1].Epoch, StartOffset: start}
	c.entries = append([]checkpoint.EpochEntry{kept}, c.entries[k:]...)
	return true
}

// endOffsetFor answers OffsetForLeaderEpoch as Kafka's
// LeaderEpochFileCache.endOffsetFor does.
func (c *epochCache) endOffsetFor(epoch int32, leo int64) (int32, int64) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	n := len(c.entries)
	if epoch == UndefinedEpoch || n == 0 {
		return UndefinedEpoch, UndefinedEpochOffset
	}
	if c.entries[n-1].Epoch == epoch {
		return epoch, leo
	}
	hi := 0 // first entry with a larger epoch
	for hi < n && c.entries[hi].Epoch <= epoch {
		hi++
	}
	if hi == n {
		return UndefinedEpoch, UndefinedEpochOffset
	}
	if hi == 0 {
		return epoch, c.entries[0].StartOffset
	}
	return c.entries[hi-1].Epoch, c.entries[hi].StartOffset
}

// snapshot copies the entries.
func (c *epochCache) snapshot() []checkpoint.EpochEntry {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return append([]checkpoint.EpochEntry(nil), c.entries...)
}

// write persists the cache atomically.
func (c *epochCache) write() error {
	if err := checkpoint.WriteEpochs(c.path, c.snapshot()); err != nil {
		return fmt.Errorf("storage: write leader epoch cache: %w", err)
	}
	return nil
}
