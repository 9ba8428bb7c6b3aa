package checkpoint

import (
	"os"
	"path/filepath"
	"testing"
)

func TestCleanShutdownLifecycle(t *testing.T) {
	dir := t.TempDir()
	if ok, err := ConsumeCleanShutdown(dir); ok || err != nil {
		t.Fatalf("Consume on empty dir = %v, %v; want false, nil", ok, err)
	}
	if err := WriteCleanShutdown(dir); err != nil {
		t.Fatal(err)
	}
	if epoch, ok, err := ReadCleanShutdown(dir); !ok || err != nil || epoch != NoBrokerEpoch {
		t.Fatalf("ReadCleanShutdown = %d, %v, %v", epoch, ok, err)
	}
	if ok, err := ConsumeCleanShutdown(dir); !ok || err != nil {
		t.Fatalf("Consume = %v, %v; want true, nil", ok, err)
	}
	if _, err := os.Stat(filepath.Join(dir, CleanShutdownFile)); !os.IsNotExist(err) {
		t.Fatalf("marker still there: %v", err)
	}
	if ok, err := ConsumeCleanShutdown(dir); ok || err != nil {
		t.Fatalf("second Consume = %v, %v; want false, nil", ok, err)
	}
	if _, ok, err := ReadCleanShutdown(dir); ok || err != nil {
		t.Fatalf("ReadCleanShutdown after consume = %v, %v", ok, err)
	}
}

func TestCleanShutdownEpoch(t *testing.T) {
	dir := t.TempDir()
	if err := WriteCleanShutdownEpoch(dir, 123456789012); err != nil {
		t.Fatal(err)
	}
	if epoch, ok, err := ReadCleanShutdown(dir); !ok || err != nil || epoch != 123456789012 {
		t.Fatalf("ReadCleanShutdown = %d, %v, %v", epoch, ok, err)
	}
}

// TestParseCleanShutdown covers markers written by other Kafka versions: the
// empty file of Kafka < 3.7 and JSON with fields in another order.
func TestParseCleanShutdown(t *testing.T) {
	for in, want := range map[string]int64{
		``:                                    NoBrokerEpoch,
		`{}`:                                  NoBrokerEpoch,
		`garbage`:                             NoBrokerEpoch,
		`{"version":0}`:                       NoBrokerEpoch,
		`{"brokerEpoch":7,"version":0}`:       7,
		`{"version":0,"brokerEpoch":-1}`:      -1,
		`{"version":1,"brokerEpoch":9,"x":1}`: 9,
	} {
		if got := parseCleanShutdown([]byte(in)); got != want {
			t.Errorf("parseCleanShutdown(%q) = %d, want %d", in, got, want)
		}
	}
}

func TestConsumeCleanShutdownOldEmptyMarker(t *testing.T) {
	dir := t.TempDir()
	writeTestFile(t, filepath.Join(dir, CleanShutdownFile), "")
	if ok, err := ConsumeCleanShutdown(dir); !ok || err != nil {
		t.Fatalf("Consume = %v, %v; want true, nil", ok, err)
	}
}
