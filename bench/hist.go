package main

import (
	"math/bits"
	"sync/atomic"
	"time"
)

// Latency histogram: log-linear buckets, exact below 64 ns and 32
// sub-buckets per power of two above (about 3% relative error), safe for
// concurrent recording without locks.
const (
	histLinear = 64
	histSub    = 32
	histBucket = histLinear + 64*histSub
)

// histogram counts durations; the zero value is ready to use.
type histogram struct {
	counts [histBucket]atomic.Uint64
	total  atomic.Uint64
}

// record adds one duration (negative durations count as zero).
func (h *histogram) record(d time.Duration) {
	h.counts[histIndex(uint64(max(d, 0)))].Add(1)
	h.total.Add(1)
}

// histIndex is the bucket of v nanoseconds.
func histIndex(v uint64) int {
	if v < histLinear {
		return int(v)
	}
	shift := bits.Len64(v) - 6
	return histLinear + (shift-1)*histSub + int(v>>shift) - histSub
}

// histValue is the middle of bucket i, in nanoseconds.
func histValue(i int) uint64 {
	if i < histLinear {
		return uint64(i)
	}
	shift := (i-histLinear)/histSub + 1
	m := uint64((i-histLinear)%histSub + histSub)
	return m<<shift + (uint64(1)<<shift)/2
}

// quantile returns the q-quantile (0..1) of the recorded durations, 0 when
// nothing was recorded.
func (h *histogram) quantile(q float64) time.Duration {
	n := h.total.Load()
	if n == 0 {
		return 0
	}
	rank := uint64(q*float64(n)) + 1
	var seen uint64
	for i := range h.counts {
		seen += h.counts[i].Load()
		if seen >= min(rank, n) {
			return time.Duration(histValue(i))
		}
	}
	return time.Duration(histValue(histBucket - 1))
}

// latencies are the percentiles the report shows.
type latencies struct {
	P50, P99, P999 time.Duration
	Count          uint64
}

// summary reads p50, p99 and p99.9.
func (h *histogram) summary() latencies {
	return latencies{P50: h.quantile(0.50), P99: h.quantile(0.99), P999: h.quantile(0.999), Count: h.total.Load()}
}
