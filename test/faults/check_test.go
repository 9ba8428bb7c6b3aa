package faults

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// clean is a history without anomaly: two partitions, values w0-0..w0-9
// acknowledged alternately on each, one failed write never appended and
// one failed write appended, and reads of a prefix.
func clean() History {
	var h History
	next := map[int32]int64{}
	for i := 0; i < 10; i++ {
		p := int32(i % 2)
		v := fmt.Sprintf("w0-%d", i)
		h.Writes = append(h.Writes, Write{Partition: p, Offset: next[p], Value: v})
		h.Final = append(h.Final, Record{p, next[p], v})
		if i < 6 {
			h.Reads = append(h.Reads, Record{p, next[p], v})
		}
		next[p]++
	}
	timeout := errors.New("request timed out")
	h.Writes = append(h.Writes, Write{Partition: 0, Offset: -1, Value: "w0-10", Err: timeout},
		Write{Partition: 1, Offset: -1, Value: "w0-11", Err: timeout})
	h.Final = append(h.Final, Record{1, next[1], "w0-11"})
	return h
}

func TestCheckClean(t *testing.T) {
	r := Check(clean())
	if !r.OK() {
		t.Fatalf("anomalies in a clean history: %s", &r)
	}
	if r.Acked != 10 || r.Failed != 2 || r.FailedPresent != 1 || r.Read != 6 || r.Final != 11 {
		t.Fatalf("counts: %s", &r)
	}
}

// TestCheckDetects injects each anomaly into a clean history: the checker
// must report it, as that kind and no other.
func TestCheckDetects(t *testing.T) {
	cases := []struct {
		name   string
		inject func(h *History)
		want   int // anomalies, all of the kind
		kind   func(r *Report) int
	}{
		{"lost acked record", func(h *History) {
			h.Final = h.Final[1:] // w0-0 at 0/0 gone (the log starts at 0/1)
			h.Reads = h.Reads[1:]
		}, 1, func(r *Report) int { return len(r.Lost) }},
		{"lost from the tail", func(h *History) {
			h.Final = h.Final[:8] // w0-8 and w0-9 truncated away
		}, 2, func(r *Report) int { return len(r.Lost) }},
		{"duplicate value", func(h *History) {
			h.Final = append(h.Final, Record{0, 5, "w0-4"})
		}, 1, func(r *Report) int { return len(r.Duplicates) }},
		{"failed write duplicated", func(h *History) {
			h.Final = append(h.Final, Record{0, 5, "w0-11"})
		}, 1, func(r *Report) int { return len(r.Duplicates) }},
		{"offset reused by another value", func(h *History) {
			// w0-9's acknowledged offset holds the failed write, w0-9 is after it
			h.Final[9], h.Final[10] = Record{1, 4, "w0-11"}, Record{1, 5, "w0-9"}
		}, 1, func(r *Report) int { return len(r.Reused) }},
		{"one offset acknowledged twice", func(h *History) {
			h.Writes = append(h.Writes, Write{Partition: 0, Offset: 0, Value: "w1-0"})
			h.Final = append(h.Final, Record{0, 5, "w1-0"})
		}, 2, func(r *Report) int { return len(r.Reused) }}, // both acknowledgements, and what 0/0 holds

		{"acked value moved", func(h *History) {
			h.Final[0].Offset = 7 // w0-0 acknowledged at 0/0, found at 0/7
			h.Reads = h.Reads[1:]
		}, 1, func(r *Report) int { return len(r.Moved) }},
		{"phantom read of a truncated record", func(h *History) {
			h.Reads = append(h.Reads, Record{0, 9, "w0-12"})
		}, 1, func(r *Report) int { return len(r.Phantoms) }},
		{"phantom read of another value", func(h *History) {
			h.Reads = append(h.Reads, Record{1, 0, "w0-3"})
		}, 1, func(r *Report) int { return len(r.Phantoms) }},
		{"value nobody sent", func(h *History) {
			h.Final = append(h.Final, Record{0, 6, "garbage"})
		}, 1, func(r *Report) int { return len(r.Unknown) }},
		{"unacked output missing (pipeline)", func(h *History) {
			h.Writes = append(h.Writes, Write{Partition: 0, Offset: -1, Value: "w9-0"})
		}, 1, func(r *Report) int { return len(r.Lost) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := clean()
			c.inject(&h)
			r := Check(h)
			if n := c.kind(&r); n != c.want || r.Anomalies() != n {
				t.Fatalf("want exactly %d anomalies, of the kind, got %d of %d: %s", c.want, n, r.Anomalies(), &r)
			}
			if !strings.Contains(r.String(), "\n  ") {
				t.Fatalf("report names no example: %s", &r)
			}
		})
	}
}

func TestTally(t *testing.T) {
	var tl Tally
	r := Check(clean())
	tl.Add("kill-leader", &r)
	tl.Add("kill-leader", &r)
	h := clean()
	h.Final, h.Reads = h.Final[1:], h.Reads[1:]
	r = Check(h)
	tl.Add("pause", &r)
	out := tl.String()
	for _, want := range []string{"kill-leader", "pause", "total", "20"} {
		if !strings.Contains(out, want) {
			t.Fatalf("table lacks %q:\n%s", want, out)
		}
	}
	if tl.Anomalies() != 1 {
		t.Fatalf("tally counts %d anomalies, want 1:\n%s", tl.Anomalies(), out)
	}
}

func TestCheckCommits(t *testing.T) {
	clean := func() Commits {
		return Commits{
			Acked:    map[int32]int64{0: 10, 1: 7},
			Observed: map[int32][]int64{0: {3, 3, 8, 10, 12}, 1: {7}},
			Ends:     map[int32]int64{0: 12, 1: 9},
			N:        6,
		}
	}
	cases := []struct {
		name   string
		inject func(c *Commits)
		bad    int
	}{
		{"clean", func(*Commits) {}, 0},
		{"went backwards", func(c *Commits) { c.Observed[0] = []int64{3, 8, 5, 10} }, 1},
		{"acknowledged commit lost", func(c *Commits) { c.Observed[0] = []int64{3, 8} }, 1},
		{"acknowledged commit never observed", func(c *Commits) { delete(c.Observed, 1) }, 1},
		{"past the log end", func(c *Commits) { c.Ends[0] = 11 }, 1},
		{"partition owned twice", func(c *Commits) { c.Shared = []string{"generation 1: partition 0 owned by [a b]"} }, 1},
		{"acknowledged past the log end", func(c *Commits) { c.Acked[1], c.Observed[1] = 10, []int64{10} }, 2}, // observed too
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := clean()
			tc.inject(&c)
			var r Report
			r.CheckCommits(c)
			if len(r.BadCommits) != tc.bad || r.Anomalies() != tc.bad || r.Commits != 6 {
				t.Fatalf("want %d bad commits: %s", tc.bad, &r)
			}
		})
	}
}
