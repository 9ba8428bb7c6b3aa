package main

import (
	"fmt"
	"strings"
)

// throughputTable has records/s and MB/s per scenario and target, and
// Gofka's MB/s ratio to every peer.
func (rep report) throughputTable() string {
	cols := []string{"scenario"}
	for _, n := range rep.names() {
		cols = append(cols, n+" records/s", n+" MB/s")
	}
	for _, n := range rep.names()[1:] {
		cols = append(cols, "Gofka/"+n)
	}
	var b strings.Builder
	b.WriteString(header(cols...))
	for _, sc := range rep.scenarios() {
		cells := []string{sc.String()}
		for _, tr := range rep.Results {
			cells = append(cells, fmt.Sprintf("%.0f", tr.phase(sc, recsPerSec)), fmt.Sprintf("%.1f", tr.phase(sc, phaseMBps)))
		}
		for i := 1; i < len(rep.Results); i++ {
			cells = append(cells, ratioCell(rep.ratioTo(i, sc, phaseMBps), i == 1))
		}
		b.WriteString(row(cells...))
	}
	return b.String()
}

// ratioCell formats a ratio, marked against the 1.5x target for kfake.
func ratioCell(r float64, marked bool) string {
	if r == 0 {
		return "-"
	}
	if !marked {
		return fmt.Sprintf("%.2f", r)
	}
	return fmt.Sprintf("%.2f %s", r, passMark(r >= 1.5))
}

func passMark(ok bool) string {
	if ok {
		return "pass"
	}
	return "**fail**"
}

// latencyTable has p50 / p99 / p99.9 in ms of f1..f3 for the scenarios of
// the given modes.
func (rep report) latencyTable(modes []mode, fs [3]func(phaseResult) float64) string {
	cols := []string{"scenario"}
	for _, n := range rep.names() {
		cols = append(cols, n+" p50 / p99 / p99.9 (ms)")
	}
	var b strings.Builder
	b.WriteString(header(cols...))
	for _, sc := range rep.scenarios() {
		if !containsMode(modes, sc.Mode) {
			continue
		}
		cells := []string{sc.String()}
		for _, tr := range rep.Results {
			cells = append(cells, fmt.Sprintf("%.2f / %.2f / %.2f", tr.phase(sc, fs[0]), tr.phase(sc, fs[1]), tr.phase(sc, fs[2])))
		}
		b.WriteString(row(cells...))
	}
	return b.String()
}

func containsMode(ms []mode, m mode) bool {
	for _, x := range ms {
		if x == m {
			return true
		}
	}
	return false
}

// resourceTable has server CPU seconds per GB, peak RSS during the phase
// and Gofka's heap allocations per record.
func (rep report) resourceTable() string {
	cols := []string{"scenario"}
	for _, n := range rep.names() {
		cols = append(cols, n+" CPU s/GB")
	}
	for _, n := range rep.names() {
		cols = append(cols, n+" peak RSS (MiB)")
	}
	if len(rep.Results) > 1 {
		cols = append(cols, "CPU s/GB "+rep.Results[0].Target.Name+"/"+rep.Results[1].Target.Name)
	}
	cols = append(cols, "Gofka allocs/record")
	var b strings.Builder
	b.WriteString(header(cols...))
	for _, sc := range rep.allScenarios() {
		if sc.Mode == modeRaw {
			continue // in the raw fetch table
		}
		cells := []string{sc.String()}
		for _, tr := range rep.Results {
			cells = append(cells, fmt.Sprintf("%.2f", tr.phase(sc, cpuPerGB)))
		}
		for _, tr := range rep.Results {
			cells = append(cells, fmt.Sprintf("%.1f", tr.phase(sc, peakRSS)))
		}
		if len(rep.Results) > 1 {
			cells = append(cells, fmt.Sprintf("%.2f", rep.cpuRatio(sc)))
		}
		a := rep.Results[0].phase(sc, allocs)
		if a < 0 {
			cells = append(cells, "-")
		} else {
			cells = append(cells, fmt.Sprintf("%.3f", a))
		}
		b.WriteString(row(cells...))
	}
	return b.String()
}

// startupTable has cold start, idle RSS and peak RSS per target.
func (rep report) startupTable() string {
	var b strings.Builder
	b.WriteString(header("target", "exec to listening (ms)", "exec to first acked produce (ms)", "idle RSS (MiB)", "peak RSS, any scenario (MiB)"))
	for _, tr := range rep.Results {
		hwm, at := tr.peakHWM()
		b.WriteString(row(tr.Target.Name,
			fmt.Sprintf("%.1f", tr.start(func(s startup) float64 { return ms(s.Listening) })),
			fmt.Sprintf("%.1f", tr.start(func(s startup) float64 { return ms(s.FirstAck) })),
			fmt.Sprintf("%.1f", tr.start(func(s startup) float64 { return float64(s.IdleRSS) / (1 << 20) })),
			fmt.Sprintf("%.1f (%s)", float64(hwm)/(1<<20), at)))
	}
	return b.String()
}

// rawProduceTable has, per config, the kgo produce phase beside the raw
// produce driver's phase: throughput, request latency and server CPU.
func (rep report) rawProduceTable() string {
	return rep.kgoRawTable(modeProduce, modeRawProduce, func(n string) []string {
		return []string{n + " kgo MB/s", n + " raw records/s", n + " raw MB/s", n + " raw request p50 / p99 / p99.9 (ms)", n + " raw CPU s/GB"}
	}, func(tr targetResults, kgo, raw scenario) []string {
		return []string{fmt.Sprintf("%.1f", tr.phase(kgo, phaseMBps)), fmt.Sprintf("%.0f", tr.phase(raw, recsPerSec)),
			fmt.Sprintf("%.1f", tr.phase(raw, phaseMBps)),
			fmt.Sprintf("%.2f / %.2f / %.2f", tr.phase(raw, p50), tr.phase(raw, p99), tr.phase(raw, p999)),
			fmt.Sprintf("%.2f", tr.phase(raw, cpuPerGB))}
	})
}

// kgoRawTable is one row per config of the kgo phase kgo beside its raw
// driver phase raw: per target the columns cols names and cells fills,
// then for each peer the kgo and the raw throughput ratios.
func (rep report) kgoRawTable(kgo, raw mode, cols func(target string) []string, cells func(tr targetResults, kgo, raw scenario) []string) string {
	head := []string{"config"}
	for _, n := range rep.names() {
		head = append(head, cols(n)...)
	}
	for _, n := range rep.names()[1:] {
		head = append(head, "kgo Gofka/"+n, "raw Gofka/"+n)
	}
	var b strings.Builder
	b.WriteString(header(head...))
	for _, sc := range rep.scenarios() {
		if sc.Mode != kgo {
			continue
		}
		rs := scenario{config: sc.config, Mode: raw}
		line := []string{sc.config.String()}
		for _, tr := range rep.Results {
			line = append(line, cells(tr, sc, rs)...)
		}
		for i := 1; i < len(rep.Results); i++ {
			line = append(line, ratioCell(rep.ratioTo(i, sc, phaseMBps), i == 1), ratioCell(rep.ratioTo(i, rs, phaseMBps), i == 1))
		}
		b.WriteString(row(line...))
	}
	return b.String()
}

// rawTable has, per config, the consume-only phase with the kgo consumer
// beside the raw Fetch phase, both from the page cache.
func (rep report) rawTable() string {
	cols := []string{"config"}
	for _, n := range rep.names() {
		cols = append(cols, n+" kgo consumer MB/s", n+" raw fetch MB/s", n+" raw fetch CPU s/GB")
	}
	for _, n := range rep.names()[1:] {
		cols = append(cols, "raw fetch Gofka/"+n)
	}
	var b strings.Builder
	b.WriteString(header(cols...))
	for _, sc := range rep.scenarios() {
		if sc.Mode != modeConsume {
			continue
		}
		raw := scenario{config: sc.config, Mode: modeRaw}
		cells := []string{sc.config.String()}
		for _, tr := range rep.Results {
			cells = append(cells, fmt.Sprintf("%.1f", tr.phase(sc, phaseMBps)), fmt.Sprintf("%.1f", tr.phase(raw, phaseMBps)),
				fmt.Sprintf("%.2f", tr.phase(raw, cpuPerGB)))
		}
		for i := 1; i < len(rep.Results); i++ {
			cells = append(cells, ratioCell(rep.ratioTo(i, raw, phaseMBps), i == 1))
		}
		b.WriteString(row(cells...))
	}
	return b.String()
}

// rawBothTable has, per config, the kgo both phase beside the raw both
// phase: throughput, request latency and server CPU.
func (rep report) rawBothTable() string {
	return rep.kgoRawTable(modeBoth, modeRawBoth, func(n string) []string {
		return []string{n + " kgo both MB/s", n + " raw both MB/s", n + " raw request p50 / p99 (ms)", n + " raw both CPU s/GB"}
	}, func(tr targetResults, kgo, raw scenario) []string {
		return []string{fmt.Sprintf("%.1f", tr.phase(kgo, phaseMBps)), fmt.Sprintf("%.1f", tr.phase(raw, phaseMBps)),
			fmt.Sprintf("%.2f / %.2f", tr.phase(raw, p50), tr.phase(raw, p99)), fmt.Sprintf("%.2f", tr.phase(raw, cpuPerGB))}
	})
}

// clientTable has, per config, the kgo producer's own CPU, batching and
// stalls at saturation on every target, and the ceiling the peer's
// stalls put on Gofka's throughput ratio.
func (rep report) clientTable() string {
	cols := []string{"config"}
	for _, n := range rep.names() {
		cols = append(cols, n+" client CPU s/GB", n+" records/request", n+" producer stalled (buffer full)")
	}
	for _, n := range rep.names()[1:] {
		cols = append(cols, "kgo Gofka/"+n, "ceiling 1/(1 - "+n+" stalled)", fmt.Sprintf("ceiling: %d CPUs to the client", rep.Machine.CPUs))
	}
	var b strings.Builder
	b.WriteString(header(cols...))
	for _, sc := range rep.scenarios() {
		if sc.Mode != modeProduce {
			continue
		}
		cells := []string{sc.config.String()}
		for _, tr := range rep.Results {
			cells = append(cells, fmt.Sprintf("%.2f", tr.phase(sc, clientPerGB)), fmt.Sprintf("%.0f", tr.phase(sc, perRequest)),
				fmt.Sprintf("%.0f%% (%.0f%%)", 100*tr.phase(sc, stallShare), 100*tr.phase(sc, blockedShare)))
		}
		for i := 1; i < len(rep.Results); i++ {
			cells = append(cells, ratioCell(rep.ratioTo(i, sc, phaseMBps), i == 1), fmt.Sprintf("%.2f", stallCeiling(rep.Results[i].phase(sc, stallShare))),
				fmt.Sprintf("%.2f", cpuCeiling(rep.Machine.CPUs, rep.minClientPerGB(sc), rep.Results[i].phase(sc, phaseMBps))))
		}
		b.WriteString(row(cells...))
	}
	return b.String()
}

// minClientPerGB is the lowest client CPU per GB any target's run of sc
// measured: the cheapest the client has been seen to do the work.
func (rep report) minClientPerGB(sc scenario) float64 {
	lo := 0.0
	for _, tr := range rep.Results {
		if v := tr.phase(sc, clientPerGB); v > 0 && (lo == 0 || v < lo) {
			lo = v
		}
	}
	return lo
}

// halfTable has each target's half-load rate, produce latency and server
// CPU per config.
func (rep report) halfTable() string {
	cols := []string{"config"}
	for _, n := range rep.names() {
		cols = append(cols, n+" records/s", n+" p50 / p99 / p99.9 (ms)", n+" requests answered p99 (ms)", n+" CPU s/GB")
	}
	cols = append(cols, rep.Results[0].Target.Name+"'s own Produce p99 (ms, bucket bound)")
	var b strings.Builder
	b.WriteString(header(cols...))
	for _, sc := range rep.scenarios() {
		if sc.Mode != modeProduce {
			continue
		}
		h := scenario{config: sc.config, Mode: modeHalf}
		cells := []string{sc.config.String()}
		for _, tr := range rep.Results {
			cells = append(cells, fmt.Sprintf("%.0f", tr.phase(h, recsPerSec)),
				fmt.Sprintf("%.2f / %.2f / %.2f", tr.phase(h, p50), tr.phase(h, p99), tr.phase(h, p999)),
				fmt.Sprintf("%.2f", tr.phase(h, answerP99)),
				fmt.Sprintf("%.2f", tr.phase(h, cpuPerGB)))
		}
		own := "-"
		if v := rep.Results[0].phase(h, brokerP99); v > 0 {
			own = fmt.Sprintf("<= %.2f", v)
		}
		cells = append(cells, own)
		b.WriteString(row(cells...))
	}
	return b.String()
}
