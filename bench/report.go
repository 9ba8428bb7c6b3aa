package main

import (
	"slices"
	"strings"
	"time"
)

// report is one whole run: machine, probes and every target's results.
// Results[0] is Gofka and Results[1] kfake; -peer targets follow.
type report struct {
	Machine  machine
	Settings settings
	Date     time.Time
	Wall     time.Duration // probes and all configs
	LoadEnd  string        // load average at the end
	Disk     []diskProbe   // 1 KiB chunks first, then 1 MiB
	Results  []targetResults
	Charts   []string     // PNG paths, relative to the report once written
	Meta     *metaResults // the metadata phase, when it ran
	Repl     *replResults // the replication phase, when it ran
}

// median returns the median of vs (the mean of the middle two for an even
// count), 0 for none.
func median(vs []float64) float64 {
	if len(vs) == 0 {
		return 0
	}
	vs = slices.Clone(vs)
	slices.Sort(vs)
	n := len(vs)
	if n%2 == 1 {
		return vs[n/2]
	}
	return (vs[n/2-1] + vs[n/2]) / 2
}

// phase is the median of f over the runs of scenario sc.
func (tr targetResults) phase(sc scenario, f func(phaseResult) float64) float64 {
	var vs []float64
	for _, r := range tr.Configs[sc.config] {
		vs = append(vs, f(r.Phases[sc.Mode]))
	}
	return median(vs)
}

// start is the median of f over the cold starts.
func (tr targetResults) start(f func(startup) float64) float64 {
	var vs []float64
	for _, s := range tr.Startup {
		vs = append(vs, f(s))
	}
	return median(vs)
}

// peakHWM is the highest VmHWM over every config and run.
func (tr targetResults) peakHWM() (int64, config) {
	var best int64
	var at config
	for c, rs := range tr.Configs {
		for _, r := range rs {
			if r.HWM > best {
				best, at = r.HWM, c
			}
		}
	}
	return best, at
}

// exits lists the distinct ways the target's processes ended.
func (tr targetResults) exits() string {
	var out []string
	for _, rs := range tr.Configs {
		for _, r := range rs {
			if !slices.Contains(out, r.Exit) {
				out = append(out, r.Exit)
			}
		}
	}
	slices.Sort(out)
	return strings.Join(out, ", ")
}

// scenarios are the scenarios measured, in matrix order.
func (rep report) scenarios() []scenario {
	var cs []config
	for _, c := range configs() {
		if _, ok := rep.Results[0].Configs[c]; ok {
			cs = append(cs, c)
		}
	}
	return scenarios(cs)
}

// allScenarios are the scenarios measured with the extra raw-driver
// modes as well, in matrix order.
func (rep report) allScenarios() []scenario {
	var out []scenario
	for _, sc := range rep.scenarios() {
		if sc.Mode != modeProduce {
			continue
		}
		for m := range numModes {
			out = append(out, scenario{config: sc.config, Mode: m})
		}
	}
	return out
}

// Per-phase values the tables and charts show.
func recsPerSec(r phaseResult) float64 { return perSec(r.Records, r.Elapsed) }
func phaseMBps(r phaseResult) float64  { return mbPerSec(r.Bytes, r.Elapsed) }
func p50(r phaseResult) float64        { return ms(r.Produce.P50) }
func p99(r phaseResult) float64        { return ms(r.Produce.P99) }
func p999(r phaseResult) float64       { return ms(r.Produce.P999) }
func answerP99(r phaseResult) float64  { return ms(r.Wire.Answer.P99) }
func brokerP99(r phaseResult) float64  { return r.BrokerP99 }
func e2e50(r phaseResult) float64      { return ms(r.E2E.P50) }
func e2e99(r phaseResult) float64      { return ms(r.E2E.P99) }
func e2e999(r phaseResult) float64     { return ms(r.E2E.P999) }
func peakRSS(r phaseResult) float64    { return float64(r.PeakRSS) / (1 << 20) }
func allocs(r phaseResult) float64     { return r.Allocs }

// cpuPerGB is server CPU seconds per GB (10^9 bytes) of record values.
func cpuPerGB(r phaseResult) float64 {
	if r.Bytes == 0 {
		return 0
	}
	return r.CPU.Seconds() / (float64(r.Bytes) / 1e9)
}

// clientPerGB is the load driver's (this process's) CPU seconds per GB.
func clientPerGB(r phaseResult) float64 {
	if r.Bytes == 0 {
		return 0
	}
	return r.Driver.Seconds() / (float64(r.Bytes) / 1e9)
}

// perRequest is the records per Produce request the kgo client wrote.
func perRequest(r phaseResult) float64 {
	if r.Requests == 0 {
		return 0
	}
	return float64(r.Records) / float64(r.Requests)
}

// stallShare is the share of a kgo saturation phase the producing loop
// stalled (phaseResult.Stalled).
func stallShare(r phaseResult) float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return min(r.Stalled.Seconds()/r.Elapsed.Seconds(), 1)
}

// blockedShare is the part of stallShare with kgo's buffer full.
func blockedShare(r phaseResult) float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return min(r.Blocked.Seconds()/r.Elapsed.Seconds(), 1)
}

// stallCeiling is the highest throughput ratio any target can reach over
// a peer whose producing loop stalled for share of its phase: a target
// that never made the loop wait saves at most that time, 1/(1-share).
func stallCeiling(share float64) float64 {
	if share >= 1 {
		return 0
	}
	return 1 / (1 - share)
}

// cpuCeiling is the highest throughput ratio any target can reach over a
// peer that moved peerMBps when the client alone, at clientPerGB CPU
// seconds per GB, gets every one of cpus: a broker that cost nothing
// leaves the machine to the client and no more. 0 when undefined.
func cpuCeiling(cpus int, clientPerGB, peerMBps float64) float64 {
	if clientPerGB <= 0 || peerMBps <= 0 {
		return 0
	}
	return float64(cpus) / clientPerGB * 1000 / peerMBps
}

// sysPerGB is the kernel part of cpuPerGB.
func sysPerGB(r phaseResult) float64 {
	if r.Bytes == 0 {
		return 0
	}
	return r.CPUSys.Seconds() / (float64(r.Bytes) / 1e9)
}

// ratioTo is Gofka's value of f divided by target i's, 0 when undefined.
func (rep report) ratioTo(i int, sc scenario, f func(phaseResult) float64) float64 {
	b := rep.Results[i].phase(sc, f)
	if b == 0 {
		return 0
	}
	return rep.Results[0].phase(sc, f) / b
}

// names lists the target names.
func (rep report) names() []string {
	var out []string
	for _, r := range rep.Results {
		out = append(out, r.Target.Name)
	}
	return out
}

// row formats one markdown table row.
func row(cells ...string) string { return "| " + strings.Join(cells, " | ") + " |\n" }

// header formats a markdown header row and its rule; numeric columns are
// right-aligned.
func header(cells ...string) string {
	rule := make([]string, len(cells))
	for i := range rule {
		rule[i] = "---:"
	}
	rule[0] = "---"
	return row(cells...) + row(rule...)
}
