package storage

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/gofka/gofka/internal/storage/checkpoint"
)

// Checkpoint writes every checkpoint file of every log dir now.
func (m *Manager) Checkpoint() error {
	return errors.Join(m.checkpointRecovery(), m.checkpointStartOffsets(), m.CheckpointCleaner())
}

// CheckpointCleaner writes cleaner-offset-checkpoint: the cleaner's
// progress of every log it has cleaned.
func (m *Manager) CheckpointCleaner() error {
	cleaned := func(l *Log) bool { return l.CleanerCheckpoint() > 0 }
	return m.writeOffsets(checkpoint.CleanerCheckpointFile, m.offsetsByDir((*Log).CleanerCheckpoint, cleaned))
}

// offsetsByDir groups one value of every log by its log dir; keep filters.
func (m *Manager) offsetsByDir(val func(*Log) int64, keep func(*Log) bool) map[string]map[checkpoint.TopicPartition]int64 {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := map[string]map[checkpoint.TopicPartition]int64{}
	for _, d := range m.cfg.Dirs {
		if !m.mu.offline[d] {
			out[d] = map[checkpoint.TopicPartition]int64{}
		}
	}
	for tp, l := range m.mu.logs {
		if out[m.mu.dirOf[tp]] != nil && (keep == nil || keep(l)) {
			out[m.mu.dirOf[tp]][tp] = val(l)
		}
	}
	return out
}

func (m *Manager) writeOffsets(name string, byDir map[string]map[checkpoint.TopicPartition]int64) error {
	var errs []error
	for _, dir := range m.writeOffsetsLocked(name, byDir, &errs) {
		m.MarkDirOffline(dir) // Kafka's LogDirFailureChannel
	}
	return errors.Join(errs...)
}

// writeOffsetsLocked writes one checkpoint file per dir under ckptMu and
// returns the dirs whose write failed.
func (m *Manager) writeOffsetsLocked(name string, byDir map[string]map[checkpoint.TopicPartition]int64, errs *[]error) []string {
	m.ckptMu.Lock()
	defer m.ckptMu.Unlock()
	var failed []string
	for dir, offs := range byDir {
		err := m.faults.check(FaultCheckpoint, dir)
		if err == nil {
			err = checkpoint.WriteOffsets(filepath.Join(dir, name), offs)
		}
		if err != nil {
			*errs = append(*errs, fmt.Errorf("storage: write %s: %w", name, err))
			failed = append(failed, dir)
		}
	}
	return failed
}

// checkpointRecovery writes the recovery points and high watermarks.
func (m *Manager) checkpointRecovery() error {
	return errors.Join(
		m.writeOffsets(checkpoint.RecoveryPointCheckpointFile, m.offsetsByDir((*Log).RecoveryPoint, nil)),
		m.writeOffsets(checkpoint.ReplicationCheckpointFile, m.offsetsByDir((*Log).HighWatermark, nil)),
	)
}

// checkpointStartOffsets writes the log start offsets that lie above their
// log's first segment, as Kafka does.
func (m *Manager) checkpointStartOffsets() error {
	above := func(l *Log) bool { return l.LogStartOffset() > l.segments()[0].base }
	return m.writeOffsets(checkpoint.LogStartOffsetCheckpointFile, m.offsetsByDir((*Log).LogStartOffset, above))
}
