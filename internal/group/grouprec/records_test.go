package grouprec

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"
)

// codec is what every generated top-level record offers.
type codec interface {
	AppendTo(dst []byte, version int16) []byte
	ReadFrom(src []byte, version int16) error
	HighestVersion() int16
}

// samples returns each record type filled with non-default values and
// a fresh value to decode into.
func samples() []struct{ filled, empty codec } {
	type pair = struct{ filled, empty codec }
	var out []pair
	add := func(f, e codec) { out = append(out, pair{f, e}) }
	a, b := new(ConsumerGroupCurrentMemberAssignmentKey), new(ConsumerGroupCurrentMemberAssignmentValue)
	testFillConsumerGroupCurrentMemberAssignmentKey(a, 8, true)
	testFillConsumerGroupCurrentMemberAssignmentValue(b, 0, true)
	add(a, new(ConsumerGroupCurrentMemberAssignmentKey))
	add(b, new(ConsumerGroupCurrentMemberAssignmentValue))
	c, d := new(ConsumerGroupMemberMetadataKey), new(ConsumerGroupMemberMetadataValue)
	testFillConsumerGroupMemberMetadataKey(c, 5, true)
	testFillConsumerGroupMemberMetadataValue(d, 0, true)
	add(c, new(ConsumerGroupMemberMetadataKey))
	add(d, new(ConsumerGroupMemberMetadataValue))
	e, f := new(ConsumerGroupMetadataKey), new(ConsumerGroupMetadataValue)
	testFillConsumerGroupMetadataKey(e, 3, true)
	testFillConsumerGroupMetadataValue(f, 0, true)
	add(e, new(ConsumerGroupMetadataKey))
	add(f, new(ConsumerGroupMetadataValue))
	g, h := new(ConsumerGroupPartitionMetadataKey), new(ConsumerGroupPartitionMetadataValue)
	testFillConsumerGroupPartitionMetadataKey(g, 4, true)
	testFillConsumerGroupPartitionMetadataValue(h, 0, true)
	add(g, new(ConsumerGroupPartitionMetadataKey))
	add(h, new(ConsumerGroupPartitionMetadataValue))
	i, j := new(ConsumerGroupTargetAssignmentMemberKey), new(ConsumerGroupTargetAssignmentMemberValue)
	testFillConsumerGroupTargetAssignmentMemberKey(i, 7, true)
	testFillConsumerGroupTargetAssignmentMemberValue(j, 0, true)
	add(i, new(ConsumerGroupTargetAssignmentMemberKey))
	add(j, new(ConsumerGroupTargetAssignmentMemberValue))
	k, l := new(ConsumerGroupTargetAssignmentMetadataKey), new(ConsumerGroupTargetAssignmentMetadataValue)
	testFillConsumerGroupTargetAssignmentMetadataKey(k, 6, true)
	testFillConsumerGroupTargetAssignmentMetadataValue(l, 0, true)
	add(k, new(ConsumerGroupTargetAssignmentMetadataKey))
	add(l, new(ConsumerGroupTargetAssignmentMetadataValue))
	return out
}

func TestRoundTrip(t *testing.T) {
	for _, s := range samples() {
		v := s.filled.HighestVersion()
		b := s.filled.AppendTo(nil, v)
		if err := s.empty.ReadFrom(b, v); err != nil {
			t.Fatalf("%T: %v", s.filled, err)
		}
		if !reflect.DeepEqual(s.filled, s.empty) {
			t.Errorf("%T: round trip\n got %+v\nwant %+v", s.filled, s.empty, s.filled)
		}
		if err := s.empty.ReadFrom(b[:len(b)-1], v); err == nil {
			t.Errorf("%T: truncated record decoded", s.filled)
		}
	}
}

// TestGolden checks encodings against bytes laid out by hand from
// Kafka's schemas.
func TestGolden(t *testing.T) {
	tests := []struct {
		name string
		got  []byte
		want []byte
	}{
		{"group epoch value", (&ConsumerGroupMetadataValue{Epoch: 5}).AppendTo(nil, 0), []byte{0, 0, 0, 5, 0}},
		{"group key", (&ConsumerGroupMetadataKey{GroupID: "g"}).AppendTo(nil, 3), []byte{0, 1, 'g'}},
		{"member key", (&ConsumerGroupMemberMetadataKey{GroupID: "g", MemberID: "m"}).AppendTo(nil, 5), []byte{0, 1, 'g', 0, 1, 'm'}},
		{"classic member metadata (tag 0)", (&ConsumerGroupMemberMetadataValue{
			ClientID: "c", ClientHost: "h", RebalanceTimeoutMs: 1,
			ClassicMemberMetadata: &ClassicMemberMetadata{SessionTimeoutMs: 2, SupportedProtocols: []ClassicProtocol{{Name: "r", Metadata: []byte{9}}}},
		}).AppendTo(nil, 0), []byte{
			0, 0, 2, 'c', 2, 'h', // null instance and rack ids, client id and host
			1, 0, 0, 0, 0, 1, 0, // no topic names, null regex, rebalance timeout, null assignor
			1, 0, 12, // one tagged field: tag 0, 12 bytes
			1, 0, 0, 0, 2, 2, 2, 'r', 2, 9, 0, 0, // non-null marker, session timeout, protocols, tags
		}},
	}
	for _, tc := range tests {
		if !bytes.Equal(tc.got, tc.want) {
			t.Errorf("%s: got % x, want % x", tc.name, tc.got, tc.want)
		}
	}
}

// TestGeneratedUpToDate regenerates the codecs and compares them.
func TestGeneratedUpToDate(t *testing.T) {
	schemas := "../../../../shared/kafka-schemas/group-coordinator"
	if _, err := os.Stat(schemas); err != nil {
		t.Skip("schemas not present:", err)
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "records_gen.go")
	cmd := exec.Command("go", "run", "../../metadata/gen", "-schemas", schemas, "-package", "grouprec", "-include", "ConsumerGroup", "-out", out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	for _, name := range []string{"records_gen.go", "records_gen_test.go"} {
		got, _ := os.ReadFile(filepath.Join(dir, name))
		want, err := os.ReadFile(name)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s is stale: run go generate in internal/group/grouprec", name)
		}
	}
}

func FuzzMemberMetadataValue(f *testing.F) {
	v := new(ConsumerGroupMemberMetadataValue)
	testFillConsumerGroupMemberMetadataValue(v, 0, true)
	f.Add(v.AppendTo(nil, 0))
	f.Fuzz(func(t *testing.T, b []byte) {
		var m ConsumerGroupMemberMetadataValue
		if m.ReadFrom(b, 0) != nil {
			return
		}
		var again ConsumerGroupMemberMetadataValue
		if err := again.ReadFrom(m.AppendTo(nil, 0), 0); err != nil {
			t.Fatalf("re-encoded record does not decode: %v", err)
		}
	})
}

func FuzzAssignmentValue(f *testing.F) {
	v := new(ConsumerGroupCurrentMemberAssignmentValue)
	testFillConsumerGroupCurrentMemberAssignmentValue(v, 0, true)
	f.Add(v.AppendTo(nil, 0))
	f.Fuzz(func(t *testing.T, b []byte) {
		var m ConsumerGroupCurrentMemberAssignmentValue
		if m.ReadFrom(b, 0) != nil {
			return
		}
		var again ConsumerGroupCurrentMemberAssignmentValue
		if err := again.ReadFrom(m.AppendTo(nil, 0), 0); err != nil {
			t.Fatalf("re-encoded record does not decode: %v", err)
		}
	})
}
