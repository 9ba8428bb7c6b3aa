// Command gendocs prints the Gofka configuration reference (markdown)
// generated from internal/config's table.
//
//	go run ./internal/config/gendocs -o docs/configuration.md
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/gofka/gofka/internal/config"
)

func main() {
	out := flag.String("o", "", "write to this file instead of standard output")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "gendocs:", err)
		os.Exit(1)
	}
}

func run(out string) error {
	md := config.Markdown()
	if out == "" {
		_, err := os.Stdout.Write(md)
		return err
	}
	return os.WriteFile(out, md, 0o644)
}
