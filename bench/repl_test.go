package main

import (
	"context"
	"strings"
	"testing"
	"time"
)

// tinyRepl is a replication phase small enough for a test.
var tinyRepl = settings{Runs: 1, Duration: 300 * time.Millisecond, Warmup: 500, InFlightBytes: 1 << 20, Requests: 5}

// TestReplicationEndToEnd builds Gofka and runs the replication phase on
// clusters of 1 and 3 processes: every acknowledged record lands and the
// ISR stays full.
func TestReplicationEndToEnd(t *testing.T) {
	ctx, binary, tmp := buildGofka(t, 5*time.Minute)
	r, err := measureReplication(ctx, tinyRepl, binary, tmp)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(r.keys()); got != 2*len(replValueSizes()) {
		t.Fatalf("measured %v", r.keys())
	}
	for k, rs := range r.Phases {
		if res := rs[0]; res.Records == 0 || res.Produce.Count == 0 || res.ISR != k.Nodes || res.Landed != res.Sent {
			t.Errorf("%s: %+v", k, res)
		}
	}
}

// buildGofka builds Gofka into a temp dir (skipped by -short) and returns
// a context that ends after d, the binary and the dir.
func buildGofka(t *testing.T, d time.Duration) (context.Context, string, string) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds Gofka and runs processes")
	}
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	tg := gofkaTarget()
	if err := tg.build(ctx, root, tmp); err != nil {
		t.Fatal(err)
	}
	return ctx, tg.binary, tmp
}

// TestReplicationSection renders the section from made-up results.
func TestReplicationSection(t *testing.T) {
	res := func(records int, p50 time.Duration, isr int) replResult {
		return replResult{phaseResult: phaseResult{Records: records, Bytes: int64(records) * 1000, Elapsed: time.Second,
			CPU: 500 * time.Millisecond, Produce: latencies{P50: p50, P99: 4 * p50}}, ISR: isr, Landed: int64(records), Sent: int64(records)}
	}
	r := replResults{Settings: tinyRepl, Alone: true, Phases: map[replKey][]replResult{
		{1, 100}:  {res(10000, time.Millisecond, 1), res(20000, time.Millisecond, 1), res(30000, 3*time.Millisecond, 1)},
		{3, 100}:  {res(5000, 2*time.Millisecond, 3)},
		{1, 1024}: {res(8000, time.Millisecond, 1)},
		{3, 1024}: {res(2000, 4*time.Millisecond, 2)},
	}}
	sec := r.section()
	for _, want := range []string{
		"| 1 node, RF=1, 100 B | 20000 | 20.0 | 1.00 / 4.00 | 25.0 | 1 | 60000 / 60000 |",
		"| 3 nodes, RF=3, min.insync.replicas=2, 1 KiB | 2000 | 2.0 | 4.00 / 16.00 | 250.0 | 2 | 2000 / 2000 |",
		"3 nodes (RF=3) against 1 (RF=1): 100 B values: 0.25 of the records/s at 2.0 times the p50 latency; 1 KiB values: 0.25 of the records/s at 4.0 times the p50 latency.",
		"Measured on its own by `go run ./bench -replication`",
	} {
		if !strings.Contains(sec, want) {
			t.Errorf("section lacks %q:\n%s", want, sec)
		}
	}
	if !strings.HasPrefix(sec, replHeading) {
		t.Errorf("section does not open with its heading:\n%s", sec)
	}
	doc := "# B\n\n## Metadata quorum\n\nm\n\n## Profiling\n\np\n"
	once := spliceSection(doc, sec)
	if twice := spliceSection(once, sec); twice != once || !strings.Contains(once, "## Metadata quorum\n\nm\n\n"+sec+"## Profiling") {
		t.Errorf("splice:\n%s", once)
	}
}
