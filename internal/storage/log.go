package storage

import (
	"log/slog"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofka/gofka/internal/storage/checkpoint"
)

// Log is one partition's log: a directory of segments. Append, roll,
// truncation and retention hold mu; Read and the accessors are lock-free.
type Log struct {
	dir     string
	tp      checkpoint.TopicPartition
	topicID checkpoint.UUID
	logger  *slog.Logger
	now     func() time.Time

	cfg           atomic.Pointer[Config]
	segs          atomic.Pointer[[]*segment] // immutable, ordered by base offset
	leo           atomic.Int64
	lso           atomic.Int64
	hw            atomic.Int64
	rp            atomic.Int64 // recovery point
	cleanerOffset atomic.Int64 // cleaner-offset-checkpoint (see clean.go)
	closed        atomic.Bool
	truncations   atomic.Int64 // tail truncations, for a move's catch-up copy

	lastFlushMs atomic.Int64
	epochs      *epochCache

	mu      sync.Mutex // appends, rolls, truncation, retention, epoch writes
	flushMu sync.Mutex // one flush at a time; Close waits for it
	pending pendingSyncs
	deleter deleter
	faults  *faultSlot // the Manager's FaultHook; nil outside a Manager
}

// config returns the current configuration.
func (l *Log) config() Config { return *l.cfg.Load() }

// SetConfig changes the topic configuration at runtime; it applies to the
// next append (and the next segment for the index size).
func (l *Log) SetConfig(c Config) {
	c = c.normalized()
	l.cfg.Store(&c)
}

// segments returns the published segment list.
func (l *Log) segments() []*segment { return *l.segs.Load() }

func (l *Log) active() *segment {
	s := l.segments()
	return s[len(s)-1]
}

func (l *Log) publish(segs []*segment) { l.segs.Store(&segs) }

// segmentFor returns the index of the last segment whose base is <= offset.
func segmentFor(segs []*segment, offset int64) int {
	i := sort.Search(len(segs), func(i int) bool { return segs[i].base > offset })
	return max(i-1, 0)
}

func (l *Log) nowMs() int64 { return l.now().UnixMilli() }

// TopicPartition is the partition this log holds.
func (l *Log) TopicPartition() checkpoint.TopicPartition { return l.tp }

// TopicID is the topic id from partition.metadata (zero if unknown).
func (l *Log) TopicID() checkpoint.UUID { return l.topicID }

// Dir is the partition directory.
func (l *Log) Dir() string { return l.dir }

// LogEndOffset is the offset the next appended record will get.
func (l *Log) LogEndOffset() int64 { return l.leo.Load() }

// LogStartOffset is the first offset readers may fetch.
func (l *Log) LogStartOffset() int64 { return l.lso.Load() }

// HighWatermark is the last high watermark set.
func (l *Log) HighWatermark() int64 { return l.hw.Load() }

// SetHighWatermark sets the high watermark, clamped to [log start offset,
// log end offset] as Kafka does.
func (l *Log) SetHighWatermark(off int64) {
	l.hw.Store(min(max(off, l.lso.Load()), l.leo.Load()))
}

// RecoveryPoint is the offset up to which the log is fsynced.
func (l *Log) RecoveryPoint() int64 { return l.rp.Load() }

// Size is the total size of the segments in bytes.
func (l *Log) Size() int64 {
	var n int64
	for _, s := range l.segments() {
		n += s.size.Load()
	}
	return n
}

// NumSegments is the number of segments.
func (l *Log) NumSegments() int { return len(l.segments()) }

// LatestEpoch is the latest leader epoch in the epoch cache.
func (l *Log) LatestEpoch() (int32, bool) { return l.epochs.latest() }

// EndOffsetForEpoch answers OffsetForLeaderEpoch: the largest epoch <=
// epoch the log knows and the offset where the next epoch starts (the log
// end offset for the latest epoch), or (-1, -1) when undefined.
func (l *Log) EndOffsetForEpoch(epoch int32) (leaderEpoch int32, endOffset int64) {
	return l.epochs.endOffsetFor(epoch, l.leo.Load())
}

// Epochs returns a copy of the leader epoch cache entries.
func (l *Log) Epochs() []checkpoint.EpochEntry { return l.epochs.snapshot() }
