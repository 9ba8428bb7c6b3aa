package storage

import (
	"log/slog"
	"math"
	"time"

	"github.com/gofka/gofka/internal/storage/checkpoint"
)

// Config is a partition log's configuration, resolved per topic by the
// caller from the topic configs. Zero or negative values of the sizes and
// segment.ms mean Kafka's default; see DefaultConfig.
type Config struct {
	SegmentBytes    int64 // segment.bytes
	SegmentMs       int64 // segment.ms
	SegmentJitterMs int64 // segment.jitter.ms
	// SegmentIndexBytes is segment.index.bytes: the size the active
	// segment's .index and .timeindex files are preallocated to.
	SegmentIndexBytes  int32
	IndexIntervalBytes int32 // index.interval.bytes
	RetentionMs        int64 // retention.ms; -1 = unlimited
	RetentionBytes     int64 // retention.bytes; -1 = unlimited
	// FlushMessages and FlushMs are flush.messages and flush.ms: fsync
	// after this many messages or this long. Zero, negative or MaxInt64
	// mean never (Kafka's default; durability comes from replication).
	FlushMessages int64
	FlushMs       int64
	// FileDeleteDelayMs is file.delete.delay.ms: deleted segments are
	// renamed *.deleted and closed and removed after this delay.
	FileDeleteDelayMs int64
	Preallocate       bool // file.preallocate
}

// Kafka's defaults for the topic configs in Config.
const (
	DefaultSegmentBytes       = 1 << 30
	DefaultSegmentMs          = 7 * 24 * 60 * 60 * 1000
	DefaultSegmentIndexBytes  = 10 << 20
	DefaultIndexIntervalBytes = 4096
	DefaultRetentionMs        = 7 * 24 * 60 * 60 * 1000
	DefaultFileDeleteDelayMs  = 60000
)

// DefaultConfig returns Kafka's default topic configuration.
func DefaultConfig() Config {
	return Config{
		SegmentBytes:       DefaultSegmentBytes,
		SegmentMs:          DefaultSegmentMs,
		SegmentIndexBytes:  DefaultSegmentIndexBytes,
		IndexIntervalBytes: DefaultIndexIntervalBytes,
		RetentionMs:        DefaultRetentionMs,
		RetentionBytes:     -1,
		FlushMessages:      math.MaxInt64,
		FlushMs:            math.MaxInt64,
		FileDeleteDelayMs:  DefaultFileDeleteDelayMs,
	}
}

// normalized replaces out-of-range values with Kafka's defaults.
func (c Config) normalized() Config {
	if c.SegmentBytes <= 0 || c.SegmentBytes > math.MaxInt32 {
		c.SegmentBytes = DefaultSegmentBytes
	}
	if c.SegmentMs <= 0 {
		c.SegmentMs = DefaultSegmentMs
	}
	if c.SegmentJitterMs < 0 {
		c.SegmentJitterMs = 0
	}
	if c.SegmentIndexBytes < 2*timeEntrySize {
		c.SegmentIndexBytes = DefaultSegmentIndexBytes
	}
	if c.IndexIntervalBytes < 0 {
		c.IndexIntervalBytes = 0
	}
	if c.FlushMessages <= 0 {
		c.FlushMessages = math.MaxInt64
	}
	if c.FlushMs <= 0 {
		c.FlushMs = math.MaxInt64
	}
	return c
}

// Options are the parameters of Open besides the directory.
type Options struct {
	Config Config
	// RecoveryPoint is the offset up to which the log was known to be
	// fsynced (recovery-point-offset-checkpoint).
	RecoveryPoint int64
	// LogStartOffset is the log start offset from log-start-offset-checkpoint.
	LogStartOffset int64
	// HighWatermark is the high watermark from replication-offset-checkpoint.
	HighWatermark int64
	// TopicID is written to partition.metadata if that file is missing,
	// and checked against it otherwise; the zero UUID skips both.
	TopicID checkpoint.UUID
	// Clean says the last shutdown was clean: the recovery scan is skipped
	// for segments whose indexes pass their sanity check.
	Clean  bool
	Now    func() time.Time
	Logger *slog.Logger
}

// AppendOptions qualify one Append.
type AppendOptions struct {
	// LeaderEpoch is stamped on every batch as its partition leader epoch.
	LeaderEpoch int32
	// LogAppendTime, if > 0, stamps the batches as LogAppendTime batches
	// with this time (message.timestamp.type=LogAppendTime).
	LogAppendTime int64
}

// AppendResult describes what Append wrote.
type AppendResult struct {
	FirstOffset, LastOffset int64
	LogAppendTime           int64 // -1 unless AppendOptions.LogAppendTime was used
	MaxTimestamp            int64
	OffsetOfMaxTimestamp    int64 // last offset of the first batch with MaxTimestamp
	Bytes                   int
}
