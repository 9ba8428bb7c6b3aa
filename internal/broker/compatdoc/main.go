// Command compatdoc prints docs/compatibility.md from the broker's API table
// and the interop client matrix. Run it from the repository root:
//
//	go run ./internal/broker/compatdoc > docs/compatibility.md
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/gofka/gofka/internal/broker"
)

func main() {
	var m broker.ClientMatrix
	data, err := os.ReadFile("test/interop/testdata/matrix.json")
	if err == nil {
		err = json.Unmarshal(data, &m)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "compatdoc:", err)
		os.Exit(1)
	}
	os.Stdout.Write(broker.CompatibilityDoc(m))
}
