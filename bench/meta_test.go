package main

import (
	"strings"
	"testing"
	"time"
)

// tinyMeta is a metadata phase small enough for a test.
var tinyMeta = settings{Runs: 1, MetaDuration: 200 * time.Millisecond, MetaClients: 2, MetaKills: 1}

// TestMetadataEndToEnd builds Gofka and runs the metadata phase on quorums
// of 1 and 3 processes, one SIGKILL of the active controller included.
func TestMetadataEndToEnd(t *testing.T) {
	ctx, binary, tmp := buildGofka(t, 5*time.Minute)
	s := tinyMeta
	s.MetaClients = 1 // one phase per quorum size: three quorums in all
	m, err := measureMetadata(ctx, s, binary, tmp)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.keys()) != 2 {
		t.Fatalf("measured %v", m.keys())
	}
	for k, rs := range m.Phases {
		if r := rs[0]; r.Created == 0 || r.Missing != 0 || r.Latency.Count == 0 || r.Topics < r.Created {
			t.Errorf("%s: %+v", k, r)
		}
	}
	if len(m.Failovers) != 1 || m.Failovers[0].Commit <= 0 || m.Failovers[0].Missing != 0 {
		t.Errorf("failovers: %+v", m.Failovers)
	}
	if len(m.Exits) != 1 || m.Exits[0] != "clean exit on SIGTERM" {
		t.Errorf("exits: %v", m.Exits)
	}
}

// TestMetadataSection renders the section from made-up results and splices
// it into reports with and without one.
func TestMetadataSection(t *testing.T) {
	r := func(created int, p50 time.Duration) createResult {
		return createResult{Created: created, Elapsed: time.Second, CPU: time.Duration(created) * time.Millisecond,
			Latency: latencies{P50: p50, P99: 2 * p50}, Topics: created + 21, Converge: 3 * p50}
	}
	m := metaResults{Settings: tinyMeta, Exits: []string{"clean exit on SIGTERM"}, Alone: true,
		Phases: map[metaKey][]createResult{
			{1, 1}: {r(100, 10*time.Millisecond), r(50, 20*time.Millisecond), r(80, 12*time.Millisecond)},
			{1, 2}: {r(90, 20*time.Millisecond)},
			{3, 1}: {r(40, 25*time.Millisecond)},
			{3, 2}: {r(45, 40*time.Millisecond)},
		},
		Failovers: []failover{
			{Killed: 1, Commit: 1200 * time.Millisecond, Election: 1100 * time.Millisecond, Attempts: 2},
			{Killed: 2, Commit: 11 * time.Second, Attempts: 12},
		}}
	sec := m.section()
	for _, want := range []string{
		"| 1 controller, 1 in flight | 80 | 12.00 / 24.00 | 1.00 | 0 | 230 of 230 | 36 | 101 |",
		"| 3 controllers, 2 in flight | 45 | 40.00 / 80.00 | 1.00 | 0 | 45 of 45 | 120 | 66 |",
		"Changes/s, 3 controllers / 1 controller: 0.50 with 1 in flight, 0.50 with 2 in flight.",
		"| the next committed CreateTopics | 6100 | 11000 | 1200 | 2 |",
		"| a survivor naming the new leader in DescribeQuorum | 1100 | 1100 | 1100 | 1 |",
		"1 of 2 kills committed a change within it.",
		"node 1 1200/1100; node 2 11000/0.",
		"Measured on its own by `go run ./bench -metadata`",
	} {
		if !strings.Contains(sec, want) {
			t.Errorf("section lacks %q:\n%s", want, sec)
		}
	}
	old := "# Benchmarks\n\n## Notes\n\nx\n\n" + metaHeading + "\nold\n\n## Profiling\n\np\n"
	if got, want := spliceSection(old, "## Metadata quorum\n\nnew\n\n"), "# Benchmarks\n\n## Notes\n\nx\n\n## Metadata quorum\n\nnew\n\n## Profiling\n\np\n"; got != want {
		t.Errorf("replace:\n%q\nwant\n%q", got, want)
	}
	if got, want := spliceSection("# B\n\n## Profiling\n\np\n", "## Metadata quorum\n\nnew\n\n"), "# B\n\n## Metadata quorum\n\nnew\n\n## Profiling\n\np\n"; got != want {
		t.Errorf("insert:\n%q\nwant\n%q", got, want)
	}
	if got, want := spliceSection("# B\n\nend\n", "## Metadata quorum\n\nnew\n\n"), "# B\n\nend\n\n## Metadata quorum\n\nnew\n\n"; got != want {
		t.Errorf("append:\n%q\nwant\n%q", got, want)
	}
	if got, want := spliceSection("# B\n\n"+metaHeading+"\nold\n", "## Metadata quorum\n\nnew\n\n"), "# B\n\n## Metadata quorum\n\nnew\n\n"; got != want {
		t.Errorf("replace at the end:\n%q\nwant\n%q", got, want)
	}
}

// TestKeepSections checks that -keep-cluster carries the old metadata
// section over into a new report.
func TestKeepSections(t *testing.T) {
	old := "# B\n\n## Results\n\nold\n\n" + metaHeading + "\nquorum figures\n\n## Profiling\n\np\n"
	doc := keepSections(old, "# B\n\n## Results\n\nnew\n\n## Profiling\n\np\n", metaHeading, replHeading)
	want := "# B\n\n## Results\n\nnew\n\n" + metaHeading + "\nquorum figures\n\n## Profiling\n\np\n"
	if doc != want {
		t.Fatalf("got %q, want %q", doc, want)
	}
}
