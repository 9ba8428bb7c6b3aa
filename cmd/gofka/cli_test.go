package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gofka/gofka/pkg/gofkatest"
)

// The CLI tests build the gofka binary once and run it against one real
// broker started in this process.
var (
	binary  string
	brokers string
)

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "gofka-cli")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	binary = filepath.Join(dir, "gofka")
	build := exec.Command("go", "build", "-o", binary, "github.com/gofka/gofka/cmd/gofka")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build gofka:", err)
		return 1
	}
	c, err := gofkatest.StartE(filepath.Join(dir, "data"), gofkatest.WithConfig("group.initial.rebalance.delay.ms", "0"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "start broker:", err)
		return 1
	}
	defer c.Close()
	brokers = c.Addr()
	return m.Run()
}

// run is one invocation of the binary and what it should do.
type run struct {
	args   string // split on spaces; --brokers is added unless noBrokers
	stdin  string
	env    []string
	code   int      // exit code
	out    []string // substrings of stdout
	errOut []string // substrings of stderr
	noOut  []string // substrings stdout must not have
	json   bool     // stdout must be valid JSON (or JSON lines)
	// anyCode skips the exit code check (probes).
	anyCode bool

	noBrokers bool
}

// gofka runs the binary and returns its stdout.
func gofka(t *testing.T, r run) string {
	t.Helper()
	args := strings.Fields(r.args)
	if !r.noBrokers {
		args = append([]string{"--brokers", brokers}, args...)
	}
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), r.env...)
	cmd.Stdin = strings.NewReader(r.stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("gofka %s: %v", r.args, err)
	}
	out, errOut := stdout.String(), stderr.String()
	if code != r.code && !r.anyCode {
		t.Fatalf("gofka %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.args, code, r.code, out, errOut)
	}
	for _, want := range r.out {
		if !strings.Contains(out, want) {
			t.Errorf("gofka %s: stdout lacks %q:\n%s", r.args, want, out)
		}
	}
	for _, bad := range r.noOut {
		if strings.Contains(out, bad) {
			t.Errorf("gofka %s: stdout has %q:\n%s", r.args, bad, out)
		}
	}
	for _, want := range r.errOut {
		if !strings.Contains(errOut, want) {
			t.Errorf("gofka %s: stderr lacks %q:\n%s", r.args, want, errOut)
		}
	}
	if r.json {
		checkJSON(t, r.args, out)
	}
	return out
}

// checkJSON checks that out is one JSON document or JSON lines.
func checkJSON(t *testing.T, args, out string) {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(out))
	n := 0
	for dec.More() {
		var v any
		if err := dec.Decode(&v); err != nil {
			t.Errorf("gofka %s: stdout is not JSON: %v\n%s", args, err, out)
			return
		}
		n++
	}
	if n == 0 {
		t.Errorf("gofka %s: no JSON on stdout", args)
	}
}

func runAll(t *testing.T, runs []run) {
	t.Helper()
	for _, r := range runs {
		gofka(t, r)
	}
}

// cleanup deletes topics and groups when the test ends, so the tests can
// run again (-count) against the same broker.
func cleanup(t *testing.T, topics, groups []string) {
	t.Cleanup(func() {
		for _, g := range groups {
			gofka(t, run{args: "group delete " + g, anyCode: true})
		}
		for _, tp := range topics {
			gofka(t, run{args: "topic delete " + tp, anyCode: true})
		}
	})
}
