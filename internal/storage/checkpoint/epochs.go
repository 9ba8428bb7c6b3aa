package checkpoint

import (
	"fmt"
	"strconv"
)

// LeaderEpochCheckpointFile is the name of the leader epoch cache file in a
// partition dir.
const LeaderEpochCheckpointFile = "leader-epoch-checkpoint"

// EpochEntry is one line of a leader-epoch-checkpoint: the first offset
// written under a leader epoch.
type EpochEntry struct {
	Epoch       int32
	StartOffset int64
}

// WriteEpochs atomically replaces the leader-epoch-checkpoint at path with
// Kafka's LeaderEpochCheckpointFile format, "0\n<count>\n<epoch>
// <startOffset>\n"..., entries in the order given.
func WriteEpochs(path string, entries []EpochEntry) error {
	return WriteFileAtomic(path, EncodeEpochs(entries))
}

// EncodeEpochs returns the bytes WriteEpochs writes.
func EncodeEpochs(entries []EpochEntry) []byte {
	lines := make([]string, len(entries))
	for i, e := range entries {
		lines[i] = strconv.FormatInt(int64(e.Epoch), 10) + " " + strconv.FormatInt(e.StartOffset, 10)
	}
	return encodeCheckpoint(lines)
}

// ReadEpochs reads a leader-epoch-checkpoint, entries in file order. A
// missing or empty file yields nil, nil. A wrong version, a bad count or a
// malformed line is an error wrapping ErrMalformed. Like Kafka's reader it
// does not check that epochs and offsets increase; the epoch cache does.
func ReadEpochs(path string) ([]EpochEntry, error) {
	entries, err := readCheckpointFile(path)
	if err != nil {
		return nil, err
	}
	epochs, err := epochsFromEntries(entries)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %s: %w", path, err)
	}
	return epochs, nil
}

// ParseEpochs parses the bytes of a leader-epoch-checkpoint.
func ParseEpochs(data []byte) ([]EpochEntry, error) {
	entries, err := parseCheckpoint(data)
	if err != nil {
		return nil, err
	}
	return epochsFromEntries(entries)
}

func epochsFromEntries(entries [][]string) ([]EpochEntry, error) {
	if len(entries) == 0 {
		return nil, nil
	}
	epochs := make([]EpochEntry, 0, len(entries))
	for _, f := range entries {
		e, err := parseEpochEntry(f)
		if err != nil {
			return nil, err
		}
		epochs = append(epochs, e)
	}
	return epochs, nil
}

// parseEpochEntry parses the fields of "<epoch> <startOffset>".
func parseEpochEntry(f []string) (EpochEntry, error) {
	if len(f) != 2 {
		return EpochEntry{}, fmt.Errorf("%w: epoch entry %q", ErrMalformed, f)
	}
	epoch, err := strconv.ParseInt(f[0], 10, 32)
	if err != nil {
		return EpochEntry{}, fmt.Errorf("%w: epoch %q", ErrMalformed, f[0])
	}
	off, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		return EpochEntry{}, fmt.Errorf("%w: start offset %q", ErrMalformed, f[1])
	}
	return EpochEntry{Epoch: int32(epoch), StartOffset: off}, nil
}
