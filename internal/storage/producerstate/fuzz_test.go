package producerstate

import (
	"bytes"
	"testing"
)

func FuzzUnmarshalSnapshot(f *testing.F) {
	s := New(0)
	s.Append(batch(1, 0, 0, 3), 0, 3)
	s.Append(Batch{ProducerID: 2, Transactional: true}, 4, 4)
	f.Add(s.MarshalSnapshot())
	f.Add(New(0).MarshalSnapshot())
	f.Add([]byte{0, 1, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := UnmarshalSnapshot(b, 10)
		if err != nil {
			return
		}
		again := got.MarshalSnapshot()
		back, err := UnmarshalSnapshot(again, 10)
		if err != nil || !bytes.Equal(back.MarshalSnapshot(), again) {
			t.Fatalf("re-encoding is not stable: %v", err)
		}
	})
}

// FuzzState feeds arbitrary operations to the state machine: it must never
// panic, and an accepted batch followed by its retry is always a duplicate.
func FuzzState(f *testing.F) {
	f.Add([]byte{0, 0, 0, 1, 1, 0, 2, 2, 3})
	f.Fuzz(func(t *testing.T, ops []byte) {
		s := New(0)
		for i := 0; i+2 < len(ops); i += 3 {
			pid, epoch, seq := int64(ops[i]%4), int16(ops[i+1]%3), int32(ops[i+2])
			switch ops[i] >> 6 {
			case 0, 1:
				b := Batch{ProducerID: pid, Epoch: epoch, FirstSeq: seq, LastSeq: seq + 1, Transactional: ops[i]&0x20 != 0}
				if dup, err := s.Check(b); err == nil && dup == nil {
					s.Append(b, s.End(), s.End()+1)
					if d, err := s.Check(b); err != nil || d == nil {
						t.Fatalf("retry of an appended batch: %v %v", d, err)
					}
				}
			default:
				m := Marker{ProducerID: pid, Epoch: epoch, CoordinatorEpoch: int32(seq % 4), Commit: ops[i]&1 == 0}
				if s.CheckMarker(m) == nil {
					s.ApplyMarker(m, s.End())
				}
			}
			if fuo := s.FirstUnstableOffset(); fuo != NoOffset && fuo >= s.End() {
				t.Fatalf("first unstable offset %d past end %d", fuo, s.End())
			}
		}
		if _, err := UnmarshalSnapshot(s.MarshalSnapshot(), s.End()); err != nil {
			t.Fatal(err)
		}
	})
}
