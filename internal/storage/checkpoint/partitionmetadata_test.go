package checkpoint

import (
	"errors"
	"io/fs"
	"path/filepath"
	"testing"
)

func TestPartitionMetadataRoundTrip(t *testing.T) {
	for range 20 {
		id := NewUUID()
		path := filepath.Join(t.TempDir(), PartitionMetadataFile)
		if err := WritePartitionMetadata(path, id); err != nil {
			t.Fatal(err)
		}
		if got, err := ReadPartitionMetadata(path); err != nil || got != id {
			t.Fatalf("ReadPartitionMetadata = %v, %v; want %v", got, err, id)
		}
	}
}

func TestReadPartitionMetadataMissing(t *testing.T) {
	_, err := ReadPartitionMetadata(filepath.Join(t.TempDir(), PartitionMetadataFile))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("err = %v, want fs.ErrNotExist", err)
	}
}

// TestParsePartitionMetadataLenient covers input Kafka's reader accepts too.
func TestParsePartitionMetadataLenient(t *testing.T) {
	for name, in := range map[string]string{
		"final newline":  "version: 0\ntopic_id: 86HC1OW2R4iZqrvM3e7_AA\n",
		"crlf":           "version: 0\r\ntopic_id: 86HC1OW2R4iZqrvM3e7_AA\r\n",
		"tabs and runs":  "version:\t 0\ntopic_id:  86HC1OW2R4iZqrvM3e7_AA",
		"newer version":  "version: 1\ntopic_id: 86HC1OW2R4iZqrvM3e7_AA",
		"padded id":      "version: 0\ntopic_id: 86HC1OW2R4iZqrvM3e7_AA==",
		"trailing lines": "version: 0\ntopic_id: 86HC1OW2R4iZqrvM3e7_AA\nextra: 1\n",
	} {
		if got, err := ParsePartitionMetadata([]byte(in)); err != nil || got != goldenTopicID {
			t.Errorf("%s: ParsePartitionMetadata(%q) = %v, %v", name, in, got, err)
		}
	}
}

func TestParsePartitionMetadataMalformed(t *testing.T) {
	for name, in := range map[string]string{
		"empty":             "",
		"version only":      "version: 0\n",
		"negative version":  "version: -1\ntopic_id: 86HC1OW2R4iZqrvM3e7_AA",
		"version not int":   "version: zero\ntopic_id: 86HC1OW2R4iZqrvM3e7_AA",
		"no space":          "version:0\ntopic_id: 86HC1OW2R4iZqrvM3e7_AA",
		"wrong first key":   "versions: 0\ntopic_id: 86HC1OW2R4iZqrvM3e7_AA",
		"wrong second key":  "version: 0\ntopicid: 86HC1OW2R4iZqrvM3e7_AA",
		"swapped lines":     "topic_id: 86HC1OW2R4iZqrvM3e7_AA\nversion: 0",
		"bad id":            "version: 0\ntopic_id: not-a-uuid",
		"zero id":           "version: 0\ntopic_id: AAAAAAAAAAAAAAAAAAAAAA",
		"id with trailing":  "version: 0\ntopic_id: 86HC1OW2R4iZqrvM3e7_AA x",
		"leading space key": " version: 0\ntopic_id: 86HC1OW2R4iZqrvM3e7_AA",
		"not utf8":          "version: 0\ntopic_id: \xff",
	} {
		if got, err := ParsePartitionMetadata([]byte(in)); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: ParsePartitionMetadata(%q) = %v, %v; want ErrMalformed", name, in, got, err)
		}
	}
}
