package broker

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"
)

// TestCompatibilityDocCurrent fails when docs/compatibility.md no longer
// matches the API table and the client matrix: regenerate it with
// `go run ./internal/broker/compatdoc > docs/compatibility.md`.
func TestCompatibilityDocCurrent(t *testing.T) {
	var m ClientMatrix
	data, err := os.ReadFile("../../test/interop/testdata/matrix.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile("../../docs/compatibility.md")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(doc, CompatibilityDoc(m)) {
		t.Fatal("docs/compatibility.md is stale: run go run ./internal/broker/compatdoc > docs/compatibility.md")
	}
}
