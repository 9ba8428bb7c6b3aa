package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestParseRange(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"", "false"}, {"none", "false"}, {"0+", "true"}, {"2+", "version >= 2"},
		{"3", "version == 3"}, {"1-4", "(version >= 1 && version <= 4)"},
	}
	for _, tc := range tests {
		r, err := parseRange(tc.in)
		if err != nil || r.cond() != tc.want {
			t.Errorf("parseRange(%q).cond() = %q, %v; want %q", tc.in, r.cond(), err, tc.want)
		}
	}
	if _, err := parseRange("x-y"); err == nil {
		t.Error("bad range accepted")
	}
}

func TestCovers(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"0+", "3+", true}, {"3+", "0+", false}, {"1-3", "2", true}, {"1-3", "2+", false},
		{"none", "none", true}, {"2+", "none", true}, {"none", "1", false},
	}
	for _, tc := range tests {
		if got := mustRange(tc.a).covers(mustRange(tc.b)); got != tc.want {
			t.Errorf("%s covers %s = %v", tc.a, tc.b, got)
		}
	}
}

func TestGoName(t *testing.T) {
	for in, want := range map[string]string{
		"TopicId": "TopicID", "Isr": "ISR", "LastKnownElr": "LastKnownELR", "EndPoints": "EndPoints",
		"IncarnationId": "IncarnationID", "Identity": "Identity",
	} {
		if got := goName(in); got != want {
			t.Errorf("goName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestGeneratedUpToDate regenerates the codecs and compares them with the committed files.
func TestGeneratedUpToDate(t *testing.T) {
	schemas := "../../../../shared/kafka-schemas/metadata"
	if _, err := os.Stat(schemas); err != nil {
		t.Skip("schemas not present:", err)
	}
	dir := t.TempDir()
	out, testOut := filepath.Join(dir, "records_gen.go"), filepath.Join(dir, "records_gen_test.go")
	if err := run(schemas, out, testOut); err != nil {
		t.Fatal(err)
	}
	for _, pair := range [][2]string{{out, "../records_gen.go"}, {testOut, "../records_gen_test.go"}} {
		got, _ := os.ReadFile(pair[0])
		want, err := os.ReadFile(pair[1])
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s is stale: run go generate in internal/metadata", pair[1])
		}
	}
}
