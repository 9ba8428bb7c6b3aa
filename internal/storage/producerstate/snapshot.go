package producerstate

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Kafka's producer snapshot: version int16 (1), CRC-32C uint32 of what
// follows, then an int32-counted array of 46-byte entries.
const (
	snapshotVersion = 1
	headerSize      = 2 + 4 + 4
	entrySize       = 8 + 2 + 4 + 8 + 4 + 8 + 4 + 8
	// Suffix is the snapshot file suffix.
	Suffix = ".snapshot"
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// MarshalSnapshot encodes the state's producers in Kafka's format; each
// entry keeps only its last batch, as Kafka's does.
func (s *State) MarshalSnapshot() []byte {
	es := s.Entries()
	b := make([]byte, headerSize, headerSize+len(es)*entrySize)
	binary.BigEndian.PutUint16(b, snapshotVersion)
	binary.BigEndian.PutUint32(b[6:], uint32(len(es)))
	for _, e := range es {
		b = appendEntry(b, e)
	}
	binary.BigEndian.PutUint32(b[2:], crc32.Checksum(b[6:], castagnoli))
	return b
}

func appendEntry(b []byte, e *Entry) []byte {
	last := BatchMeta{FirstSeq: -1, LastSeq: -1, FirstOffset: -1, LastOffset: -1, Timestamp: e.LastTimestamp}
	if len(e.Batches) > 0 {
		last = e.Batches[len(e.Batches)-1]
	}
	b = binary.BigEndian.AppendUint64(b, uint64(e.ProducerID))
	b = binary.BigEndian.AppendUint16(b, uint16(e.Epoch))
	b = binary.BigEndian.AppendUint32(b, uint32(last.LastSeq))
	b = binary.BigEndian.AppendUint64(b, uint64(last.LastOffset))
	b = binary.BigEndian.AppendUint32(b, uint32(last.LastSeq-last.FirstSeq))
	b = binary.BigEndian.AppendUint64(b, uint64(e.LastTimestamp))
	b = binary.BigEndian.AppendUint32(b, uint32(e.CoordinatorEpoch))
	return binary.BigEndian.AppendUint64(b, uint64(e.TxnFirstOffset))
}

// UnmarshalSnapshot decodes a snapshot into a state at offset end.
func UnmarshalSnapshot(b []byte, end int64) (*State, error) {
	if len(b) < headerSize {
		return nil, fmt.Errorf("%w: %d bytes", ErrCorruptSnapshot, len(b))
	}
	if v := binary.BigEndian.Uint16(b); v != snapshotVersion {
		return nil, fmt.Errorf("%w: version %d", ErrCorruptSnapshot, v)
	}
	if crc := crc32.Checksum(b[6:], castagnoli); crc != binary.BigEndian.Uint32(b[2:]) {
		return nil, fmt.Errorf("%w: crc mismatch", ErrCorruptSnapshot)
	}
	n := binary.BigEndian.Uint32(b[6:])
	if uint64(len(b)-headerSize) != uint64(n)*entrySize {
		return nil, fmt.Errorf("%w: %d entries in %d bytes", ErrCorruptSnapshot, n, len(b))
	}
	s := New(end)
	for p := b[headerSize:]; len(p) > 0; p = p[entrySize:] {
		e := decodeEntry(p)
		if _, dup := s.producers[e.ProducerID]; dup {
			return nil, fmt.Errorf("%w: producer %d twice", ErrCorruptSnapshot, e.ProducerID)
		}
		s.producers[e.ProducerID] = e
		if e.TxnFirstOffset != NoOffset {
			s.ongoing[e.ProducerID] = e.TxnFirstOffset
		}
	}
	return s, nil
}

func decodeEntry(p []byte) *Entry {
	e := &Entry{
		ProducerID:       int64(binary.BigEndian.Uint64(p)),
		Epoch:            int16(binary.BigEndian.Uint16(p[8:])),
		LastTimestamp:    int64(binary.BigEndian.Uint64(p[26:])),
		CoordinatorEpoch: int32(binary.BigEndian.Uint32(p[34:])),
		TxnFirstOffset:   int64(binary.BigEndian.Uint64(p[38:])),
	}
	lastSeq := int32(binary.BigEndian.Uint32(p[10:]))
	lastOff := int64(binary.BigEndian.Uint64(p[14:]))
	delta := int32(binary.BigEndian.Uint32(p[22:]))
	if lastSeq >= 0 && lastOff >= 0 {
		e.Batches = []BatchMeta{{FirstSeq: lastSeq - delta, LastSeq: lastSeq, FirstOffset: lastOff - int64(delta), LastOffset: lastOff, Timestamp: e.LastTimestamp}}
	}
	if e.TxnFirstOffset < 0 {
		e.TxnFirstOffset = NoOffset
	}
	return e
}

// FileName is the snapshot file name for offset: 20 digits and .snapshot.
func FileName(offset int64) string { return fmt.Sprintf("%020d%s", offset, Suffix) }

// WriteSnapshot writes the state's snapshot named by its end offset into
// dir: to a temp file, fsynced, then renamed.
func WriteSnapshot(dir string, s *State) error {
	_, err := writeSnapshot(dir, s, true)
	return err
}

// WriteSnapshotNoSync writes the snapshot as WriteSnapshot does without
// the fsync, which it leaves to the caller, and returns the file's path.
// A crash before that fsync may leave the file torn or empty: its CRC
// fails, and LoadLatest removes it and takes the snapshot before it.
func WriteSnapshotNoSync(dir string, s *State) (string, error) {
	return writeSnapshot(dir, s, false)
}

func writeSnapshot(dir string, s *State, sync bool) (string, error) {
	path := filepath.Join(dir, FileName(s.end))
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return "", fmt.Errorf("producerstate: write snapshot: %w", err)
	}
	_, err = f.Write(s.MarshalSnapshot())
	if err == nil && sync {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("producerstate: write snapshot: %w", err)
	}
	return path, nil
}

// ListSnapshots returns the offsets of the snapshot files in dir, oldest
// first.
func ListSnapshots(dir string) ([]int64, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("producerstate: list snapshots: %w", err)
	}
	var out []int64
	for _, e := range ents {
		stem, ok := strings.CutSuffix(e.Name(), Suffix)
		if !ok || len(stem) != 20 {
			continue
		}
		if off, err := strconv.ParseInt(stem, 10, 64); err == nil {
			out = append(out, off)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out, nil
}

// ReadSnapshot reads the snapshot at offset from dir.
func ReadSnapshot(dir string, offset int64) (*State, error) {
	b, err := os.ReadFile(filepath.Join(dir, FileName(offset)))
	if err != nil {
		return nil, fmt.Errorf("producerstate: read snapshot: %w", err)
	}
	return UnmarshalSnapshot(b, offset)
}

// LoadLatest reads the newest valid snapshot at or below maxOffset,
// deleting newer and corrupt ones. It returns nil when there is none.
func LoadLatest(dir string, maxOffset int64) (*State, error) {
	offs, err := ListSnapshots(dir)
	if err != nil {
		return nil, err
	}
	for i := len(offs) - 1; i >= 0; i-- {
		if offs[i] <= maxOffset {
			if s, err := ReadSnapshot(dir, offs[i]); err == nil {
				return s, nil
			}
		}
		if err := os.Remove(filepath.Join(dir, FileName(offs[i]))); err != nil && !os.IsNotExist(err) {
			return nil, fmt.Errorf("producerstate: remove snapshot: %w", err)
		}
	}
	return nil, nil
}

// DeleteBelow removes snapshots older than offset (their segments are gone).
func DeleteBelow(dir string, offset int64) error {
	offs, err := ListSnapshots(dir)
	if err != nil {
		return err
	}
	for _, o := range offs {
		if o < offset {
			if err := os.Remove(filepath.Join(dir, FileName(o))); err != nil && !os.IsNotExist(err) {
				return fmt.Errorf("producerstate: remove snapshot: %w", err)
			}
		}
	}
	return nil
}
