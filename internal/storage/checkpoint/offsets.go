package checkpoint

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
)

// Names of the offset checkpoint files Kafka keeps in each log dir.
const (
	RecoveryPointCheckpointFile  = "recovery-point-offset-checkpoint"
	LogStartOffsetCheckpointFile = "log-start-offset-checkpoint"
	ReplicationCheckpointFile    = "replication-offset-checkpoint"
	CleanerCheckpointFile        = "cleaner-offset-checkpoint"
)

// WriteOffsets atomically replaces the offset checkpoint file at path with
// Kafka's OffsetCheckpointFile format, "0\n<count>\n<topic> <partition>
// <offset>\n"..., entries sorted by topic then partition for determinism.
func WriteOffsets(path string, offsets map[TopicPartition]int64) error {
	data, err := EncodeOffsets(offsets)
	if err != nil {
		return fmt.Errorf("checkpoint: write %s: %w", path, err)
	}
	return WriteFileAtomic(path, data)
}

// EncodeOffsets returns the bytes WriteOffsets writes. A topic that is empty
// or holds whitespace cannot be stored and is an error.
func EncodeOffsets(offsets map[TopicPartition]int64) ([]byte, error) {
	tps := make([]TopicPartition, 0, len(offsets))
	for tp := range offsets {
		if tp.Topic == "" || hasJavaSpace(tp.Topic) {
			return nil, fmt.Errorf("%w: topic %q", ErrInvalidTopicPartition, tp.Topic)
		}
		tps = append(tps, tp)
	}
	slices.SortFunc(tps, compareTopicPartitions)
	lines := make([]string, len(tps))
	for i, tp := range tps {
		lines[i] = tp.Topic + " " + strconv.FormatInt(int64(tp.Partition), 10) + " " +
			strconv.FormatInt(offsets[tp], 10)
	}
	return encodeCheckpoint(lines), nil
}

func compareTopicPartitions(a, b TopicPartition) int {
	if c := cmp.Compare(a.Topic, b.Topic); c != 0 {
		return c
	}
	return cmp.Compare(a.Partition, b.Partition)
}

// ReadOffsets reads an offset checkpoint file. A missing or empty file yields
// an empty map. A wrong version, a bad count or a malformed line is an error
// wrapping ErrMalformed. As in Kafka, a partition listed twice keeps its last
// offset.
func ReadOffsets(path string) (map[TopicPartition]int64, error) {
	entries, err := readCheckpointFile(path)
	if err != nil {
		return nil, err
	}
	offsets, err := offsetsFromEntries(entries)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %s: %w", path, err)
	}
	return offsets, nil
}

// ParseOffsets parses the bytes of an offset checkpoint file.
func ParseOffsets(data []byte) (map[TopicPartition]int64, error) {
	entries, err := parseCheckpoint(data)
	if err != nil {
		return nil, err
	}
	return offsetsFromEntries(entries)
}

func offsetsFromEntries(entries [][]string) (map[TopicPartition]int64, error) {
	offsets := make(map[TopicPartition]int64, len(entries))
	for _, f := range entries {
		tp, off, err := parseOffsetEntry(f)
		if err != nil {
			return nil, err
		}
		offsets[tp] = off
	}
	return offsets, nil
}

// parseOffsetEntry parses the fields of "<topic> <partition> <offset>".
func parseOffsetEntry(f []string) (TopicPartition, int64, error) {
	if len(f) != 3 || f[0] == "" {
		return TopicPartition{}, 0, fmt.Errorf("%w: offset entry %q", ErrMalformed, f)
	}
	p, err := strconv.ParseInt(f[1], 10, 32)
	if err != nil {
		return TopicPartition{}, 0, fmt.Errorf("%w: partition %q", ErrMalformed, f[1])
	}
	off, err := strconv.ParseInt(f[2], 10, 64)
	if err != nil {
		return TopicPartition{}, 0, fmt.Errorf("%w: offset %q", ErrMalformed, f[2])
	}
	return TopicPartition{Topic: f[0], Partition: int32(p)}, off, nil
}
