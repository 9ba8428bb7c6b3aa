package broker

// The log cleaner (internal/storage/cleaner) compacts every hosted
// partition whose cleanup.policy includes "compact" — __consumer_offsets
// and __transaction_state among them — with the node's log.cleaner.*
// settings, as Kafka's LogCleaner does. It runs when log.cleaner.enable.

import (
	"math"
	"time"

	"github.com/gofka/gofka/internal/storage"
	"github.com/gofka/gofka/internal/storage/cleaner"
)

// startCleaner starts the cleaner threads; closeCleaner stops them before
// the logs close.
func (n *Node) startCleaner() error {
	if !n.cfg.LogCleanerEnable {
		return nil
	}
	rate := n.cfg.LogCleanerIOMaxBytesPerSecond
	if rate >= math.MaxFloat64 {
		rate = 0
	}
	n.cleaner = cleaner.New(cleaner.Config{
		Threads:          int(n.cfg.LogCleanerThreads),
		DedupeBufferSize: n.cfg.LogCleanerDedupeBufferSize,
		IOBufferSize:     int(n.cfg.LogCleanerIOBufferSize),
		LoadFactor:       n.cfg.LogCleanerIOBufferLoadFactor,
		MaxIOBytesPerSec: rate,
		Backoff:          time.Duration(n.cfg.LogCleanerBackoffMs) * time.Millisecond,
		Logger:           n.log,
		Now:              n.nowFn,
	}, cleaner.Source{
		Logs:         n.logs.Logs,
		Policy:       n.cleanPolicy,
		Checkpoint:   n.logs.CheckpointCleaner,
		StableOffset: n.stableOffset,
	})
	n.cleaner.Start()
	return nil
}

func (n *Node) closeCleaner() error {
	if n.cleaner != nil {
		n.cleaner.Close()
	}
	return nil
}

// pauseCleaning stops cleaning tp until resume is called (log dir moves).
func (n *Node) pauseCleaning(l *storage.Log) (resume func()) {
	if n.cleaner == nil {
		return func() {}
	}
	return n.cleaner.Pause(l.TopicPartition())
}

// cleanPolicy is the compaction config of a hosted compacted partition.
func (n *Node) cleanPolicy(l *storage.Log) (cleaner.Policy, bool) {
	tp := l.TopicPartition()
	p := n.parts.get(tp.Topic, tp.Partition)
	if p == nil || p.log != l {
		return cleaner.Policy{}, false
	}
	cfg := p.config()
	if cfg == nil || !cfg.Compact() {
		return cleaner.Policy{}, false
	}
	return cleaner.Policy{
		MinCleanableDirtyRatio: cfg.MinCleanableDirtyRatio,
		MinCompactionLagMs:     cfg.MinCompactionLagMs,
		MaxCompactionLagMs:     cfg.MaxCompactionLagMs,
		DeleteRetentionMs:      cfg.DeleteRetentionMs,
		SegmentBytes:           cfg.SegmentBytes,
		SegmentIndexBytes:      int64(cfg.SegmentIndexBytes),
	}, true
}

// stableOffset bounds cleaning below undecided transactions.
func (n *Node) stableOffset(l *storage.Log) int64 {
	tp := l.TopicPartition()
	if p := n.parts.get(tp.Topic, tp.Partition); p != nil && p.log == l {
		return p.lastStableOffset()
	}
	return l.HighWatermark()
}
