package checkpoint

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// Golden files in testdata/ hold the bytes Kafka writes, built by hand from
// Kafka's formats (CheckpointFile, PartitionMetadata.encode,
// Properties.store, CleanShutdownFileHandler), never by this package.

var (
	// goldenTopicID is the id in partition.metadata.golden.
	goldenTopicID = UUID{0xf3, 0xa1, 0xc2, 0xd4, 0xe5, 0xb6, 0x47, 0x88,
		0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x00}
	// goldenDirID is the directory.id in meta.properties-v1.golden.
	goldenDirID = UUID{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}
	// goldenOffsets is recovery-point-offset-checkpoint.golden.
	goldenOffsets = map[TopicPartition]int64{
		{"my-topic", 12}:          9223372036854775807,
		{"__consumer_offsets", 7}: 1024,
		{"my-topic", 0}:           0,
	}
	// goldenEpochs is leader-epoch-checkpoint.golden.
	goldenEpochs = []EpochEntry{{0, 0}, {2, 150}, {5, 1000}}
)

func readGolden(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// checkWritten compares the file a writer produced with a golden file.
func checkWritten(t *testing.T, path, golden string) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := readGolden(t, golden); !bytes.Equal(got, want) {
		t.Errorf("%s:\n got %q\nwant %q", golden, got, want)
	}
}

func TestGoldenOffsets(t *testing.T) {
	for _, tc := range []struct {
		golden  string
		offsets map[TopicPartition]int64
	}{
		{"recovery-point-offset-checkpoint.golden", goldenOffsets},
		{"empty-offset-checkpoint.golden", map[TopicPartition]int64{}},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), RecoveryPointCheckpointFile)
			if err := WriteOffsets(path, tc.offsets); err != nil {
				t.Fatal(err)
			}
			checkWritten(t, path, tc.golden)
			got, err := ReadOffsets(filepath.Join("testdata", tc.golden))
			if err != nil || !reflect.DeepEqual(got, tc.offsets) {
				t.Errorf("ReadOffsets = %v, %v; want %v", got, err, tc.offsets)
			}
		})
	}
}

func TestGoldenEpochs(t *testing.T) {
	path := filepath.Join(t.TempDir(), LeaderEpochCheckpointFile)
	if err := WriteEpochs(path, goldenEpochs); err != nil {
		t.Fatal(err)
	}
	checkWritten(t, path, "leader-epoch-checkpoint.golden")
	got, err := ReadEpochs(filepath.Join("testdata", "leader-epoch-checkpoint.golden"))
	if err != nil || !reflect.DeepEqual(got, goldenEpochs) {
		t.Errorf("ReadEpochs = %v, %v; want %v", got, err, goldenEpochs)
	}
}

func TestGoldenPartitionMetadata(t *testing.T) {
	path := filepath.Join(t.TempDir(), PartitionMetadataFile)
	if err := WritePartitionMetadata(path, goldenTopicID); err != nil {
		t.Fatal(err)
	}
	checkWritten(t, path, "partition.metadata.golden")
	got, err := ReadPartitionMetadata(filepath.Join("testdata", "partition.metadata.golden"))
	if err != nil || got != goldenTopicID {
		t.Errorf("ReadPartitionMetadata = %v, %v; want %v", got, err, goldenTopicID)
	}
}

var goldenMetaProperties = []struct {
	golden string
	date   time.Time
	mp     MetaProperties
}{
	{"meta.properties-v1.golden", time.Date(2023, 10, 24, 10, 0, 0, 0, time.UTC),
		MetaProperties{Version: 1, ClusterID: "MkU3OEVBNTcwNTJENDM2Qk", NodeID: 1, DirectoryID: goldenDirID}},
	{"meta.properties-v0.golden", time.Date(2021, 3, 10, 11, 33, 56, 0, time.UTC),
		MetaProperties{Version: 0, ClusterID: "MkU3OEVBNTcwNTJENDM2Qk", NodeID: 0}},
}

// TestGoldenMetaPropertiesEncode compares whole files, date line included.
func TestGoldenMetaPropertiesEncode(t *testing.T) {
	for _, tc := range goldenMetaProperties {
		got, err := EncodeMetaProperties(tc.mp, tc.date)
		if err != nil {
			t.Fatal(err)
		}
		if want := readGolden(t, tc.golden); !bytes.Equal(got, want) {
			t.Errorf("%s:\n got %q\nwant %q", tc.golden, got, want)
		}
	}
}

// TestGoldenMetaPropertiesWrite compares everything but the date line.
func TestGoldenMetaPropertiesWrite(t *testing.T) {
	for _, tc := range goldenMetaProperties {
		path := filepath.Join(t.TempDir(), MetaPropertiesFile)
		if err := WriteMetaProperties(path, tc.mp); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		gotLines, wantLines := bytes.Split(got, []byte("\n")), bytes.Split(readGolden(t, tc.golden), []byte("\n"))
		if len(gotLines) != len(wantLines) || !bytes.HasPrefix(gotLines[1], []byte("#")) {
			t.Fatalf("%s: got %q", tc.golden, got)
		}
		gotLines[1], wantLines[1] = nil, nil
		if !reflect.DeepEqual(gotLines, wantLines) {
			t.Errorf("%s:\n got %q\nwant %q", tc.golden, got, readGolden(t, tc.golden))
		}
		if _, err := time.Parse(javaDateLayout, string(bytes.Split(got, []byte("\n"))[1][1:])); err != nil {
			t.Errorf("date line: %v", err)
		}
	}
}

func TestGoldenMetaPropertiesRead(t *testing.T) {
	cases := map[string]MetaProperties{
		"meta.properties-edited.golden": {Version: 1, ClusterID: "MkU3OEVBNTcwNTJENDM2Qk", NodeID: 3, DirectoryID: goldenDirID},
	}
	for _, tc := range goldenMetaProperties {
		cases[tc.golden] = tc.mp
	}
	for golden, want := range cases {
		got, err := ReadMetaProperties(filepath.Join("testdata", golden))
		if err != nil || got != want {
			t.Errorf("%s: ReadMetaProperties = %+v, %v; want %+v", golden, got, err, want)
		}
	}
}

func TestGoldenCleanShutdown(t *testing.T) {
	dir := t.TempDir()
	if err := WriteCleanShutdownEpoch(dir, 42); err != nil {
		t.Fatal(err)
	}
	checkWritten(t, filepath.Join(dir, CleanShutdownFile), "kafka_cleanshutdown.golden")
	if got := parseCleanShutdown(readGolden(t, "kafka_cleanshutdown.golden")); got != 42 {
		t.Errorf("broker epoch = %d, want 42", got)
	}
}
