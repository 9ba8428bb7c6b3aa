package main

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

func TestBucketQuantile(t *testing.T) {
	scrape := func(counts ...float64) []bucket {
		var text strings.Builder
		for i, le := range []string{"0.001", "0.0025", "0.005", "+Inf"} {
			fmt.Fprintf(&text, "gofka_request_duration_seconds_bucket{request=\"Produce\",le=\"%s\"} %g\n", le, counts[i])
			fmt.Fprintf(&text, "gofka_request_duration_seconds_bucket{request=\"Fetch\",le=\"%s\"} 7\n", le)
		}
		return parseBuckets(strings.NewReader(text.String()), `gofka_request_duration_seconds_bucket{request="Produce",le="`)
	}
	before := scrape(10, 10, 10, 10)
	if len(before) != 4 || !math.IsInf(before[3].le, 1) {
		t.Fatalf("parsed %v, want 4 Produce buckets ending at +Inf", before)
	}
	// 1000 requests between the scrapes: 980 under 1 ms, 15 more under
	// 2.5 ms, 5 under 5 ms: the p99 is in the 2.5 ms bucket.
	after := scrape(990, 1005, 1010, 1010)
	if got := bucketQuantile(before, after, 0.99); got != 2.5 {
		t.Errorf("p99 bound = %v ms, want 2.5", got)
	}
	if got := bucketQuantile(before, after, 0.5); got != 1 {
		t.Errorf("p50 bound = %v ms, want 1", got)
	}
	if got := bucketQuantile(before, before, 0.99); got != -1 {
		t.Errorf("no requests: %v, want -1", got)
	}
	if got := bucketQuantile(nil, after, 0.99); got != -1 {
		t.Errorf("no first scrape: %v, want -1", got)
	}
}
