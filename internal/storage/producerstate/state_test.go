package producerstate

import (
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func batch(pid int64, epoch int16, first, last int32) Batch {
	return Batch{ProducerID: pid, Epoch: epoch, FirstSeq: first, LastSeq: last, MaxTimestamp: 1}
}

func TestCheck(t *testing.T) {
	type step struct {
		b       Batch
		wantErr error
		wantDup bool
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"in order", []step{{b: batch(1, 0, 0, 4)}, {b: batch(1, 0, 5, 5)}, {b: batch(1, 0, 6, 9)}}},
		{"gap", []step{{b: batch(1, 0, 0, 4)}, {b: batch(1, 0, 6, 6), wantErr: ErrOutOfOrderSequence}}},
		{"duplicate of last", []step{{b: batch(1, 0, 0, 4)}, {b: batch(1, 0, 0, 4), wantDup: true}}},
		{"duplicate of older", []step{{b: batch(1, 0, 0, 0)}, {b: batch(1, 0, 1, 1)}, {b: batch(1, 0, 0, 0), wantDup: true}}},
		{"stale epoch", []step{{b: batch(1, 3, 0, 0)}, {b: batch(1, 2, 1, 1), wantErr: ErrInvalidProducerEpoch}}},
		{"bump to seq 0", []step{{b: batch(1, 0, 0, 9)}, {b: batch(1, 1, 0, 0)}}},
		{"bump not at 0", []step{{b: batch(1, 0, 0, 9)}, {b: batch(1, 1, 5, 5), wantErr: ErrOutOfOrderSequence}}},
		{"unknown at any seq", []step{{b: batch(7, 0, 42, 42)}, {b: batch(7, 0, 43, 43)}}},
		{"wraps", []step{{b: batch(1, 0, math.MaxInt32-1, math.MaxInt32)}, {b: batch(1, 0, 0, 0)}}},
		{"txn then plain", []step{{b: Batch{ProducerID: 1, FirstSeq: 0, LastSeq: 0, Transactional: true}}, {b: batch(1, 0, 1, 1), wantErr: ErrInvalidTxnState}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(0)
			for i, st := range tt.steps {
				dup, err := s.Check(st.b)
				if !errors.Is(err, st.wantErr) || (dup != nil) != st.wantDup {
					t.Fatalf("step %d: dup %v err %v, want dup %v err %v", i, dup, err, st.wantDup, st.wantErr)
				}
				if err == nil && dup == nil {
					s.Append(st.b, s.End(), s.End()+int64(st.b.LastSeq-st.b.FirstSeq))
				}
			}
		})
	}
}

func TestDuplicateAnsweredWithOriginalOffsets(t *testing.T) {
	s := New(100)
	for i := int32(0); i < 7; i++ {
		s.Append(batch(1, 0, i*2, i*2+1), s.End(), s.End()+1)
	}
	if d, _ := s.Check(batch(1, 0, 2, 3)); d != nil {
		t.Fatalf("batch 1 is older than the last %d and must not match: %+v", MaxBatches, d)
	}
	d, err := s.Check(batch(1, 0, 8, 9))
	if err != nil || d == nil || d.FirstOffset != 108 || d.LastOffset != 109 {
		t.Fatalf("dup %+v err %v", d, err)
	}
}

func TestTransactions(t *testing.T) {
	s := New(0)
	tb := Batch{ProducerID: 1, FirstSeq: 0, LastSeq: 2, Transactional: true}
	s.Append(tb, 0, 2)
	s.Append(batch(2, 0, 0, 0), 3, 3)
	tb2 := Batch{ProducerID: 3, FirstSeq: 0, LastSeq: 0, Transactional: true}
	s.Append(tb2, 4, 4)
	if got := s.FirstUnstableOffset(); got != 0 {
		t.Fatalf("first unstable %d", got)
	}
	m := Marker{ProducerID: 1, Epoch: 0, CoordinatorEpoch: 5, Commit: false}
	if err := s.CheckMarker(m); err != nil {
		t.Fatal(err)
	}
	ab := s.ApplyMarker(m, 5)
	if ab == nil || *ab != (AbortedTxn{ProducerID: 1, FirstOffset: 0, LastOffset: 5, LastStableOffset: 4}) {
		t.Fatalf("aborted %+v", ab)
	}
	if err := s.CheckMarker(Marker{ProducerID: 1, CoordinatorEpoch: 4}); !errors.Is(err, ErrCoordinatorFenced) {
		t.Fatal(err)
	}
	if ab := s.ApplyMarker(Marker{ProducerID: 3, Commit: true}, 6); ab != nil {
		t.Fatal(ab)
	}
	if got := s.FirstUnstableOffset(); got != NoOffset {
		t.Fatalf("first unstable %d", got)
	}
	if err := s.CheckMarker(Marker{ProducerID: 3, Epoch: -1}); !errors.Is(err, ErrInvalidProducerEpoch) {
		t.Fatal(err)
	}
}

func TestSnapshotRoundTrip(t *testing.T) {
	s := New(0)
	s.Append(batch(1, 2, 0, 4), 0, 4)
	s.Append(batch(1, 2, 5, 6), 5, 6)
	s.Append(Batch{ProducerID: 9, Epoch: 1, FirstSeq: 0, LastSeq: 0, Transactional: true, MaxTimestamp: 77}, 7, 7)
	dir := t.TempDir()
	if err := WriteSnapshot(dir, s); err != nil {
		t.Fatal(err)
	}
	got, err := LoadLatest(dir, 100)
	if err != nil || got == nil {
		t.Fatal(got, err)
	}
	if got.End() != 8 || got.FirstUnstableOffset() != 7 {
		t.Fatalf("end %d fuo %d", got.End(), got.FirstUnstableOffset())
	}
	if d, _ := got.Check(batch(1, 2, 5, 6)); d == nil || d.FirstOffset != 5 {
		t.Fatalf("last batch must survive the snapshot: %+v", d)
	}
	if _, err := got.Check(batch(1, 2, 8, 8)); !errors.Is(err, ErrOutOfOrderSequence) {
		t.Fatal(err)
	}
	if got, _ := LoadLatest(dir, 7); got != nil {
		t.Fatal("a snapshot above the log end must be dropped")
	}
	if offs, _ := ListSnapshots(dir); len(offs) != 0 {
		t.Fatal(offs)
	}
}

// TestProperty drives random producers against a model of what each has
// sent and checks that every retry is recognized, never appended twice, and
// every in-order batch is accepted.
func TestProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := 0; round < 200; round++ {
		s := New(0)
		type prod struct {
			epoch int16
			next  int32
			sent  []Batch
			offs  map[int32]int64
		}
		ps := map[int64]*prod{}
		for step := 0; step < 100; step++ {
			pid := int64(rng.IntN(3))
			p := ps[pid]
			if p == nil {
				p = &prod{offs: map[int32]int64{}}
				ps[pid] = p
			}
			switch op := rng.IntN(10); {
			case op < 6: // a new batch
				n := int32(rng.IntN(4))
				b := batch(pid, p.epoch, p.next, p.next+n)
				dup, err := s.Check(b)
				if err != nil || dup != nil {
					t.Fatalf("round %d step %d: in-order batch refused: %v %v", round, step, dup, err)
				}
				first := s.End()
				s.Append(b, first, first+int64(n))
				p.offs[b.FirstSeq] = first
				p.sent = append(p.sent, b)
				p.next += n + 1
			case op < 8 && len(p.sent) > 0: // a retry of a recent batch
				k := rng.IntN(min(len(p.sent), MaxBatches))
				b := p.sent[len(p.sent)-1-k]
				dup, err := s.Check(b)
				if err != nil || dup == nil || dup.FirstOffset != p.offs[b.FirstSeq] {
					t.Fatalf("round %d step %d: retry not recognized: %+v %v", round, step, dup, err)
				}
			case op < 9: // a gap
				b := batch(pid, p.epoch, p.next+1+int32(rng.IntN(5)), p.next+10)
				if _, err := s.Check(b); len(p.sent) > 0 && !errors.Is(err, ErrOutOfOrderSequence) {
					t.Fatalf("round %d step %d: gap accepted: %v", round, step, err)
				}
			default: // epoch bump
				p.epoch++
				p.next, p.sent = 0, nil
			}
		}
		snap, err := UnmarshalSnapshot(s.MarshalSnapshot(), s.End())
		if err != nil || snap.Len() != s.Len() {
			t.Fatalf("snapshot: %v", err)
		}
	}
}

// TestSnapshotNoSyncTorn: a snapshot written without fsync is read back
// like a synced one, and one torn by a crash before its fsync is removed
// for the snapshot before it.
func TestSnapshotNoSyncTorn(t *testing.T) {
	dir := t.TempDir()
	s := New(0)
	s.Append(batch(1, 2, 0, 4), 0, 4)
	if err := WriteSnapshot(dir, s); err != nil {
		t.Fatal(err)
	}
	s.Append(batch(1, 2, 5, 9), 5, 9)
	path, err := WriteSnapshotNoSync(dir, s)
	if err != nil || filepath.Base(path) != FileName(10) {
		t.Fatalf("path %q, err %v", path, err)
	}
	if got, err := LoadLatest(dir, 100); err != nil || got == nil || got.End() != 10 {
		t.Fatalf("unsynced snapshot read back as %+v (err %v), want end 10", got, err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, torn := range [][]byte{nil, b[:len(b)-3], make([]byte, len(b))} {
		if err := os.WriteFile(path, torn, 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := LoadLatest(dir, 100)
		if err != nil || got == nil || got.End() != 5 {
			t.Fatalf("torn snapshot of %d bytes: loaded %+v (err %v), want the one at 5", len(torn), got, err)
		}
		if offs, _ := ListSnapshots(dir); !slices.Equal(offs, []int64{5}) {
			t.Fatalf("snapshots left %v, want [5]", offs)
		}
	}
}
