package main

import (
	"fmt"
	"strings"
)

// replHeading opens the replication section of the report.
const replHeading = "## Replication: acks=all on 1 and 3 nodes\n"

// section renders the replication section of the report: method, table,
// the 3-node/1-node ratios and notes.
func (r replResults) section() string {
	var b strings.Builder
	b.WriteString(replHeading + "\n")
	if r.Alone {
		b.WriteString("Measured on its own by `go run ./bench -replication` (`-runs`, `-duration`, `-warmup` flags), which\n")
		b.WriteString("rewrites only this section of the report; everything else is from the runs described above.\n\n")
	} else {
		b.WriteString("Measured in the same run as the rest of the report, after the metadata phase;\n")
		b.WriteString("`go run ./bench -replication` measures it alone and rewrites only this section.\n\n")
	}
	r.writeMethod(&b)
	b.WriteString(r.table())
	b.WriteString("\n")
	r.writeRatios(&b)
	b.WriteString("\n")
	r.writeNotes(&b)
	return b.String()
}

func (r replResults) writeMethod(b *strings.Builder) {
	mc, s := r.Machine, r.Settings
	fmt.Fprintf(b, "- Date: %s. Gofka commit `%s`. %s in all.\n", r.Date.Format("2006-01-02 15:04 MST"), mc.Commit, r.Wall.Round(1e9))
	mc.writeLine(b, r.LoadEnd)
	b.WriteString("- Clusters of 1 and 3 `gofka server` processes on 127.0.0.1, each `process.roles=broker,controller`,\n")
	b.WriteString("  started as the metadata phase starts them (every other setting at its default), a fresh cluster\n")
	fmt.Fprintf(b, "  per size in each of %d run(s) (which size goes first alternates; the table shows medians).\n", s.Runs)
	fmt.Fprintf(b, "- One topic per value size, %d partitions, replication factor = the node count,\n", replPartitions)
	b.WriteString("  `min.insync.replicas` 2 on 3 nodes (1 on 1): on 3 nodes each partition's leader answers only once\n")
	b.WriteString("  both followers have fetched the batch (the ISR is all three). The runner waits until every\n")
	b.WriteString("  partition's ISR is full before it produces.\n")
	fmt.Fprintf(b, "- Load: the kgo producer of the data-path phases (`acks=all`, no idempotence, linger %s, %d requests in\n", s.Linger, s.Requests)
	fmt.Fprintf(b, "  flight per broker, %d KiB of values buffered), %d records untimed, then %s timed. Latency is per\n", s.InFlightBytes>>10, s.Warmup, s.Duration)
	b.WriteString("  record, from the Produce call to its acknowledgement. Server CPU is the `utime+stime` of every node\n")
	b.WriteString("  during the timed phase. After it the runner reads the ISR and the end offsets back: the records\n")
	b.WriteString("  acknowledged (warm-up included) must all have landed, and the ISR must still be full.\n\n")
}

// phase is the median of f over the runs of key k.
func (r replResults) phase(k replKey, f func(replResult) float64) float64 {
	var vs []float64
	for _, res := range r.Phases[k] {
		vs = append(vs, f(res))
	}
	return median(vs)
}

func replRecords(r replResult) float64 { return perSec(r.Records, r.Elapsed) }
func replMB(r replResult) float64      { return mbPerSec(r.Bytes, r.Elapsed) }

func (r replResults) table() string {
	var b strings.Builder
	b.WriteString(header("cluster", "records/s", "MB/s", "produce p50 / p99 (ms)", "server CPU per MB (ms, all nodes)", "smallest ISR after", "landed / acknowledged"))
	for _, k := range r.keys() {
		minISR, landed, sent := k.Nodes, int64(0), int64(0)
		for _, res := range r.Phases[k] {
			minISR, landed, sent = min(minISR, res.ISR), landed+res.Landed, sent+res.Sent
		}
		b.WriteString(row(k.String(),
			fmt.Sprintf("%.0f", r.phase(k, replRecords)),
			fmt.Sprintf("%.1f", r.phase(k, replMB)),
			fmt.Sprintf("%.2f / %.2f", r.phase(k, func(x replResult) float64 { return ms(x.Produce.P50) }),
				r.phase(k, func(x replResult) float64 { return ms(x.Produce.P99) })),
			fmt.Sprintf("%.1f", r.phase(k, cpuPerMB)),
			fmt.Sprint(minISR),
			fmt.Sprintf("%d / %d", landed, sent)))
	}
	return b.String()
}

// cpuPerMB is the CPU milliseconds of all nodes per MB of values.
func cpuPerMB(r replResult) float64 {
	if r.Bytes == 0 {
		return 0
	}
	return ms(r.CPU) / (float64(r.Bytes) / 1e6)
}

// writeRatios compares 3 nodes with 1 for each value size.
func (r replResults) writeRatios(b *strings.Builder) {
	var parts []string
	for _, size := range replValueSizes() {
		one, three := r.phase(replKey{1, size}, replRecords), r.phase(replKey{3, size}, replRecords)
		p1, p3 := r.phase(replKey{1, size}, func(x replResult) float64 { return ms(x.Produce.P50) }),
			r.phase(replKey{3, size}, func(x replResult) float64 { return ms(x.Produce.P50) })
		if one > 0 && three > 0 && p1 > 0 {
			parts = append(parts, fmt.Sprintf("%s values: %.2f of the records/s at %.1f times the p50 latency",
				config{Size: size}.sizeName(), three/one, p3/p1))
		}
	}
	if len(parts) > 0 {
		fmt.Fprintf(b, "3 nodes (RF=3) against 1 (RF=1): %s.\n", strings.Join(parts, "; "))
	}
}

func (r replResults) writeNotes(b *strings.Builder) {
	b.WriteString("Notes on replication:\n\n")
	b.WriteString("- The three processes, the load driver and the other builds share the machine's CPUs; each record\n")
	b.WriteString("  is written three times and crosses loopback twice more (two follower fetches), so on 2 CPUs the\n")
	b.WriteString("  3-node figures are a floor for separate machines. Compare ratios within one run.\n")
	b.WriteString("- An acks=all produce answers when the high watermark passes the batch: the followers' next fetch\n")
	b.WriteString("  after the append carries their new log end offsets to the leader, so the latency includes a\n")
	b.WriteString("  follower fetch round trip (`replica.fetch.wait.max.ms` bounds how long a fetch with nothing new\n")
	b.WriteString("  waits at the leader).\n\n")
}
