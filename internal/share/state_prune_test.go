package share

import (
	"encoding/binary"
	"reflect"
	"testing"
	"time"

	"github.com/gofka/gofka/internal/record"
)

// pruneLog is an in-memory store with offsets that can be pruned.
type pruneLog struct {
	memLog
	next  map[int32]int64
	start map[int32]int64
}

func (l *pruneLog) AppendAt(p int32, b []byte) (int64, error) {
	if l.next == nil {
		l.next, l.start = map[int32]int64{}, map[int32]int64{}
	}
	h, err := record.ParseHeader(b)
	if err != nil {
		return -1, err
	}
	base := l.next[p]
	b = append([]byte(nil), b...)
	binary.BigEndian.PutUint64(b, uint64(base)) // the base offset leads a batch
	l.next[p] = base + int64(h.LastOffsetDelta) + 1
	return base, l.memLog.Append(p, b)
}

func (l *pruneLog) Append(p int32, b []byte) error {
	_, err := l.AppendAt(p, b)
	return err
}

func (l *pruneLog) DeleteBefore(p int32, off int64) error {
	var keep [][]byte
	for _, b := range l.parts[p] {
		if h, _ := record.ParseHeader(b); h.LastOffset() >= off {
			keep = append(keep, b)
		}
	}
	l.parts[p], l.start[p] = keep, off
	return nil
}

func TestPruneKeepsState(t *testing.T) {
	log := &pruneLog{}
	s := NewStateStore(StateConfig{NumPartitions: 1, UpdatesPerSnapshot: 3}, log, time.Now)
	keys := []Key{{Group: "a", Partition: 0}, {Group: "b", Partition: 1}}
	for _, k := range keys {
		if err := s.Initialize(k, 0, 0); err != nil {
			t.Fatal(err)
		}
	}
	for i := int64(0); i < 20; i++ {
		for _, k := range keys {
			if err := s.Write(k, 0, i, []Batch{{i, i + 1, Archived, 1}}); err != nil {
				t.Fatal(err)
			}
		}
	}
	before := len(log.parts[0])
	if err := s.Prune(); err != nil {
		t.Fatal(err)
	}
	if log.start[0] == 0 || len(log.parts[0]) >= before {
		t.Fatalf("nothing pruned: start %d, %d of %d batches left", log.start[0], len(log.parts[0]), before)
	}
	again := NewStateStore(StateConfig{NumPartitions: 1, UpdatesPerSnapshot: 3}, log, time.Now)
	if err := again.Load(); err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		want, _ := s.Read(k)
		got, ok := again.Read(k)
		if !ok || !reflect.DeepEqual(got, want) {
			t.Errorf("%v after pruning: %+v, want %+v", k, got, want)
		}
	}
}
