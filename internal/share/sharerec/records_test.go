package sharerec

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

func samples() []struct{ filled, empty codec } {
	a, b := new(ShareSnapshotKey), new(ShareSnapshotValue)
	testFillShareSnapshotKey(a, 0, true)
	testFillShareSnapshotValue(b, 0, true)
	c, d := new(ShareUpdateKey), new(ShareUpdateValue)
	testFillShareUpdateKey(c, 1, true)
	testFillShareUpdateValue(d, 0, true)
	return []struct{ filled, empty codec }{
		{a, new(ShareSnapshotKey)}, {b, new(ShareSnapshotValue)},
		{c, new(ShareUpdateKey)}, {d, new(ShareUpdateValue)},
	}
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
	id := UUID{15: 7}
	tests := []struct {
		name      string
		got, want []byte
	}{
		{"update key", (&ShareUpdateKey{GroupID: "g", TopicID: id, Partition: 2}).AppendTo(nil, 1),
			append(append([]byte{0, 1, 'g'}, id[:]...), 0, 0, 0, 2)},
		{"update value", (&ShareUpdateValue{SnapshotEpoch: 1, LeaderEpoch: 3, StartOffset: 9,
			StateBatches: []StateBatch{{FirstOffset: 9, LastOffset: 10, DeliveryState: 2, DeliveryCount: 1}}}).AppendTo(nil, 0),
			[]byte{
				0, 1, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 9, // snapshot epoch, leader epoch, start
				2, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 10, 2, 0, 1, 0, // one batch and its tags
				0, // tags
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
	schemas := "../../../../shared/kafka-schemas/share-coordinator"
	if _, err := os.Stat(schemas); err != nil {
		t.Skip("schemas not present:", err)
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "records_gen.go")
	cmd := exec.Command("go", "run", "../../metadata/gen", "-schemas", schemas, "-package", "sharerec", "-out", out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	for _, name := range []string{"records_gen.go", "records_gen_test.go"} {
		got, _ := os.ReadFile(filepath.Join(dir, name))
		want, err := os.ReadFile(name)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s is stale: run go generate in internal/share/sharerec", name)
		}
	}
}

func FuzzSnapshotValue(f *testing.F) {
	v := new(ShareSnapshotValue)
	testFillShareSnapshotValue(v, 0, true)
	f.Add(v.AppendTo(nil, 0))
	f.Fuzz(func(t *testing.T, b []byte) {
		var m ShareSnapshotValue
		if m.ReadFrom(b, 0) != nil {
			return
		}
		var again ShareSnapshotValue
		if err := again.ReadFrom(m.AppendTo(nil, 0), 0); err != nil {
			t.Fatalf("re-encoded record does not decode: %v", err)
		}
	})
}
