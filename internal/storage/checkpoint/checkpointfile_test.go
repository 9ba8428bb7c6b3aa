package checkpoint

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestOffsetsRoundTrip(t *testing.T) {
	for name, offsets := range map[string]map[TopicPartition]int64{
		"empty":    {},
		"one":      {{"t", 0}: 5},
		"extremes": {{"a.b_c-d", 2147483647}: -1, {"z", 0}: 9223372036854775807},
		"unicode":  {{"tøpic", 1}: 10},
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), ReplicationCheckpointFile)
			if err := WriteOffsets(path, offsets); err != nil {
				t.Fatal(err)
			}
			got, err := ReadOffsets(path)
			if err != nil || !reflect.DeepEqual(got, offsets) {
				t.Errorf("ReadOffsets = %v, %v; want %v", got, err, offsets)
			}
		})
	}
}

func TestReadOffsetsMissingAndEmpty(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]*string{"missing": nil, "empty": ptr(""), "version only": ptr("0\n")} {
		path := filepath.Join(dir, name)
		if content != nil {
			writeTestFile(t, path, *content)
		}
		got, err := ReadOffsets(path)
		if err != nil || got == nil || len(got) != 0 {
			t.Errorf("%s: ReadOffsets = %v, %v; want empty map", name, got, err)
		}
	}
}

func TestWriteOffsetsRejectsUnstorableTopic(t *testing.T) {
	for _, topic := range []string{"", "a b", "a\nb", "a\tb"} {
		path := filepath.Join(t.TempDir(), "cp")
		err := WriteOffsets(path, map[TopicPartition]int64{{topic, 0}: 1})
		if !errors.Is(err, ErrInvalidTopicPartition) {
			t.Errorf("topic %q: err = %v, want ErrInvalidTopicPartition", topic, err)
		}
		if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("topic %q: file written", topic)
		}
	}
}

// TestParseOffsetsLenient covers input Kafka's reader accepts too.
func TestParseOffsetsLenient(t *testing.T) {
	for name, tc := range map[string]struct {
		in   string
		want map[TopicPartition]int64
	}{
		"tabs and runs":   {"0\n1\nt\t 3  7\n", map[TopicPartition]int64{{"t", 3}: 7}},
		"trailing space":  {"0\n1\nt 3 7  \n", map[TopicPartition]int64{{"t", 3}: 7}},
		"crlf":            {"0\r\n1\r\nt 3 7\r\n", map[TopicPartition]int64{{"t", 3}: 7}},
		"no final eol":    {"0\n1\nt 3 7", map[TopicPartition]int64{{"t", 3}: 7}},
		"signs":           {"0\n1\nt +3 -7\n", map[TopicPartition]int64{{"t", 3}: -7}},
		"duplicate wins":  {"0\n2\nt 3 7\nt 3 9\n", map[TopicPartition]int64{{"t", 3}: 9}},
		"zero count":      {"0\n0\n", map[TopicPartition]int64{}},
		"count only eol":  {"0\n0", map[TopicPartition]int64{}},
		"version no eol":  {"0", map[TopicPartition]int64{}},
		"cr line endings": {"0\r1\rt 3 7\r", map[TopicPartition]int64{{"t", 3}: 7}},
	} {
		got, err := ParseOffsets([]byte(tc.in))
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: ParseOffsets(%q) = %v, %v; want %v", name, tc.in, got, err, tc.want)
		}
	}
}

func TestParseOffsetsMalformed(t *testing.T) {
	for name, in := range map[string]string{
		"wrong version":      "1\n0\n",
		"negative version":   "-1\n0\n",
		"version not number": "v0\n0\n",
		"version with space": "0 \n0\n",
		"count not number":   "0\nx\n",
		"negative count":     "0\n-1\n",
		"count too big":      "0\n3\nt 0 1\nt 1 2\n",
		"count too small":    "0\n1\nt 0 1\nt 1 2\n",
		"blank entry line":   "0\n1\n\n",
		"extra blank line":   "0\n1\nt 0 1\n\n",
		"two fields":         "0\n1\nt 0\n",
		"four fields":        "0\n1\nt 0 1 2\n",
		"leading space":      "0\n1\n t 0 1\n",
		"partition not int":  "0\n1\nt x 1\n",
		"partition overflow": "0\n1\nt 2147483648 1\n",
		"offset not int":     "0\n1\nt 0 1.5\n",
		"offset overflow":    "0\n1\nt 0 9223372036854775808\n",
		"not utf8":           "0\n1\nt\xff 0 1\n",
	} {
		if got, err := ParseOffsets([]byte(in)); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: ParseOffsets(%q) = %v, %v; want ErrMalformed", name, in, got, err)
		}
	}
}

func TestReadOffsetsMalformedNamesFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), CleanerCheckpointFile)
	writeTestFile(t, path, "0\n2\nt 0 1\n")
	_, err := ReadOffsets(path)
	if !errors.Is(err, ErrMalformed) {
		t.Fatalf("err = %v, want ErrMalformed", err)
	}
	if want := path; !strings.Contains(err.Error(), want) {
		t.Errorf("err %q does not name %s", err, want)
	}
}

func TestEpochsRoundTrip(t *testing.T) {
	for name, entries := range map[string][]EpochEntry{
		"empty":    nil,
		"one":      {{0, 0}},
		"extremes": {{-1, -1}, {2147483647, 9223372036854775807}},
		"unsorted": {{5, 10}, {1, 20}}, // kept as given: the cache checks order
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), LeaderEpochCheckpointFile)
			if err := WriteEpochs(path, entries); err != nil {
				t.Fatal(err)
			}
			got, err := ReadEpochs(path)
			if err != nil || !reflect.DeepEqual(got, entries) {
				t.Errorf("ReadEpochs = %v, %v; want %v", got, err, entries)
			}
		})
	}
}

func TestReadEpochsMissing(t *testing.T) {
	got, err := ReadEpochs(filepath.Join(t.TempDir(), LeaderEpochCheckpointFile))
	if got != nil || err != nil {
		t.Errorf("ReadEpochs = %v, %v; want nil, nil", got, err)
	}
}

func TestParseEpochsMalformed(t *testing.T) {
	for name, in := range map[string]string{
		"wrong version":     "2\n0\n",
		"bad count":         "0\n1x\n",
		"count mismatch":    "0\n2\n0 0\n",
		"one field":         "0\n1\n0\n",
		"three fields":      "0\n1\n0 0 0\n",
		"epoch not int32":   "0\n1\n2147483648 0\n",
		"offset not number": "0\n1\n0 zero\n",
		"blank line":        "0\n1\n0 0\n\n",
	} {
		if got, err := ParseEpochs([]byte(in)); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: ParseEpochs(%q) = %v, %v; want ErrMalformed", name, in, got, err)
		}
	}
}

func TestSplitJavaWhitespace(t *testing.T) {
	for in, want := range map[string][]string{
		"":         {""},
		"a":        {"a"},
		"a b":      {"a", "b"},
		" a":       {"", "a"},
		"a \t\vb ": {"a", "b"},
		"   ":      {""},
	} {
		if got := splitJavaWhitespace(in); !reflect.DeepEqual(got, want) {
			t.Errorf("splitJavaWhitespace(%q) = %q, want %q", in, got, want)
		}
	}
}

func ptr[T any](v T) *T { return &v }

func writeTestFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
