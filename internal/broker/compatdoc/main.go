// Command compatdoc prints docs/compatibility.md from the broker's API table.
package main

import (
	"os"

	"github.com/gofka/gofka/internal/broker"
)

func main() { os.Stdout.Write(broker.CompatibilityDoc()) }
