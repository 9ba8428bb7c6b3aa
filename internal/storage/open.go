package storage

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/gofka/gofka/internal/record"
	"github.com/gofka/gofka/internal/storage/checkpoint"
)

// partitionMetadataFile holds the topic id in the partition directory.
const partitionMetadataFile = checkpoint.PartitionMetadataFile

// Open opens or creates the log in dir (<logdir>/<topic>-<partition>).
// Unless opts.Clean, it recovers every segment from the one holding
// opts.RecoveryPoint on: each batch is checked (framing, magic, CRC, offsets
// increasing), a torn or corrupt tail is truncated (dropping later
// segments) and the indexes are rebuilt. Segments not recovered have their
// indexes sanity-checked, and are recovered when the check fails.
func Open(dir string, tp checkpoint.TopicPartition, opts Options) (*Log, error) {
	l := newLog(dir, tp, opts)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("storage: create %s: %w", dir, err)
	}
	if err := l.loadTopicID(opts.TopicID); err != nil {
		return nil, err
	}
	if err := completeSwaps(dir); err != nil {
		return nil, err
	}
	bases, err := scanDir(dir)
	if err != nil {
		return nil, err
	}
	if l.epochs, err = loadEpochs(filepath.Join(dir, epochFile)); err != nil {
		return nil, err
	}
	loaded := l.epochs.snapshot()
	segs, err := l.loadSegments(bases, opts)
	if err != nil {
		return nil, err
	}
	if err := l.finishOpen(segs, opts, loaded); err != nil {
		closeAll(segs)
		return nil, err
	}
	return l, nil
}

func newLog(dir string, tp checkpoint.TopicPartition, opts Options) *Log {
	l := &Log{dir: dir, tp: tp, logger: opts.Logger, now: opts.Now}
	if l.now == nil {
		l.now = time.Now
	}
	if l.logger == nil {
		l.logger = slog.New(slog.DiscardHandler)
	}
	l.logger = l.logger.With("partition", tp.String())
	l.SetConfig(opts.Config)
	l.deleter.init()
	return l
}

// loadTopicID reads partition.metadata, or writes it for a new topic id.
func (l *Log) loadTopicID(want checkpoint.UUID) error {
	path := filepath.Join(l.dir, partitionMetadataFile)
	id, err := checkpoint.ReadPartitionMetadata(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if want == (checkpoint.UUID{}) {
			return nil
		}
		l.topicID = want
		if err := checkpoint.WritePartitionMetadata(path, want); err != nil {
			return fmt.Errorf("storage: write %s: %w", path, err)
		}
		return nil
	case err != nil:
		return fmt.Errorf("storage: read %s: %w", path, err)
	case want != (checkpoint.UUID{}) && id != want:
		return fmt.Errorf("%w: %s holds %x, expected %x", ErrTopicIDMismatch, l.dir, id, want)
	}
	l.topicID = id
	return nil
}

// scanDir removes leftovers of interrupted deletions and returns the base
// offsets of the segments in dir, in order.
func scanDir(dir string) ([]int64, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("storage: read %s: %w", dir, err)
	}
	names := map[string]bool{}
	var bases []int64
	for _, e := range ents {
		names[e.Name()] = true
		if b, ok := parseSegmentName(e.Name()); ok && e.Type().IsRegular() {
			bases = append(bases, b)
		}
	}
	for _, e := range ents {
		if isLeftover(e.Name(), names) {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
				return nil, fmt.Errorf("storage: remove leftover: %w", err)
			}
		}
	}
	slices.Sort(bases)
	return bases, nil
}

// isLeftover reports files Open removes: *.deleted, *.cleaned, *.swap,
// *.tmp and index files without their .log.
func isLeftover(name string, names map[string]bool) bool {
	for _, suf := range []string{deletedSuffix, cleanedSuffix, swapSuffix, ".tmp"} {
		if strings.HasSuffix(name, suf) {
			return true
		}
	}
	for _, suf := range []string{indexSuffix, timeIndexSuffix} {
		if stem, ok := cutSuffix(name, suf); ok && len(stem) == 20 {
			return !names[stem+logSuffix]
		}
	}
	return false
}

// loadSegments opens the segment files and recovers what needs it.
func (l *Log) loadSegments(bases []int64, opts Options) ([]*segment, error) {
	cfg, nowMs := l.config(), l.nowMs()
	from := recoverFrom(bases, opts)
	var segs []*segment
	for i, b := range bases {
		s, err := openSegment(l.dir, b, cfg, nowMs, i >= from)
		if err != nil {
			closeAll(segs)
			return nil, err
		}
		segs = append(segs, s)
	}
	if len(segs) == 0 {
		s, err := createSegment(l.dir, max(opts.LogStartOffset, 0), cfg, nowMs, l.jitter(cfg))
		if err != nil {
			return nil, err
		}
		return []*segment{s}, nil
	}
	segs, err := l.recoverSegments(segs, from)
	if err != nil {
		closeAll(segs)
		return nil, err
	}
	return segs, nil
}

// recoverFrom is the index of the first segment to recover: the one that
// holds the recovery point after an unclean shutdown, none after a clean one
// (Kafka's LogLoader recovers only the segments from the recovery point on).
func recoverFrom(bases []int64, opts Options) int {
	if opts.Clean {
		return len(bases)
	}
	i := sort.Search(len(bases), func(i int) bool { return bases[i] > opts.RecoveryPoint })
	return max(i-1, 0)
}

// recoverSegments loads the clean segments before from and recovers the
// others, dropping every segment after one whose tail was truncated.
func (l *Log) recoverSegments(segs []*segment, from int) ([]*segment, error) {
	cfg := l.config()
	minOffset := int64(0)
	for i := 0; i < len(segs); i++ {
		s, nextBase := segs[i], int64(-1)
		if i+1 < len(segs) {
			nextBase = segs[i+1].base
		}
		recover := i >= from
		if !recover {
			if err := s.loadClean(nextBase); err != nil {
				l.logger.Warn("storage: rebuilding segment", "segment", s.base, "err", err)
				recover = true
			}
		}
		if recover {
			stop, err := s.recoverSegment(cfg, minOffset, nextBase, l.onRecoveredBatch)
			if err != nil {
				return segs, err
			}
			if err := s.sync(); err != nil {
				return segs, err
			}
			if stop != nil {
				l.logger.Warn("storage: truncated log during recovery", "segment", s.base, "at", s.size.Load(), "reason", stop)
				removeSegments(segs[i+1:])
				segs = segs[:i+1]
			}
		}
		minOffset = s.next.Load()
	}
	return segs, nil
}

// onRecoveredBatch rebuilds the leader epoch cache from recovered batches.
func (l *Log) onRecoveredBatch(h *record.Header) {
	if latest, ok := l.epochs.latest(); h.PartitionLeaderEpoch >= 0 && (!ok || h.PartitionLeaderEpoch > latest) {
		l.epochs.assign(h.PartitionLeaderEpoch, h.BaseOffset)
	}
}

// finishOpen settles the offsets, the epoch cache and the active segment;
// the cache is written when it differs from the file (loaded).
func (l *Log) finishOpen(segs []*segment, opts Options, loaded []checkpoint.EpochEntry) error {
	cfg := l.config()
	leo := segs[len(segs)-1].next.Load()
	if leo < opts.LogStartOffset {
		l.logger.Warn("storage: log end offset below log start offset; starting empty", "leo", leo, "lso", opts.LogStartOffset)
		removeSegments(segs)
		s, err := createSegment(l.dir, opts.LogStartOffset, cfg, l.nowMs(), l.jitter(cfg))
		if err != nil {
			return err
		}
		segs, leo = []*segment{s}, opts.LogStartOffset
	}
	act := segs[len(segs)-1]
	if err := act.resizeIndexes(cfg.SegmentIndexBytes); err != nil {
		return err
	}
	for _, s := range segs[:len(segs)-1] {
		if err := s.releaseIndexes(); err != nil { // durable: clean, or fsynced by recovery
			return err
		}
	}
	l.publish(segs)
	l.leo.Store(leo)
	l.lso.Store(max(opts.LogStartOffset, segs[0].base))
	l.rp.Store(leo)
	l.hw.Store(min(max(opts.HighWatermark, l.lso.Load()), leo))
	l.lastFlushMs.Store(l.nowMs())
	l.epochs.truncateFromEnd(leo)
	l.epochs.truncateFromStart(l.lso.Load())
	if slices.Equal(l.epochs.snapshot(), loaded) {
		return nil // one fsync and rename less a partition after a crash
	}
	return l.epochs.write()
}

func closeAll(segs []*segment) {
	for _, s := range segs {
		s.close()
	}
}

// removeSegments closes segments and removes their files at once (only
// while nothing can read them).
func removeSegments(segs []*segment) {
	for _, s := range segs {
		s.close()
		for _, suf := range []string{logSuffix, indexSuffix, timeIndexSuffix} {
			os.Remove(s.path(suf))
		}
	}
}
