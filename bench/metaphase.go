package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// The metadata phase: CreateTopics throughput on quorums of 1 and 3
// controllers, and the failover time after a SIGKILL of the active one.

// metaSizes are the quorum sizes measured; failovers need more than one.
var metaSizes = []int{1, 3}

// metaWarmup is the number of topics created, one at a time, on each new
// quorum before the timed phases.
const metaWarmup = 20

// metaKey names one throughput measurement.
type metaKey struct{ Controllers, Clients int }

func (k metaKey) String() string {
	c := "controllers"
	if k.Controllers == 1 {
		c = "controller"
	}
	return fmt.Sprintf("%d %s, %d in flight", k.Controllers, c, k.Clients)
}

// metaResults is everything the metadata phase measured.
type metaResults struct {
	Machine   machine
	Date      time.Time
	LoadEnd   string
	Wall      time.Duration
	Alone     bool // run by -metadata on its own and written into an existing report
	Settings  settings
	Phases    map[metaKey][]createResult // one per run
	Failovers []failover                 // every kill of every run
	Exits     []string                   // distinct ways the nodes ended on SIGTERM
}

// keys are the throughput measurements made, in table order.
func (m metaResults) keys() []metaKey {
	var out []metaKey
	for _, n := range metaSizes {
		for _, c := range m.Settings.metaClients() {
			if _, ok := m.Phases[metaKey{n, c}]; ok {
				out = append(out, metaKey{n, c})
			}
		}
	}
	return out
}

// metaClients are the concurrencies measured: one request in flight and
// -meta-clients of them.
func (s settings) metaClients() []int {
	if s.MetaClients <= 1 {
		return []int{1}
	}
	return []int{1, s.MetaClients}
}

// measureMetadata runs the metadata phase -runs times; quorum sizes
// alternate in order from run to run, as the targets do.
func measureMetadata(ctx context.Context, s settings, binary, tmp string) (metaResults, error) {
	m := metaResults{Machine: readMachine(), Date: time.Now().UTC(), Settings: s, Phases: map[metaKey][]createResult{}}
	started := time.Now()
	for run := 1; run <= s.Runs; run++ {
		for _, i := range runOrder(len(metaSizes), run) {
			n := metaSizes[i]
			fmt.Printf("== metadata, run %d of %d: %d controller(s)\n", run, s.Runs, n)
			if err := m.measureQuorum(ctx, binary, tmp, n, run); err != nil {
				return m, fmt.Errorf("bench: metadata, %d controller(s), run %d: %w", n, run, err)
			}
		}
	}
	m.Wall = time.Since(started)
	m.LoadEnd = loadAvg()
	return m, nil
}

// measureQuorum measures quorums of n: each throughput phase and, with
// more than one controller, the kills, each on a fresh quorum, since every
// change costs more the more topics the cluster holds.
func (m *metaResults) measureQuorum(ctx context.Context, binary, tmp string, n, run int) error {
	for _, c := range m.Settings.metaClients() {
		err := m.withQuorum(ctx, binary, tmp, n, func(q *quorum) error {
			t0 := time.Now()
			r, err := q.createPhase(ctx, fmt.Sprintf("t%d-", c), c, m.Settings.MetaDuration)
			if err != nil {
				return err
			}
			fmt.Printf("   phase and checks took %.1f s\n", time.Since(t0).Seconds())
			fmt.Printf("   %d in flight: %.0f changes/s, p50 %.1f ms, p99 %.1f ms, %d errors, %d missing\n",
				c, perSec(r.Created, r.Elapsed), ms(r.Latency.P50), ms(r.Latency.P99), r.Errors, r.Missing)
			key := metaKey{n, c}
			m.Phases[key] = append(m.Phases[key], r)
			return nil
		})
		if err != nil {
			return err
		}
	}
	if n < 2 || m.Settings.MetaKills < 1 {
		return nil
	}
	return m.withQuorum(ctx, binary, tmp, n, func(q *quorum) error {
		for k := range m.Settings.MetaKills {
			f, err := q.killLeader(ctx, fmt.Sprintf("failover-%d-%d", run, k))
			if err != nil {
				return err
			}
			fmt.Printf("   kill %d of node %d: committed after %.0f ms (%d attempts), new leader seen after %.0f ms, steady %.1f s after the restart\n",
				k+1, f.Killed, ms(f.Commit), f.Attempts, ms(f.Election), f.Rejoin.Seconds())
			m.Failovers = append(m.Failovers, f)
		}
		return nil
	})
}

// withQuorum starts a fresh quorum of n, creates metaWarmup topics one at
// a time, runs f and stops the quorum with SIGTERM, noting how it ended.
func (m *metaResults) withQuorum(ctx context.Context, binary, tmp string, n int, f func(*quorum) error) (err error) {
	t0 := time.Now()
	q, err := startQuorum(ctx, binary, tmp, n)
	if err != nil {
		return err
	}
	fmt.Printf("   quorum of %d steady after %.1f s\n", n, time.Since(t0).Seconds())
	defer q.remove()
	defer func() {
		if err != nil {
			err = fmt.Errorf("%w\n%s", err, q.logTails())
		}
		t1 := time.Now()
		exits := q.stop()
		fmt.Printf("   quorum of %d stopped in %.1f s\n", n, time.Since(t1).Seconds())
		for _, e := range exits {
			if !slices.Contains(m.Exits, e) {
				m.Exits = append(m.Exits, e)
			}
		}
	}()
	for k := range metaWarmup {
		if err := q.createTopic(ctx, q.nodes[k%n].id, fmt.Sprintf("warmup-%d", k)); err != nil {
			return err
		}
	}
	return f(q)
}

// metadataOnly is the -metadata mode: build Gofka, run the metadata phase
// and write its section into the report at out in place of the old one.
func metadataOnly(ctx context.Context, s settings, root, commit, out string) error {
	return sectionOnly(ctx, root, out, func(binary, tmp string) (string, error) {
		m, err := measureMetadata(ctx, s, binary, tmp)
		m.Alone = true
		if commit != "" {
			m.Machine.Commit = commit
		}
		return m.section(), err
	})
}

// sectionOnly builds Gofka, runs measure (which returns a section of the
// report) and writes the section into the report at out in place of the
// old one.
func sectionOnly(ctx context.Context, root, out string, measure func(binary, tmp string) (string, error)) error {
	tmp, err := os.MkdirTemp("", "gofka-bench")
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	defer os.RemoveAll(tmp)
	t := gofkaTarget()
	if err := t.build(ctx, root, tmp); err != nil {
		return err
	}
	section, err := measure(t.binary, tmp)
	if err != nil {
		return err
	}
	if !filepath.IsAbs(out) {
		out = filepath.Join(root, out)
	}
	doc, err := os.ReadFile(out)
	if err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("bench: read report: %w", err)
	}
	fmt.Println()
	fmt.Print(section)
	if err := os.WriteFile(out, []byte(spliceSection(string(doc), section)), 0o644); err != nil {
		return fmt.Errorf("bench: write report: %w", err)
	}
	fmt.Printf("\nwrote %q of %s\n", strings.SplitN(section, "\n", 2)[0], out)
	return nil
}

// metaHeading opens the metadata section of the report.
const metaHeading = "## Metadata quorum\n"

// spliceSection replaces the section of doc that opens with section's
// level-2 heading (from it to the next level-2 heading) with section, or
// inserts it before the Profiling section, or appends it when doc has
// neither.
func spliceSection(doc, section string) string {
	heading := strings.SplitAfterN(section, "\n", 2)[0]
	if i := strings.Index(doc, "\n"+heading); i >= 0 {
		start := i + 1
		end := len(doc)
		if j := strings.Index(doc[start+len(heading):], "\n## "); j >= 0 {
			end = start + len(heading) + j + 1
		}
		return doc[:start] + section + doc[end:]
	}
	if i := strings.Index(doc, "\n## Profiling\n"); i >= 0 {
		return doc[:i+1] + section + doc[i+1:]
	}
	if doc != "" && !strings.HasSuffix(doc, "\n\n") {
		doc = strings.TrimRight(doc, "\n") + "\n\n"
	}
	return doc + section
}

// keepSections splices the sections of old that open with the given
// level-2 headings into doc (-keep-cluster: phases not run this time).
func keepSections(old, doc string, headings ...string) string {
	for _, h := range headings {
		i := strings.Index(old, "\n"+h)
		if i < 0 {
			continue
		}
		sec := old[i+1:]
		if j := strings.Index(sec[len(h):], "\n## "); j >= 0 {
			sec = sec[:len(h)+j+1]
		}
		doc = spliceSection(doc, sec)
	}
	return doc
}
