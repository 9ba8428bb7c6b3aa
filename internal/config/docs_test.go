package config

import (
	"bytes"
	"os"
	"testing"
)

// TestDocsUpToDate fails when docs/configuration.md does not match the table;
// regenerate with: go run ./internal/config/gendocs -o docs/configuration.md
func TestDocsUpToDate(t *testing.T) {
	got, err := os.ReadFile("../../docs/configuration.md")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, Markdown()) {
		t.Error("docs/configuration.md is out of date: run go run ./internal/config/gendocs -o docs/configuration.md")
	}
}

func TestMarkdownMentionsEveryConfig(t *testing.T) {
	md := Markdown()
	for _, d := range append(BrokerDefs(), TopicDefs()...) {
		if !bytes.Contains(md, []byte("| `"+d.Name+"` |")) {
			t.Errorf("%s missing from docs", d.Name)
		}
	}
}
