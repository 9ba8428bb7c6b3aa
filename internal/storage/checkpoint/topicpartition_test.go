package checkpoint

import (
	"errors"
	"strings"
	"testing"
)

func TestParseDirName(t *testing.T) {
	for name, want := range map[string]TopicPartition{
		"topic-3":                       {"topic", 3},
		"my-dashed-topic-0":             {"my-dashed-topic", 0},
		"__consumer_offsets-49":         {"__consumer_offsets", 49},
		"__cluster_metadata-0":          {"__cluster_metadata", 0},
		"a.b_c-2147483647":              {"a.b_c", 2147483647},
		"t--1":                          {"t-", 1},
		strings.Repeat("x", 249) + "-0": {strings.Repeat("x", 249), 0},
	} {
		got, err := ParseDirName(name)
		if err != nil || got != want {
			t.Errorf("ParseDirName(%q) = %v, %v; want %v", name, got, err, want)
		}
		if got.String() != name {
			t.Errorf("%v.String() = %q, want %q", got, got.String(), name)
		}
	}
}

func TestParseDirNameRejects(t *testing.T) {
	for _, name := range []string{
		"",
		"foo",
		"foo-bar",
		"foo-",
		"-0",
		"-1",
		"x-1.abc-delete",
		"x-1.0123456789abcdef0123456789abcdef-future",
		"x-1.0123456789abcdef0123456789abcdef-stray",
		"foo-01",
		"foo-+1",
		"foo-2147483648",
		"foo- 1",
		"fo o-1",
		"lost+found",
		".-1",
		"..-1",
		strings.Repeat("x", 250) + "-0",
		"meta.properties",
		"recovery-point-offset-checkpoint",
	} {
		if got, err := ParseDirName(name); !errors.Is(err, ErrInvalidTopicPartition) {
			t.Errorf("ParseDirName(%q) = %v, %v; want ErrInvalidTopicPartition", name, got, err)
		}
	}
}

func TestTopicPartitionString(t *testing.T) {
	if got := (TopicPartition{"orders", 12}).String(); got != "orders-12" {
		t.Errorf("String() = %q", got)
	}
}
