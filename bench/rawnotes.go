package main

import (
	"fmt"
	"slices"
	"strings"
)

// writeRawNotes compares the raw produce phases with the kgo produce
// phases from the measured numbers: ratio range, server CPU per GB and
// Gofka's peak RSS, and says whether taking the driver's work out was
// enough to reach the 1.5x target.
func (rep report) writeRawNotes(b *strings.Builder) {
	if len(rep.Results) < 2 {
		return
	}
	var ratios, gRaw, gKgo, pRaw []float64
	var rssRaw, rssKgo float64
	for _, sc := range rep.scenarios() {
		if sc.Mode != modeProduce {
			continue
		}
		raw := scenario{config: sc.config, Mode: modeRawProduce}
		ratios = append(ratios, rep.ratioTo(1, raw, phaseMBps))
		gRaw = append(gRaw, rep.Results[0].phase(raw, cpuPerGB))
		gKgo = append(gKgo, rep.Results[0].phase(sc, cpuPerGB))
		pRaw = append(pRaw, rep.Results[1].phase(raw, cpuPerGB))
		rssRaw = max(rssRaw, rep.Results[0].phase(raw, peakRSS))
		rssKgo = max(rssKgo, rep.Results[0].phase(sc, peakRSS))
	}
	if len(ratios) == 0 {
		return
	}
	fmt.Fprintf(b, "- Raw produce, Gofka/%s: %.2f to %.2f (median %.2f) over the configs. Server CPU per GB\n",
		rep.Results[1].Target.Name, slices.Min(ratios), slices.Max(ratios), median(ratios))
	fmt.Fprintf(b, "  (median over the configs): Gofka %.2f s/GB with the raw driver, %.2f s/GB with kgo; %s %.2f s/GB\n",
		median(gRaw), median(gKgo), rep.Results[1].Target.Name, median(pRaw))
	fmt.Fprintf(b, "  with the raw driver. Gofka's highest peak RSS in a phase: %.1f MiB in raw produce, %.1f MiB in kgo produce.\n", rssRaw, rssKgo)
	if slices.Min(ratios) >= 1.5 {
		b.WriteString("  With the client's per-record work taken out, every produce ratio reaches 1.5x.\n")
		return
	}
	rep.writeKernelBound(b)
	b.WriteString("  With the client's per-record work taken out the produce ratios still miss 1.5x: the kgo driver\n")
	b.WriteString("  was not the only reason the produce scenarios missed; at a broker-bound load Gofka's produce path\n")
	b.WriteString("  is not 1.5x kfake's on this machine. [benchmarks-produce.md](benchmarks-produce.md) measures what\n")
	b.WriteString("  bounds it here (the kernel's write path both brokers share, and the host's memory) and what was tried.\n")
}

// writeKernelBound compares, for the raw produce and raw both phases, the
// server CPU each broker spends in the kernel: reading the socket and
// writing the page cache are system calls both make for every byte, so
// Gofka's kernel CPU per GB bounds how far below the peer's total it can
// go. bound = peer CPU per GB / Gofka kernel CPU per GB is the throughput
// ratio Gofka would reach at equal CPU if it spent nothing in user space.
func (rep report) writeKernelBound(b *strings.Builder) {
	peer := rep.Results[1].Target.Name
	for _, m := range []mode{modeRawProduce, modeRawBoth} {
		var gSys, gAll, pSys, pAll, bound []float64
		for _, sc := range rep.scenarios() {
			if sc.Mode != modeProduce {
				continue
			}
			raw := scenario{config: sc.config, Mode: m}
			g, p := rep.Results[0], rep.Results[1]
			if g.phase(raw, sysPerGB) == 0 || p.phase(raw, cpuPerGB) == 0 {
				continue
			}
			gSys, gAll = append(gSys, g.phase(raw, sysPerGB)), append(gAll, g.phase(raw, cpuPerGB))
			pSys, pAll = append(pSys, p.phase(raw, sysPerGB)), append(pAll, p.phase(raw, cpuPerGB))
			bound = append(bound, p.phase(raw, cpuPerGB)/g.phase(raw, sysPerGB))
		}
		if len(bound) == 0 {
			continue
		}
		fmt.Fprintf(b, "  In %s, server CPU in the kernel (median over the configs): Gofka %.2f of %.2f s/GB (%.0f%%),\n",
			m, median(gSys), median(gAll), 100*median(gSys)/median(gAll))
		fmt.Fprintf(b, "  %s %.2f of %.2f s/GB (%.0f%%). Even with no user-space work at all, Gofka at %s's CPU per GB\n",
			peer, median(pSys), median(pAll), 100*median(pSys)/median(pAll), peer)
		fmt.Fprintf(b, "  could move at most %.2f to %.2f times %s's bytes (%s's CPU per GB / Gofka's kernel CPU per GB).\n",
			slices.Min(bound), slices.Max(bound), peer, peer)
	}
}
