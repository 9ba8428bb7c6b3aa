package main

import (
	"slices"
	"strings"
)

// series is every run of one target; the report gives medians over runs.
type series struct {
	Target target
	Runs   []result
}

// median returns the median of f over the runs (the mean of the middle
// two for an even count).
func (s series) median(f func(result) float64) float64 {
	vs := s.values(f)
	if len(vs) == 0 {
		return 0
	}
	slices.Sort(vs)
	n := len(vs)
	if n%2 == 1 {
		return vs[n/2]
	}
	return (vs[n/2-1] + vs[n/2]) / 2
}

// spread returns the smallest and largest f over the runs.
func (s series) spread(f func(result) float64) (lo, hi float64) {
	vs := s.values(f)
	if len(vs) == 0 {
		return 0, 0
	}
	return slices.Min(vs), slices.Max(vs)
}

func (s series) values(f func(result) float64) []float64 {
	vs := make([]float64, len(s.Runs))
	for i, r := range s.Runs {
		vs[i] = f(r)
	}
	return vs
}

// exits lists the distinct ways the runs' processes ended.
func (s series) exits() string {
	var out []string
	for _, r := range s.Runs {
		if !slices.Contains(out, r.Exit) {
			out = append(out, r.Exit)
		}
	}
	return strings.Join(out, ", ")
}

// produceMBps and consumeMBps are the throughputs the chart shows.
func produceMBps(r result) float64 { return mbPerSec(r.Produce.Bytes, r.Produce.Elapsed) }
func consumeMBps(r result) float64 { return mbPerSec(r.Consume.Bytes, r.Consume.Elapsed) }
