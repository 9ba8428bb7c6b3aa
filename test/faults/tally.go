package faults

import (
	"fmt"
	"strings"
	"sync"
	"text/tabwriter"
)

// Tally sums the reports of many rounds by fault, for the counts table
// `make fault` prints. It is safe for concurrent use.
type Tally struct {
	mu    sync.Mutex
	order []string
	rows  map[string]*tallyRow
}

type tallyRow struct {
	rounds, failedRounds                                              int
	acked, failed, read, lost, moved, dups, reused, phantoms, unknown int
	commits, badCommits                                               int
}

func (r *tallyRow) add(rep *Report) {
	r.rounds++
	if !rep.OK() {
		r.failedRounds++
	}
	r.acked += rep.Acked
	r.failed += rep.Failed
	r.read += rep.Read
	r.lost += len(rep.Lost)
	r.moved += len(rep.Moved)
	r.dups += len(rep.Duplicates)
	r.reused += len(rep.Reused)
	r.phantoms += len(rep.Phantoms)
	r.unknown += len(rep.Unknown)
	r.commits += rep.Commits
	r.badCommits += len(rep.BadCommits)
}

func (r *tallyRow) anomalies() int {
	return r.lost + r.moved + r.dups + r.reused + r.phantoms + r.unknown + r.badCommits
}

// Add counts one round of fault.
func (t *Tally) Add(fault string, rep *Report) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.rows == nil {
		t.rows = map[string]*tallyRow{}
	}
	row := t.rows[fault]
	if row == nil {
		row = &tallyRow{}
		t.rows[fault] = row
		t.order = append(t.order, fault)
	}
	row.add(rep)
}

// Anomalies is the number of anomalies over every round.
func (t *Tally) Anomalies() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for _, row := range t.rows {
		n += row.anomalies()
	}
	return n
}

// String is the counts table: a row per fault and a total.
func (t *Tally) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "fault\trounds\tbad rounds\tacked\tfailed\tread\tlost\tmoved\tduplicates\treused\tphantoms\tunknown\tcommits\tbad commits\t")
	var total tallyRow
	line := func(name string, r *tallyRow) {
		fmt.Fprintf(w, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t\n", name, r.rounds, r.failedRounds,
			r.acked, r.failed, r.read, r.lost, r.moved, r.dups, r.reused, r.phantoms, r.unknown, r.commits, r.badCommits)
	}
	for _, name := range t.order {
		r := t.rows[name]
		line(name, r)
		total.rounds += r.rounds
		total.failedRounds += r.failedRounds
		total.acked += r.acked
		total.failed += r.failed
		total.read += r.read
		total.lost += r.lost
		total.moved += r.moved
		total.dups += r.dups
		total.reused += r.reused
		total.phantoms += r.phantoms
		total.unknown += r.unknown
		total.commits += r.commits
		total.badCommits += r.badCommits
	}
	line("total", &total)
	w.Flush()
	return b.String()
}
