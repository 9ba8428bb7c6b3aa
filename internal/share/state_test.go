package share

import (
	"reflect"
	"testing"
	"time"

	"github.com/gofka/gofka/internal/group"
)

// memLog is an in-memory Log.
type memLog struct{ parts map[int32][][]byte }

func (m *memLog) Append(p int32, b []byte) error {
	if m.parts == nil {
		m.parts = map[int32][][]byte{}
	}
	m.parts[p] = append(m.parts[p], append([]byte(nil), b...))
	return nil
}

func (m *memLog) Replay(p int32, fn func([]byte) error) error {
	for _, b := range m.parts[p] {
		if err := fn(b); err != nil {
			return err
		}
	}
	return nil
}

var _ Log = (*memLog)(nil)

func newTestStore(log *memLog) *StateStore {
	return NewStateStore(StateConfig{NumPartitions: 3, UpdatesPerSnapshot: 3}, log, time.Now)
}

func TestStateWriteReplay(t *testing.T) {
	log := &memLog{}
	s := newTestStore(log)
	k := Key{Group: "g", TopicID: [16]byte{1}, Partition: 2}
	if err := s.Write(k, 0, 5, nil); err == nil {
		t.Fatal("write before initialize succeeded")
	}
	if err := s.Initialize(k, 0, 10); err != nil {
		t.Fatal(err)
	}
	writes := []struct {
		start   int64
		batches []Batch
	}{
		{-1, []Batch{{10, 14, Available, 1}}},
		{-1, []Batch{{12, 12, Acknowledged, 1}, {15, 15, Archived, 3}}},
		{11, []Batch{{11, 11, Acknowledged, 1}}}, // the third update is a snapshot
		{-1, []Batch{{13, 14, Acknowledged, 2}}},
	}
	for _, w := range writes {
		if err := s.Write(k, 1, w.start, w.batches); err != nil {
			t.Fatal(err)
		}
	}
	want := PartitionState{StateEpoch: 0, LeaderEpoch: 1, Start: 11, Batches: []Batch{
		{11, 12, Acknowledged, 1}, {13, 14, Acknowledged, 2}, {15, 15, Archived, 3},
	}}
	got, _ := s.Read(k)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("state %+v, want %+v", got, want)
	}
	again := newTestStore(log)
	if err := again.Load(); err != nil {
		t.Fatal(err)
	}
	if got, _ := again.Read(k); !reflect.DeepEqual(got, want) {
		t.Fatalf("replayed %+v, want %+v", got, want)
	}
	if err := again.Delete(k); err != nil {
		t.Fatal(err)
	}
	third := newTestStore(log)
	if err := third.Load(); err != nil {
		t.Fatal(err)
	}
	if _, ok := third.Read(k); ok {
		t.Fatal("deleted state replayed")
	}
}

// FuzzStateReplay feeds arbitrary record bytes to the replay: it must
// fail with an error or apply, never panic.
func FuzzStateReplay(f *testing.F) {
	log := &memLog{}
	s := newTestStore(log)
	k := Key{Group: "g", TopicID: [16]byte{1}, Partition: 2}
	_ = s.Initialize(k, 0, 10)
	_ = s.Write(k, 1, -1, []Batch{{10, 14, Available, 1}})
	for _, bs := range log.parts {
		for _, b := range bs {
			_ = group.EachRecord(b, func(_ int64, key, value []byte) error {
				f.Add(key, value)
				return nil
			})
		}
	}
	f.Fuzz(func(t *testing.T, key, value []byte) {
		s := newTestStore(&memLog{})
		s.mu.Lock()
		defer s.mu.Unlock()
		_ = s.replayLocked(0, key, value)
		for _, st := range s.mu.states {
			for _, b := range st.Batches {
				if b.First > b.Last || b.First < st.Start {
					t.Fatalf("bad batch %+v after start %d", b, st.Start)
				}
			}
		}
	})
}
