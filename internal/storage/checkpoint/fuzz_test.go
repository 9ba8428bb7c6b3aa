package checkpoint

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// testDate is the date comment of meta.properties written in fuzz targets.
var testDate = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)

// Fuzz targets: the decoders of disk bytes never panic, and whatever they
// accept survives a write and a read unchanged.

func addGoldenSeeds(f *testing.F, names ...string) {
	for _, n := range names {
		data, err := os.ReadFile(filepath.Join("testdata", n))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

func FuzzReadOffsets(f *testing.F) {
	addGoldenSeeds(f, "recovery-point-offset-checkpoint.golden", "empty-offset-checkpoint.golden")
	for _, s := range []string{"", "0", "0\n1\n", "0\n1\nt 0 1", "0\n1\n t 0 1\n", "1\n0\n", "0\r\n1\r\nt\t0\t-1\r\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		offsets, err := ParseOffsets(data)
		if err != nil {
			return
		}
		enc, err := EncodeOffsets(offsets)
		if err != nil {
			t.Fatalf("EncodeOffsets(%v) of parsed %q: %v", offsets, data, err)
		}
		back, err := ParseOffsets(enc)
		if err != nil || !reflect.DeepEqual(back, offsets) {
			t.Fatalf("round trip of %q: %v, %v; want %v", data, back, err, offsets)
		}
	})
}

func FuzzReadEpochs(f *testing.F) {
	addGoldenSeeds(f, "leader-epoch-checkpoint.golden")
	for _, s := range []string{"", "0\n0\n", "0\n1\n0 0", "0\n1\n-5 +7\n", "0\n2\n0 0\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		epochs, err := ParseEpochs(data)
		if err != nil {
			return
		}
		back, err := ParseEpochs(EncodeEpochs(epochs))
		if err != nil || !reflect.DeepEqual(back, epochs) {
			t.Fatalf("round trip of %q: %v, %v; want %v", data, back, err, epochs)
		}
	})
}

func FuzzReadMetaProperties(f *testing.F) {
	addGoldenSeeds(f, "meta.properties-v1.golden", "meta.properties-v0.golden", "meta.properties-edited.golden")
	for _, s := range []string{"", "version=2\nnode.id=1\ndirectory.id=AAECAwQFBgcICQoLDA0ODw\n",
		"version=1\nnode.id=1\ncluster.id=\\u0041\\\n b\n", "a\\"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		mp, err := ParseMetaProperties(data)
		if err != nil {
			return
		}
		enc, err := EncodeMetaProperties(mp, testDate)
		if err != nil {
			t.Fatalf("EncodeMetaProperties(%+v) of parsed %q: %v", mp, data, err)
		}
		back, err := ParseMetaProperties(enc)
		if err != nil || back != mp {
			t.Fatalf("round trip of %q via %q: %+v, %v; want %+v", data, enc, back, err, mp)
		}
	})
}

func FuzzParseDirName(f *testing.F) {
	for _, s := range []string{"topic-3", "my-dashed-topic-0", "x-1.abc-delete", "foo-bar", "-1", "t--1", "foo-01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		tp, err := ParseDirName(name)
		if err != nil {
			return
		}
		if tp.String() != name || tp.Partition < 0 {
			t.Fatalf("ParseDirName(%q) = %v", name, tp)
		}
	})
}

func FuzzParsePartitionMetadata(f *testing.F) {
	addGoldenSeeds(f, "partition.metadata.golden")
	f.Add([]byte("version: 0\ntopic_id: AAAAAAAAAAAAAAAAAAAAAA"))
	f.Fuzz(func(t *testing.T, data []byte) {
		id, err := ParsePartitionMetadata(data)
		if err != nil {
			return
		}
		if back, err := ParsePartitionMetadata(EncodePartitionMetadata(id)); err != nil || back != id {
			t.Fatalf("round trip of %q: %v, %v", data, back, err)
		}
	})
}
