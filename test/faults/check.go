package faults

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// The checker: what clients were told (Writes), what they saw while the
// faults ran (Reads) and what the topic holds once healed (Final) are
// compared, and every disagreement is an anomaly of a named kind. It is
// pure (no cluster, no clock) so it is tested on made-up histories.

// Write is one value a producer sent and what it was told: acknowledged
// at (Partition, Offset) when Err is nil. Offset -1 on an acknowledged
// write means the offset is not known, only that the value must be in
// the log exactly once (a transactional pipeline's output).
type Write struct {
	Partition int32
	Offset    int64
	Value     string
	Err       error
}

// Acked reports whether the write was acknowledged.
func (w Write) Acked() bool { return w.Err == nil }

// Record is one record of a partition: seen by a consumer (Read) or in
// the final log.
type Record struct {
	Partition int32
	Offset    int64
	Value     string
}

func (r Record) String() string { return fmt.Sprintf("%q at %d/%d", r.Value, r.Partition, r.Offset) }

// History is what one round recorded.
type History struct {
	Writes []Write
	Reads  []Record
	Final  []Record
}

// Report is the checker's verdict on a History: counts, and each anomaly
// with what shows it.
type Report struct {
	Acked, Failed, Read, Final int
	// FailedPresent counts failed writes found in the final log (allowed:
	// a timed-out write may have been appended).
	FailedPresent int

	// Lost: an acknowledged value absent from the final log.
	Lost []Write
	// Moved: an acknowledged value in the final log, but not at its
	// acknowledged offset.
	Moved []Write
	// Duplicates: a value at more than one offset of the final log.
	Duplicates []string
	// Reused: an acknowledged offset holding another value (or two
	// acknowledgements of one offset for different values).
	Reused []string
	// Phantoms: a consumer saw at (p, o) a value the final log does not
	// hold there.
	Phantoms []Record
	// Unknown: a value in the final log that no producer sent.
	Unknown []Record

	// Commits counts the group's acknowledged offset commits (CheckCommits).
	Commits int
	// BadCommits: a group's committed offset that went backwards, lost an
	// acknowledged commit, or passed the end of the log.
	BadCommits []string
}

// OK reports whether the report has no anomaly.
func (r *Report) OK() bool { return r.Anomalies() == 0 }

// Anomalies is the number of anomalies of every kind.
func (r *Report) Anomalies() int {
	return len(r.Lost) + len(r.Moved) + len(r.Duplicates) + len(r.Reused) + len(r.Phantoms) + len(r.Unknown) + len(r.BadCommits)
}

type offsetKey struct {
	p int32
	o int64
}

// Check compares a history's writes and reads with its final log.
func Check(h History) Report {
	var r Report
	r.Read, r.Final = len(h.Reads), len(h.Final)
	at := map[offsetKey]string{}      // the final log
	where := map[string][]offsetKey{} // each value's offsets in it
	for _, rec := range h.Final {
		k := offsetKey{rec.Partition, rec.Offset}
		if old, ok := at[k]; ok && old != rec.Value {
			r.Reused = append(r.Reused, fmt.Sprintf("final log holds %q and %q at %d/%d", old, rec.Value, k.p, k.o))
			continue
		}
		at[k] = rec.Value
		where[rec.Value] = append(where[rec.Value], k)
	}
	sent := map[string]bool{}
	ackedAt := map[offsetKey]string{}
	for _, w := range h.Writes {
		sent[w.Value] = true
		if !w.Acked() {
			r.Failed++
			if len(where[w.Value]) > 0 {
				r.FailedPresent++
			}
			continue
		}
		r.Acked++
		r.checkAcked(w, at, where, ackedAt)
	}
	for _, v := range sortedKeys(where) {
		if ks := where[v]; len(ks) > 1 {
			r.Duplicates = append(r.Duplicates, fmt.Sprintf("%q at %s", v, offsetList(ks)))
		}
		if !sent[v] {
			for _, k := range where[v] {
				r.Unknown = append(r.Unknown, Record{k.p, k.o, v})
			}
		}
	}
	for _, rd := range h.Reads {
		if got, ok := at[offsetKey{rd.Partition, rd.Offset}]; !ok || got != rd.Value {
			r.Phantoms = append(r.Phantoms, rd)
		}
	}
	return r
}

// checkAcked checks one acknowledged write against the final log.
func (r *Report) checkAcked(w Write, at map[offsetKey]string, where map[string][]offsetKey, ackedAt map[offsetKey]string) {
	ks := where[w.Value]
	if len(ks) == 0 {
		r.Lost = append(r.Lost, w)
	}
	if w.Offset < 0 {
		return
	}
	k := offsetKey{w.Partition, w.Offset}
	if other, ok := ackedAt[k]; ok && other != w.Value {
		r.Reused = append(r.Reused, fmt.Sprintf("%d/%d acknowledged for %q and for %q", k.p, k.o, other, w.Value))
	}
	ackedAt[k] = w.Value
	got, ok := at[k]
	switch {
	case ok && got != w.Value:
		r.Reused = append(r.Reused, fmt.Sprintf("%d/%d acknowledged for %q holds %q", k.p, k.o, w.Value, got))
	case !ok && len(ks) > 0:
		r.Moved = append(r.Moved, w)
	}
}

func sortedKeys[K cmp.Ordered, V any](m map[K]V) []K {
	out := make([]K, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func offsetList(ks []offsetKey) string {
	parts := make([]string, len(ks))
	for i, k := range ks {
		parts[i] = fmt.Sprintf("%d/%d", k.p, k.o)
	}
	return strings.Join(parts, ", ")
}

// String summarizes the report: counts, then up to five examples of each
// anomaly.
func (r *Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "acked %d, failed %d (%d in the log), read %d, final %d; lost %d, moved %d, duplicates %d, reused %d, phantoms %d, unknown %d",
		r.Acked, r.Failed, r.FailedPresent, r.Read, r.Final, len(r.Lost), len(r.Moved), len(r.Duplicates), len(r.Reused), len(r.Phantoms), len(r.Unknown))
	examples(&b, "lost", r.Lost)
	examples(&b, "moved", r.Moved)
	examples(&b, "duplicate", r.Duplicates)
	examples(&b, "reused", r.Reused)
	examples(&b, "phantom", r.Phantoms)
	examples(&b, "unknown", r.Unknown)
	if r.Commits > 0 || len(r.BadCommits) > 0 {
		fmt.Fprintf(&b, "; commits %d, bad %d", r.Commits, len(r.BadCommits))
		examples(&b, "bad commit", r.BadCommits)
	}
	return b.String()
}

func examples[T any](b *strings.Builder, kind string, xs []T) {
	for i, x := range xs {
		if i == 5 {
			fmt.Fprintf(b, "\n  %s: ... %d more", kind, len(xs)-i)
			return
		}
		if w, ok := any(x).(Write); ok {
			fmt.Fprintf(b, "\n  %s: %q acknowledged at %d/%d", kind, w.Value, w.Partition, w.Offset)
			continue
		}
		fmt.Fprintf(b, "\n  %s: %v", kind, x)
	}
}

// Commits is what a consumer group's commits looked like during a round:
// the highest acknowledged commit of each partition, the committed
// offsets an observer fetched, in the order fetched (the last after the
// group stopped), and the end offset of each partition's final log.
type Commits struct {
	Acked    map[int32]int64
	Observed map[int32][]int64
	Ends     map[int32]int64
	N        int // acknowledged commits
	// Shared lists each partition two members owned in one generation.
	Shared []string
}

// CheckCommits adds to r the anomalies of a group's commits: an observed
// committed offset lower than one observed before it, a final committed
// offset lower than an acknowledged commit, a committed offset past the end
// of the final log, a partition owned by two members in one generation.
func (r *Report) CheckCommits(c Commits) {
	r.Commits += c.N
	r.BadCommits = append(r.BadCommits, c.Shared...)
	for _, p := range sortedKeys(c.Observed) {
		seen := c.Observed[p]
		for i := 1; i < len(seen); i++ {
			if seen[i] < seen[i-1] {
				r.BadCommits = append(r.BadCommits, fmt.Sprintf("partition %d: committed offset went back from %d to %d", p, seen[i-1], seen[i]))
			}
		}
		if len(seen) > 0 && seen[len(seen)-1] < c.Acked[p] {
			r.BadCommits = append(r.BadCommits, fmt.Sprintf("partition %d: commit of %d acknowledged, %d committed at the end", p, c.Acked[p], seen[len(seen)-1]))
		}
		if end, ok := c.Ends[p]; ok && slices.Max(seen) > end {
			r.BadCommits = append(r.BadCommits, fmt.Sprintf("partition %d: committed offset %d past the log end %d", p, slices.Max(seen), end))
		}
	}
	for _, p := range sortedKeys(c.Acked) {
		if end, ok := c.Ends[p]; ok && c.Acked[p] > end {
			r.BadCommits = append(r.BadCommits, fmt.Sprintf("partition %d: commit of %d acknowledged past the log end %d", p, c.Acked[p], end))
		}
		if len(c.Observed[p]) == 0 {
			r.BadCommits = append(r.BadCommits, fmt.Sprintf("partition %d: commit of %d acknowledged, none committed at the end", p, c.Acked[p]))
		}
	}
}
