package share

import (
	"fmt"
	"strings"
	"sync"

	"github.com/gofka/gofka/internal/config"
)

// sharePart is one share partition with its lock and its durable key.
type sharePart struct {
	key  Key
	c    *Coordinator
	mu   sync.Mutex
	p    *Partition
	last []Batch // batches as last persisted
	lStr int64   // start as last persisted
}

// Bounds are what a share partition may deliver of its log.
type Bounds struct {
	LogStart int64 // the log start offset
	End      int64 // high watermark (last stable offset for read_committed)
	// ByTime is the first offset with a timestamp at or after ms, for
	// share.auto.offset.reset=by_duration (nil: the end).
	ByTime func(ms int64) int64
}

// part returns the share partition for key, loading its durable state or
// initializing it (share.auto.offset.reset) on first use.
func (c *Coordinator) part(k Key, b Bounds) (*sharePart, error) {
	set := c.Settings(k.Group)
	c.mu.Lock()
	defer c.mu.Unlock()
	if sp := c.mu.parts[k]; sp != nil {
		return sp, nil
	}
	sp := &sharePart{key: k, c: c}
	if st, ok := c.state.Read(k); ok {
		sp.p = Restore(set.Limits, st.Start, st.Batches)
	} else {
		start := c.resetOffset(set.AutoOffsetReset, b)
		if err := c.state.Initialize(k, 0, start); err != nil {
			return nil, err
		}
		sp.p = NewPartition(set.Limits, start)
	}
	sp.lStr, sp.last = sp.p.Start(), sp.p.Batches()
	c.mu.parts[k] = sp
	return sp, nil
}

// resetOffset is where a share partition without state starts.
func (c *Coordinator) resetOffset(reset string, b Bounds) int64 {
	switch {
	case reset == "earliest":
		return b.LogStart
	case strings.HasPrefix(reset, "by_duration:") && b.ByTime != nil:
		d, err := config.ShareResetDuration(reset)
		if err == nil {
			return max(b.LogStart, min(b.End, b.ByTime(c.now().Add(-d).UnixMilli())))
		}
	}
	return b.End
}

// persistLocked writes the partition's state when it changed since the
// last write, and returns once it is durable.
func (sp *sharePart) persistLocked() error {
	start, batches := sp.p.Start(), sp.p.Batches()
	if start == sp.lStr && equalBatches(batches, sp.last) {
		return nil
	}
	if err := sp.c.state.Write(sp.key, 0, start, batches); err != nil {
		return fmt.Errorf("share: persist %s: %w", sp.key, err)
	}
	sp.lStr, sp.last = start, batches
	return nil
}

func equalBatches(a, b []Batch) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// ReadResult is what a Read found in the log.
type ReadResult struct {
	Data []byte // whole record batches
	UpTo int64  // the offset after the last record read
	// Skip are offset ranges never to deliver (records of aborted
	// transactions under read_committed): archived as they are acquired.
	Skip []Range
}

// Read reads a partition's log from an offset.
type Read func(from int64) (ReadResult, error)

// Acquire locks up to maxRecords records of a share partition for member
// and returns them with the log bytes that hold them.
func (c *Coordinator) Acquire(k Key, member string, maxRecords int, b Bounds, read Read) ([]Range, []byte, error) {
	sp, err := c.part(k, b)
	if err != nil {
		return nil, nil, err
	}
	lim := c.Settings(k.Group).Limits
	sp.mu.Lock()
	defer sp.mu.Unlock()
	sp.p.SetLimits(lim)
	sp.p.SkipTo(b.LogStart)
	from := sp.p.NextFetch()
	if from >= b.End {
		return nil, nil, sp.persistLocked()
	}
	res, err := read(from)
	if err != nil || len(res.Data) == 0 {
		return nil, nil, err
	}
	ranges := sp.p.Acquire(member, c.now().UnixMilli(), maxRecords, min(res.UpTo, b.End))
	if len(res.Skip) > 0 {
		ranges = sp.archiveSkippedLocked(member, ranges, res.Skip)
		if err := sp.persistLocked(); err != nil {
			return nil, nil, err
		}
	}
	return ranges, res.Data, nil
}

// archiveSkippedLocked archives the acquired offsets that lie in skip and
// returns the acquired ranges without them.
func (sp *sharePart) archiveSkippedLocked(member string, ranges, skip []Range) []Range {
	var out []Range
	for _, r := range ranges {
		out = append(out, cutRange(r, skip)...)
		for _, s := range skip {
			lo, hi := max(r.First, s.First), min(r.Last, s.Last)
			if lo <= hi {
				_ = sp.p.Acknowledge(member, lo, hi, []AckType{AckReject}, 0)
			}
		}
	}
	return out
}

// cutRange is what remains of r outside every range of cut.
func cutRange(r Range, cut []Range) []Range {
	parts := []Range{r}
	for _, c := range cut {
		var next []Range
		for _, p := range parts {
			if c.Last < p.First || c.First > p.Last {
				next = append(next, p)
				continue
			}
			if p.First < c.First {
				next = append(next, Range{p.First, c.First - 1, p.Count})
			}
			if p.Last > c.Last {
				next = append(next, Range{c.Last + 1, p.Last, p.Count})
			}
		}
		parts = next
	}
	return parts
}

// AckBatch is one acknowledgement batch of a request.
type AckBatch struct {
	First, Last int64
	Types       []AckType
}

// Acknowledge applies a member's acknowledgements to a share partition
// and returns once the new state is durable. A batch that fails
// validation fails the partition; batches before it stand.
func (c *Coordinator) Acknowledge(k Key, member string, batches []AckBatch) error {
	c.mu.Lock()
	sp := c.mu.parts[k]
	c.mu.Unlock()
	if sp == nil {
		return fmt.Errorf("%w: no share partition %s", ErrInvalidRecordState, k)
	}
	sp.mu.Lock()
	defer sp.mu.Unlock()
	var ackErr error
	for _, b := range batches {
		if ackErr = sp.p.Acknowledge(member, b.First, b.Last, b.Types, c.now().UnixMilli()); ackErr != nil {
			break
		}
	}
	if err := sp.persistLocked(); err != nil {
		return err
	}
	return ackErr
}

func (sp *sharePart) expire(nowMs int64) {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	if sp.p.Expire(nowMs) {
		_ = sp.persistLocked() // retried at the next change
	}
}

func (sp *sharePart) releaseMember(member string) {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	if sp.p.ReleaseMember(member) {
		_ = sp.persistLocked()
	}
}
