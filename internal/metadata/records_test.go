package metadata

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
)

type versioned interface {
	Record
	LowestVersion() int16
}

// TestRoundTripAllRecords encodes every record type at every version with every field
// set to a non-default value and checks the decoded record equals the input with the
// fields absent at that version reset to their defaults.
func TestRoundTripAllRecords(t *testing.T) {
	for _, key := range recordAPIKeys {
		rec, ok := NewRecord(key)
		if !ok || rec.APIKey() != key {
			t.Fatalf("NewRecord(%d) = %v, %v", key, rec, ok)
		}
		lo := rec.(versioned).LowestVersion()
		for v := lo; v <= rec.HighestVersion(); v++ {
			in, want := testSample(key, v, true), testSample(key, v, false)
			b := in.AppendTo(nil, v)
			got, _ := NewRecord(key)
			if err := got.ReadFrom(b, v); err != nil {
				t.Fatalf("%T v%d: ReadFrom: %v", in, v, err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%T v%d:\n got %+v\nwant %+v", in, v, got, want)
			}
			if b2 := got.AppendTo(nil, v); !bytes.Equal(b, b2) && reflect.DeepEqual(in, want) {
				t.Fatalf("%T v%d: re-encoding differs", in, v)
			}
			framed := EncodeRecord(nil, in, v)
			dec, dv, err := DecodeRecord(framed)
			if err != nil || dv != v || !reflect.DeepEqual(dec, want) {
				t.Fatalf("%T v%d: DecodeRecord = %+v, %d, %v", in, v, dec, dv, err)
			}
		}
	}
}

// TestDefaultsRoundTrip checks records holding only defaults survive a round trip.
func TestDefaultsRoundTrip(t *testing.T) {
	for _, key := range recordAPIKeys {
		rec, _ := NewRecord(key)
		for v := rec.(versioned).LowestVersion(); v <= rec.HighestVersion(); v++ {
			got, _ := NewRecord(key)
			if err := got.ReadFrom(rec.AppendTo(nil, v), v); err != nil {
				t.Fatalf("%T v%d: %v", rec, v, err)
			}
			if !reflect.DeepEqual(got, rec) {
				t.Fatalf("%T v%d:\n got %+v\nwant %+v", rec, v, got, rec)
			}
		}
	}
}

func TestDefaults(t *testing.T) {
	pc := NewPartitionChangeRecord()
	if pc.Leader != -2 || pc.LeaderRecoveryState != -1 || pc.PartitionID != -1 || pc.ISR != nil {
		t.Fatalf("PartitionChangeRecord defaults: %+v", pc)
	}
	rb := NewRegisterBrokerRecord()
	if !rb.Fenced || rb.Rack == nil || *rb.Rack != "" {
		t.Fatalf("RegisterBrokerRecord defaults: %+v", rb)
	}
	if p := NewProducerIdsRecord(); p.BrokerEpoch != -1 {
		t.Fatalf("ProducerIdsRecord defaults: %+v", p)
	}
}

func TestDecodeRecordErrors(t *testing.T) {
	topic := EncodeRecord(nil, &TopicRecord{Name: "a"}, 0)
	tests := []struct {
		name    string
		b       []byte
		unknown bool
	}{
		{"empty", nil, false},
		{"frame 0", []byte{0, 2, 0}, false},
		{"frame 2", []byte{2, 2, 0}, false},
		{"unknown key", []byte{1, 100, 0}, true},
		{"bad version", []byte{1, 2, 9, 0}, false},
		{"huge key", []byte{1, 0xff, 0xff, 0x03, 0}, false},
		{"truncated", topic[:len(topic)-1], false},
		{"garbage after", append(append([]byte{}, topic...), 0), false},
		{"null non-nullable string", []byte{1, 2, 0, 0}, false},
		{"huge array", []byte{1, 3, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0x03}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := DecodeRecord(tc.b)
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("err = %v, want ErrCorrupt", err)
			}
			if tc.unknown != errors.Is(err, ErrUnknownRecord) {
				t.Fatalf("err = %v, unknown want %v", err, tc.unknown)
			}
		})
	}
}

// TestUnknownTagsSkipped checks an unknown tagged field is ignored on read.
func TestUnknownTagsSkipped(t *testing.T) {
	b := []byte{3, 'f', 'o'}
	b = append(b, make([]byte, 16)...)
	b = append(b, 1, 42, 2, 0xaa, 0xbb) // one tagged field: tag 42, two bytes
	var tr TopicRecord
	if err := tr.ReadFrom(b, 0); err != nil || tr.Name != "fo" {
		t.Fatalf("ReadFrom = %v, %+v", err, tr)
	}
}

func TestUUIDString(t *testing.T) {
	u := UUID{0: 1, 15: 0xff}
	p, err := ParseUUID(u.String())
	if err != nil || p != u {
		t.Fatalf("ParseUUID(%q) = %v, %v", u.String(), p, err)
	}
	if _, err := ParseUUID("x"); err == nil {
		t.Fatal("ParseUUID accepted garbage")
	}
}
