package raft

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gofka/gofka/internal/metadata"
	"github.com/gofka/gofka/internal/record"
	"github.com/gofka/gofka/internal/storage/checkpoint"
)

const (
	snapshotSuffix = ".checkpoint"
	// snapshotChunk is how many metadata records go in one snapshot batch.
	snapshotChunk = 1000
)

// snapshotName is Kafka's name for a snapshot ending at endOffset in epoch.
func snapshotName(endOffset int64, epoch uint64) string {
	return fmt.Sprintf("%020d-%010d%s", endOffset, epoch, snapshotSuffix)
}

// parseSnapshotName returns the end offset and epoch in a snapshot's name.
func parseSnapshotName(name string) (int64, uint64, bool) {
	var off int64
	var epoch uint64
	if !strings.HasSuffix(name, snapshotSuffix) || len(name) != 20+1+10+len(snapshotSuffix) {
		return 0, 0, false
	}
	if _, err := fmt.Sscanf(name, "%020d-%010d", &off, &epoch); err != nil {
		return 0, 0, false
	}
	return off, epoch, true
}

// snapshotFile is the contents of a .checkpoint file.
type snapshotFile struct {
	mark   snapshotMark
	voters []Voter
	// learners are the removed voters still followed (confMembers), in
	// tagged field 0 of the VotersRecord as JSON; Kafka skips it.
	learners []Voter
	records  []metadata.Record
}

// encode returns the file's bytes: header, voters, records and footer
// batches with offsets counting from 0.
func (s *snapshotFile) encode(ts int64) ([]byte, error) {
	out, err := controlBatch(ctrlSnapshotHeader, snapshotHeader(s.mark, ts), ts)
	if err != nil {
		return nil, err
	}
	next := int64(1)
	var learners []byte
	if len(s.learners) > 0 {
		learners, _ = json.Marshal(s.learners)
	}
	if out, err = appendControl(out, next, ctrlVoters, votersRecord(s.voters, learners), ts); err != nil {
		return nil, err
	}
	next++
	for recs := range slices.Chunk(s.records, snapshotChunk) {
		if out, err = encodeRecords(out, next, recs, ts); err != nil {
			return nil, err
		}
		next += int64(len(recs))
	}
	return appendControl(out, next, ctrlSnapshotFooter, snapshotFooter(), ts)
}

// appendControl appends a control batch at offset off.
func appendControl(dst []byte, off int64, typ int16, value []byte, ts int64) ([]byte, error) {
	b, err := controlBatch(typ, value, ts)
	if err != nil {
		return dst, err
	}
	record.SetBaseOffset(b, off)
	return append(dst, b...), nil
}

// parseSnapshot decodes a .checkpoint file's bytes, checking every CRC and
// that a header opens it and a footer closes it.
func parseSnapshot(data []byte) (*snapshotFile, error) {
	s := &snapshotFile{}
	var types []int16
	err := record.Split(data, func(batch []byte) error {
		h, err := record.ParseHeader(batch)
		if err != nil {
			return err
		}
		if !h.Control() {
			recs, err := decodeRecords(batch)
			s.records = append(s.records, recs...)
			types = append(types, -1)
			return err
		}
		typ, value, err := controlRecord(batch)
		if err != nil {
			return err
		}
		types = append(types, typ)
		return s.control(typ, value)
	})
	if err == nil && (len(types) < 2 || types[0] != ctrlSnapshotHeader || types[len(types)-1] != ctrlSnapshotFooter) {
		err = corruptf("snapshot does not start with a header and end with a footer")
	}
	if err != nil {
		return nil, fmt.Errorf("raft: snapshot: %w", err)
	}
	return s, nil
}

func (s *snapshotFile) control(typ int16, value []byte) error {
	var err error
	switch typ {
	case ctrlSnapshotHeader:
		s.mark, err = parseSnapshotHeader(value)
	case ctrlVoters:
		var learners []byte
		s.voters, learners, err = parseVoters(value)
		if err == nil && learners != nil {
			if jerr := json.Unmarshal(learners, &s.learners); jerr != nil {
				err = corruptf("snapshot learners: %v", jerr)
			}
		}
	case ctrlSnapshotFooter:
	default:
		err = corruptf("control record type %d in a snapshot", typ)
	}
	return err
}

// snapshotEntry is a .checkpoint file found in the log directory.
type snapshotEntry struct {
	name      string
	endOffset int64
	epoch     uint64
}

// listSnapshots returns the snapshots in dir, oldest first.
func listSnapshots(dir string) ([]snapshotEntry, error) {
	ents, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("raft: list snapshots: %w", err)
	}
	var out []snapshotEntry
	for _, e := range ents {
		if off, epoch, ok := parseSnapshotName(e.Name()); ok {
			out = append(out, snapshotEntry{e.Name(), off, epoch})
		}
	}
	slices.SortFunc(out, func(a, b snapshotEntry) int {
		if a.endOffset != b.endOffset {
			return int(a.endOffset - b.endOffset)
		}
		return int(a.epoch) - int(b.epoch)
	})
	return out, nil
}

// readSnapshot reads and decodes one snapshot file, returning its bytes too.
func readSnapshot(dir, name string) (*snapshotFile, []byte, error) {
	data, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		return nil, nil, fmt.Errorf("raft: read snapshot: %w", err)
	}
	s, err := parseSnapshot(data)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	return s, data, nil
}

// writeSnapshotFile writes data as the snapshot named for mark (atomically:
// temp file, fsync, rename) and removes every older snapshot.
func writeSnapshotFile(dir string, mark snapshotMark, data []byte) error {
	name := snapshotName(mark.endOffset, mark.term)
	if err := checkpoint.WriteFileAtomic(filepath.Join(dir, name), data); err != nil {
		return fmt.Errorf("raft: write snapshot %s: %w", name, err)
	}
	old, err := listSnapshots(dir)
	if err != nil {
		return err
	}
	for _, s := range old {
		if s.endOffset < mark.endOffset {
			if err := os.Remove(filepath.Join(dir, s.name)); err != nil {
				return fmt.Errorf("raft: remove old snapshot: %w", err)
			}
		}
	}
	return nil
}
