package main

import (
	"fmt"
	"strings"
)

// goal is one target of the issue, measured in this run.
type goal struct {
	Name     string
	Measured string
	Target   string
	Pass     bool
	Known    bool // false when the run had nothing to measure it with
}

// goals evaluates every target against the results.
func (rep report) goals() []goal {
	g := rep.Results[0]
	gs := []goal{rep.ratioGoal()}
	gs = append(gs, rep.diskGoal())
	best := func(size int, m mode, f func(phaseResult) float64) (float64, scenario) {
		var v float64
		var at scenario
		for _, sc := range rep.scenarios() {
			if sc.Size == size && sc.Mode == m {
				if x := g.phase(sc, f); x > v {
					v, at = x, sc
				}
			}
		}
		return v, at
	}
	cons, at := best(1024, modeConsume, phaseMBps)
	gs = append(gs, goal{"consume from page cache, kgo consumer (best 1 KiB consume scenario)", fmt.Sprintf("%.0f MB/s (%s)", cons, at), ">= 1000 MB/s", cons >= 1000, cons > 0})
	raw, at := rep.bestRaw(1024)
	gs = append(gs, goal{"consume from page cache, raw Fetch requests (best 1 KiB config)", fmt.Sprintf("%.0f MB/s (%s)", raw, at.config), ">= 1000 MB/s", raw >= 1000, raw > 0})
	recs, at := best(100, modeProduce, recsPerSec)
	gs = append(gs, goal{"100 B records produced with batching (best 100 B produce scenario)", fmt.Sprintf("%.0f records/s (%s)", recs, at), ">= 1,000,000 records/s", recs >= 1e6, recs > 0})
	hwm, c := g.peakHWM()
	gs = append(gs, goal{"broker peak RSS at saturation (VmHWM, worst config)", fmt.Sprintf("%.1f MiB (%s)", float64(hwm)/(1<<20), c), "< 64 MiB", hwm < 64<<20, hwm > 0})
	idle := g.start(func(s startup) float64 { return float64(s.IdleRSS) / (1 << 20) })
	gs = append(gs, goal{"broker idle RSS (after a little traffic)", fmt.Sprintf("%.1f MiB", idle), "< 20 MiB", idle < 20, idle > 0})
	cold := g.start(func(s startup) float64 { return ms(s.FirstAck) })
	gs = append(gs, goal{"cold start: exec to first acknowledged produce", fmt.Sprintf("%.1f ms", cold), "< 100 ms", cold < 100, cold > 0})
	return gs
}

// ratioGoal: Gofka at least 1.5x kfake's MB/s in every scenario.
func (rep report) ratioGoal() goal {
	gl := goal{Name: "Gofka/kfake throughput, every scenario (worst shown)", Target: ">= 1.50 in all", Pass: true}
	if len(rep.Results) < 2 {
		return gl
	}
	worst, passed, n := 0.0, 0, 0
	var at scenario
	for _, sc := range rep.scenarios() {
		r := rep.ratioTo(1, sc, phaseMBps)
		n++
		if r >= 1.5 {
			passed++
		}
		if n == 1 || r < worst {
			worst, at = r, sc
		}
	}
	gl.Known = n > 0
	gl.Pass = passed == n
	gl.Measured = fmt.Sprintf("%.2f (%s); %d of %d scenarios pass", worst, at, passed, n)
	return gl
}

// diskGoal: best 1 KiB produce at 70% of the raw 1 KiB append probe.
func (rep report) diskGoal() goal {
	gl := goal{Name: "1 KiB produce / raw 1 KiB-append bandwidth (best 1 KiB produce scenario)", Target: ">= 0.70"}
	if len(rep.Disk) == 0 || rep.Disk[0].MBps() == 0 {
		return gl
	}
	var v float64
	var at scenario
	for _, sc := range rep.scenarios() {
		if sc.Size == 1024 && sc.Mode == modeProduce {
			if x := rep.Results[0].phase(sc, phaseMBps); x > v {
				v, at = x, sc
			}
		}
	}
	r := v / rep.Disk[0].MBps()
	gl.Known, gl.Pass = v > 0, r >= 0.7
	gl.Measured = fmt.Sprintf("%.2f (%.0f of %.0f MB/s; %s)", r, v, rep.Disk[0].MBps(), at)
	return gl
}

// targetsTable renders the goals.
func (rep report) targetsTable() string {
	var b strings.Builder
	b.WriteString(row("target", "measured", "goal", "result"))
	b.WriteString(row("---", "---", "---", "---"))
	for _, g := range rep.goals() {
		res := passMark(g.Pass)
		if !g.Known {
			res, g.Measured = "not measured", "-"
		}
		b.WriteString(row(g.Name, g.Measured, g.Target, res))
	}
	return b.String()
}

// bestRaw is Gofka's best raw fetch MB/s over the configs of one size.
func (rep report) bestRaw(size int) (float64, scenario) {
	var v float64
	var at scenario
	for _, sc := range rep.scenarios() {
		if sc.Size == size && sc.Mode == modeConsume {
			raw := scenario{config: sc.config, Mode: modeRaw}
			if x := rep.Results[0].phase(raw, phaseMBps); x > v {
				v, at = x, raw
			}
		}
	}
	return v, at
}
