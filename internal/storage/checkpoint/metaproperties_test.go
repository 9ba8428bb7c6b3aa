package checkpoint

import (
	"errors"
	"io/fs"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

func TestMetaPropertiesRoundTrip(t *testing.T) {
	for name, mp := range map[string]MetaProperties{
		"v1":                {Version: 1, ClusterID: "MkU3OEVBNTcwNTJENDM2Qk", NodeID: 7, DirectoryID: NewUUID()},
		"v1 no dir id":      {Version: 1, ClusterID: "c", NodeID: 0},
		"v2":                {Version: 2, NodeID: 2147483647, DirectoryID: NewUUID()},
		"v0 empty":          {Version: 0, NodeID: -1},
		"v0 full":           {Version: 0, ClusterID: "c", NodeID: 4, DirectoryID: NewUUID()},
		"escaped cluster":   {Version: 1, ClusterID: " a=b:c#d!e\\f\tg\nh\ri\fj ", NodeID: 1},
		"non-ascii cluster": {Version: 1, ClusterID: "clüster-ид", NodeID: 1},
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), MetaPropertiesFile)
			if err := WriteMetaProperties(path, mp); err != nil {
				t.Fatal(err)
			}
			got, err := ReadMetaProperties(path)
			if err != nil || got != mp {
				t.Errorf("ReadMetaProperties = %+v, %v; want %+v", got, err, mp)
			}
		})
	}
}

func TestWriteMetaPropertiesInvalid(t *testing.T) {
	for name, mp := range map[string]MetaProperties{
		"unknown version":   {Version: 3, ClusterID: "c", NodeID: 1},
		"v1 no cluster":     {Version: 1, NodeID: 1},
		"v1 negative node":  {Version: 1, ClusterID: "c", NodeID: -1},
		"v2 no directory":   {Version: 2, ClusterID: "c", NodeID: 1},
		"v0 negative below": {Version: 0, NodeID: -2},
	} {
		err := WriteMetaProperties(filepath.Join(t.TempDir(), MetaPropertiesFile), mp)
		if !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: err = %v, want ErrMalformed", name, err)
		}
	}
}

func TestReadMetaPropertiesMissing(t *testing.T) {
	_, err := ReadMetaProperties(filepath.Join(t.TempDir(), MetaPropertiesFile))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("err = %v, want fs.ErrNotExist", err)
	}
}

func TestParseMetaPropertiesAccepts(t *testing.T) {
	for name, tc := range map[string]struct {
		in   string
		want MetaProperties
	}{
		"no version is v0":  {"broker.id=3\n", MetaProperties{Version: 0, NodeID: 3}},
		"v0 no broker id":   {"version=0\ncluster.id=c\n", MetaProperties{Version: 0, ClusterID: "c", NodeID: -1}},
		"v0 ignores nodeid": {"version=0\nnode.id=5\n", MetaProperties{Version: 0, NodeID: -1}},
		"version trimmed":   {"version=1 \nnode.id=1\ncluster.id=c\n", MetaProperties{Version: 1, ClusterID: "c", NodeID: 1}},
		"unknown keys":      {"version=1\nnode.id=1\ncluster.id=c\nfoo=bar\n", MetaProperties{Version: 1, ClusterID: "c", NodeID: 1}},
		"last key wins":     {"version=1\nnode.id=1\nnode.id=2\ncluster.id=c\n", MetaProperties{Version: 1, ClusterID: "c", NodeID: 2}},
		"v2 no cluster":     {"version=2\nnode.id=1\ndirectory.id=AAECAwQFBgcICQoLDA0ODw\n", MetaProperties{Version: 2, NodeID: 1, DirectoryID: goldenDirID}},
		"unicode escape":    {"version=1\nnode.id=1\ncluster.id=\\u0063x\n", MetaProperties{Version: 1, ClusterID: "cx", NodeID: 1}},
	} {
		got, err := ParseMetaProperties([]byte(tc.in))
		if err != nil || got != tc.want {
			t.Errorf("%s: ParseMetaProperties = %+v, %v; want %+v", name, got, err, tc.want)
		}
	}
}

func TestParseMetaPropertiesMalformed(t *testing.T) {
	for name, in := range map[string]string{
		"bad version":        "version=x\nnode.id=1\ncluster.id=c\n",
		"unknown version":    "version=3\nnode.id=1\ncluster.id=c\n",
		"negative version":   "version=-1\n",
		"v1 no node id":      "version=1\ncluster.id=c\n",
		"v1 no cluster id":   "version=1\nnode.id=1\n",
		"v1 bad node id":     "version=1\nnode.id=one\ncluster.id=c\n",
		"node id overflow":   "version=1\nnode.id=2147483648\ncluster.id=c\n",
		"node id spaces":     "version=1\nnode.id=1 \ncluster.id=c\n",
		"v0 negative broker": "version=0\nbroker.id=-1\n",
		"v2 no directory id": "version=2\nnode.id=1\ncluster.id=c\n",
		"bad directory id":   "version=1\nnode.id=1\ncluster.id=c\ndirectory.id=xyz\n",
		"bad unicode escape": "version=1\nnode.id=1\ncluster.id=\\u00zz\n",
		"short escape":       "version=1\nnode.id=1\ncluster.id=\\u00\n",
	} {
		if got, err := ParseMetaProperties([]byte(in)); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: ParseMetaProperties(%q) = %+v, %v; want ErrMalformed", name, in, got, err)
		}
	}
}

func TestEncodePropertiesEscapes(t *testing.T) {
	got := string(encodeProperties([]property{{"k y", " v a=l:u#e!\\\t\n"}}, time.Date(2024, 2, 29, 23, 5, 9, 0, time.UTC)))
	want := "#\n#Thu Feb 29 23:05:09 UTC 2024\nk\\ y=\\ v a\\=l\\:u\\#e\\!\\\\\\t\\n\n"
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

func TestJavaStoreOrder(t *testing.T) {
	// Bins of a 16-bin ConcurrentHashMap, computed by hand from
	// String.hashCode: node.id 0, broker.id 6, directory.id 9, version 13,
	// cluster.id 14.
	in := []property{{"version", ""}, {"cluster.id", ""}, {"broker.id", ""}, {"node.id", ""}, {"directory.id", ""}}
	var got []string
	for _, p := range javaStoreOrder(in) {
		got = append(got, p.key)
	}
	want := []string{"node.id", "broker.id", "directory.id", "version", "cluster.id"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("order = %q, want %q", got, want)
	}
}
