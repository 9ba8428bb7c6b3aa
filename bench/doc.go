// Command bench drives Gofka and a peer broker (franz-go's kfake, run as a
// separate process by bench/kfakepeer) with the same franz-go load driver,
// one after the other, and writes a side-by-side report:
//
//	go run ./bench -out docs/benchmarks.md
//
// For each target it builds the binary, starts it on a free loopback port
// with a fresh data dir, creates the topic, produces a fixed number of
// records with acks=1 (after a warm-up), consumes them all back, samples
// the server's RSS and CPU from /proc, and stops it with SIGTERM. It does
// this -runs times, alternating the targets. The report (markdown, plus a
// PNG chart) gives the median of each metric for both targets and the
// Gofka/peer ratio.
//
// It owns only measurement: it never asserts on timings, and it never
// changes what it measures (no broker tuning beyond data dir and listener).
package main
