package main

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// quickResult is one quick measurement of one config on one target.
type quickResult struct {
	MBps      float64 // saturation throughput
	CPUPerGB  float64 // server CPU s per GB at saturation
	HalfP99   float64 // ms: produce p99 at half the saturation rate
	ClientGB  float64 // client (runner) CPU s per GB at saturation, kgo only
	PerReq    float64 // records per Produce request at saturation, kgo only
	OwnP99    float64 // ms: bound of the server's own Produce p99 at half load, -1 unknown
	HalfRate  float64 // records/s the half-load phase was paced at
	AnswerP99 float64 // ms: p99 of a Produce request's answer time at half load, client-seen
	Stall     float64 // share of the saturation phase the producing loop stalled, kgo only
	Blocked   float64 // the part of Stall with kgo's buffer full

	// -quick-both only.
	SysPerGB    float64 // the kernel part of CPUPerGB
	E2EP50      float64 // ms: produce call to the tailer's poll, median record
	FetchPerGB  float64 // Fetch responses the tailer read per GB produced
	FetchKB     float64 // mean Fetch response size, KB
	SwitchPerGB float64 // server context switches (all threads) per GB
	BothP99     float64 // ms: produce p99 while the consumer tails
}

// quickKind picks the phases of the quick mode.
type quickKind int

const (
	quickOff      quickKind = iota
	quickKgoKind            // -quick: kgo produce at saturation and half load
	quickRawKind            // -quick-raw: the raw produce phase
	quickBothKind           // -quick-both: the kgo both phase
)

// quickPhases is each kind's phase.
var quickPhases = map[quickKind]func(context.Context, target, config, settings, string) (quickResult, error){
	quickKgoKind: quickKgo, quickRawKind: quickRaw, quickBothKind: quickBoth,
}

// quickRun is the quick modes: only the produce phases (or the both
// phase) of every matching config, s.Runs times per target in alternating
// order, each on a fresh server after warm(s), printed as it goes with
// each config's medians at the end. quickRawKind runs the raw produce
// phase; quickKgoKind the kgo produce phase at saturation and then at half
// of that rate (the judged p99); quickBothKind the kgo both phase. It
// writes no report. A full run takes half an hour and throughput moves by
// about ±0.2 from run to run on a small VM, so this is the cheap way to
// A/B a change to the produce or fetch path: run it several times before
// and after, and look at CPU per GB first.
func quickRun(ctx context.Context, s settings, targets []target, tmp string, kind quickKind) error {
	res := map[string][]quickResult{} // "target|config" -> one per run
	var names []config
	for _, c := range configs() {
		if strings.Contains(c.String(), s.Match) {
			names = append(names, c)
		}
	}
	fmt.Printf("load average at the start: %s\n", loadAvg())
	for run := 1; run <= s.Runs; run++ {
		for _, c := range names {
			for _, i := range runOrder(len(targets), run) {
				q, err := quickPhases[kind](ctx, targets[i], c, s, tmp)
				if err != nil {
					return fmt.Errorf("bench: %s, %s: %w", targets[i].Name, c, err)
				}
				fmt.Printf("%-6s run %d  %-22s %s  (load %s)\n", targets[i].Name, run, c, q.line(kind), loadAvg())
				key := targets[i].Name + "|" + c.String()
				res[key] = append(res[key], q)
			}
		}
	}
	fmt.Printf("\nload average at the end: %s\nmedians of %d runs:\n", loadAvg(), s.Runs)
	for _, c := range names {
		med := func(t target) quickResult { return medianQuick(res[t.Name+"|"+c.String()]) }
		g := med(targets[0])
		line := fmt.Sprintf("%-22s %s %s", c, targets[0].Name, g.median(kind))
		for _, t := range targets[1:] {
			if m := med(t); m.MBps > 0 {
				line += fmt.Sprintf("  | %s %s | throughput %.2fx, CPU/GB %.2fx", t.Name, m.median(kind), g.MBps/m.MBps, g.CPUPerGB/m.CPUPerGB)
			}
		}
		fmt.Println(line)
	}
	return nil
}

// line is one run's figures.
func (q quickResult) line(kind quickKind) string {
	if kind == quickBothKind {
		return fmt.Sprintf("%7.1f MB/s  server CPU %.2f s/GB (kernel %.2f)  %.0f fetches/GB of %.1f KB  %.0f context switches/GB  produce p99 %.2f ms  e2e p50 %.0f ms", q.MBps, q.CPUPerGB, q.SysPerGB, q.FetchPerGB, q.FetchKB, q.SwitchPerGB, q.BothP99, q.E2EP50)
	}
	return fmt.Sprintf("%7.1f MB/s  server CPU %.2f s/GB  client CPU %.2f s/GB  %.0f records/request  producer stalled %.0f%% (buffer full %.0f%%)  half-load p99 %.2f ms",
		q.MBps, q.CPUPerGB, q.ClientGB, q.PerReq, 100*q.Stall, 100*q.Blocked, q.HalfP99)
}

// median is the summary of a config's medians.
func (q quickResult) median(kind quickKind) string {
	if kind == quickBothKind {
		return fmt.Sprintf("%.1f MB/s %.2f s/GB (kernel %.2f) %.0f fetches/GB of %.1f KB %.0f switches/GB p99 %.2f ms e2e p50 %.0f ms", q.MBps, q.CPUPerGB, q.SysPerGB, q.FetchPerGB, q.FetchKB, q.SwitchPerGB, q.BothP99, q.E2EP50)
	}
	return fmt.Sprintf("%.1f MB/s %.2f s/GB p99/2 %.2f ms at %.0f records/s (own <= %.2f ms, requests answered p99 %.2f ms) stalled %.0f%% (ceiling over it %.2fx)", q.MBps, q.CPUPerGB, q.HalfP99, q.HalfRate, q.OwnP99, q.AnswerP99, 100*q.Stall, stallCeiling(q.Stall))
}

// medianQuick is the median of each field over runs.
func medianQuick(qs []quickResult) quickResult {
	f := func(get func(quickResult) float64) float64 {
		var vs []float64
		for _, q := range qs {
			vs = append(vs, get(q))
		}
		return median(vs)
	}
	return quickResult{
		MBps: f(func(q quickResult) float64 { return q.MBps }), CPUPerGB: f(func(q quickResult) float64 { return q.CPUPerGB }),
		HalfP99: f(func(q quickResult) float64 { return q.HalfP99 }), OwnP99: f(func(q quickResult) float64 { return q.OwnP99 }),
		HalfRate: f(func(q quickResult) float64 { return q.HalfRate }), AnswerP99: f(func(q quickResult) float64 { return q.AnswerP99 }),
		FetchPerGB: f(func(q quickResult) float64 { return q.FetchPerGB }), FetchKB: f(func(q quickResult) float64 { return q.FetchKB }),
		SwitchPerGB: f(func(q quickResult) float64 { return q.SwitchPerGB }), BothP99: f(func(q quickResult) float64 { return q.BothP99 }),
		SysPerGB: f(func(q quickResult) float64 { return q.SysPerGB }), E2EP50: f(func(q quickResult) float64 { return q.E2EP50 }),
		Stall: f(func(q quickResult) float64 { return q.Stall }), Blocked: f(func(q quickResult) float64 { return q.Blocked }),
	}
}

// onFreshServer starts t, warms the memory, runs f on the server and stops
// it; an error from f comes with the server's log.
func onFreshServer(t target, s settings, tmp string, f func(srv *server) (quickResult, error)) (quickResult, error) {
	srv, err := t.start(tmp, s)
	if err != nil {
		return quickResult{}, err
	}
	defer srv.remove()
	defer srv.stop()
	if err := warm(s); err != nil {
		return quickResult{}, err
	}
	q, err := f(srv)
	if err != nil {
		return q, fmt.Errorf("%w\nserver log:\n%s", err, srv.logTail())
	}
	return q, nil
}

// quickRaw runs the raw produce phase on a fresh server, checking that
// every acknowledged record landed.
func quickRaw(ctx context.Context, t target, c config, s settings, tmp string) (quickResult, error) {
	return onFreshServer(t, s, tmp, func(srv *server) (quickResult, error) {
		cpu0, _, err := readCPUs(srv.Pid())
		if err != nil {
			return quickResult{}, err
		}
		r, err := rawProducePhase(ctx, srv.Addr, c, s)
		if err != nil {
			return quickResult{}, err
		}
		if r.Landed != int64(r.Records) {
			return quickResult{}, fmt.Errorf("bench: raw produce acknowledged %d records, end offsets sum to %d", r.Records, r.Landed)
		}
		cpu1, _, err := readCPUs(srv.Pid())
		r.CPU, r.CPUSys = cpu1.Total()-cpu0.Total(), cpu1.Sys-cpu0.Sys
		return quickResult{MBps: mbPerSec(r.Bytes, r.Elapsed), CPUPerGB: cpuPerGB(r)}, err
	})
}

// quickKgo produces with kgo on a fresh server at saturation for
// s.Duration and then at half the rate it reached, checking that the
// topic's end offsets sum to every record acknowledged.
func quickKgo(ctx context.Context, t target, c config, s settings, tmp string) (quickResult, error) {
	return onFreshServer(t, s, tmp, func(srv *server) (quickResult, error) {
		sat, half, err := kgoProducePhases(ctx, srv, c, s)
		q := quickResult{MBps: mbPerSec(sat.Bytes, sat.Elapsed), CPUPerGB: cpuPerGB(sat), HalfP99: ms(half.Produce.P99), OwnP99: half.BrokerP99, Stall: stallShare(sat), Blocked: blockedShare(sat)}
		q.ClientGB, q.PerReq = clientPerGB(sat), perRequest(sat) // 0 without requests
		q.HalfRate, q.AnswerP99 = recsPerSec(half), ms(half.Wire.Answer.P99)
		if half.Requests > 0 {
			fmt.Printf("   half load: %.0f records/s, %.0f records/request, client-seen p50 %.2f ms, p99 %.2f ms; server's own p99 <= %.2f ms\n",
				recsPerSec(half), float64(half.Records)/float64(half.Requests), ms(half.Produce.P50), ms(half.Produce.P99), half.BrokerP99)
			fmt.Printf("   half load, each request (client-seen p99 / p99.9): queued %.2f / %.2f ms, written %.2f / %.2f ms, answered %.2f / %.2f ms; threads waiting for a CPU: server %.2f, runner %.2f\n",
				ms(half.Wire.Queue.P99), ms(half.Wire.Queue.P999), ms(half.Wire.Write.P99), ms(half.Wire.Write.P999),
				ms(half.Wire.Answer.P99), ms(half.Wire.Answer.P999), half.SrvWait.Seconds()/half.Elapsed.Seconds(), half.DrvWait.Seconds()/half.Elapsed.Seconds())
		}
		return q, err
	})
}

// kgoProducePhases creates the bench topic on srv, warms up, produces at
// saturation for s.Duration (with the server's CPU) and then at half the
// rate reached, and checks that the end offsets sum to every record
// acknowledged.
func kgoProducePhases(ctx context.Context, srv *server, c config, s settings) (sat, half phaseResult, err error) {
	if err := createTopic(ctx, srv.Addr, benchTopic, c.Partitions); err != nil {
		return sat, half, err
	}
	p, err := newProducer(srv.Addr, benchTopic, c, s)
	if err != nil {
		return sat, half, err
	}
	defer p.close()
	p.srvPid = srv.Pid()
	w, err := p.produceCount(ctx, s.Warmup)
	if err != nil {
		return sat, half, fmt.Errorf("warm-up: %w", err)
	}
	cpu0, drv0, err := readCPUs(srv.Pid())
	if err != nil {
		return sat, half, err
	}
	if sat, err = p.produceDuration(ctx, s.Duration); err != nil {
		return sat, half, err
	}
	cpu1, drv1, err := readCPUs(srv.Pid())
	if err != nil {
		return sat, half, err
	}
	sat.CPU, sat.CPUSys, sat.Driver = cpu1.Total()-cpu0.Total(), cpu1.Sys-cpu0.Sys, drv1-drv0
	if err := warm(s); err != nil { // the saturation phase used up much of the pool
		return sat, half, err
	}
	hist0 := srv.produceHist()
	if half, err = p.produceRate(ctx, halfRate(s, sat), halfLoadDuration(s)); err != nil {
		return sat, half, err
	}
	half.BrokerP99 = bucketQuantile(hist0, srv.produceHist(), 0.99)
	want := int64(w.Records + sat.Records + half.Records)
	landed, err := endOffsetsSum(ctx, srv.Addr, benchTopic, want)
	if err != nil {
		return sat, half, err
	}
	if landed != want {
		return sat, half, fmt.Errorf("bench: produce acknowledged %d records, end offsets sum to %d", want, landed)
	}
	return sat, half, nil
}

// halfRate is the pace of the half-load phase after saturation phase sat:
// half the rate sat reached, or -half-rate for every target.
func halfRate(s settings, sat phaseResult) float64 {
	if s.HalfRate > 0 {
		return s.HalfRate
	}
	return recsPerSec(sat) / 2
}

// halfLoadDuration is the length of the half-load phase (-half-duration,
// or as long as a timed phase when 0). Its p99 is the records of the
// phase's slowest 1%: in 3 s that is 30 ms of records, so a single stall
// of the shared machine sets it; 10 s (the default) needs 100 ms of stalls.
func halfLoadDuration(s settings) time.Duration {
	if s.HalfDuration > 0 {
		return s.HalfDuration
	}
	return s.Duration
}

// quickBoth runs the kgo both phase on a fresh server after the warm-up
// records (and the -both-after steps): a kgo consumer tails the topic
// while the producer runs for s.Duration, and every record acknowledged
// must reach it.
func quickBoth(ctx context.Context, t target, c config, s settings, tmp string) (quickResult, error) {
	return onFreshServer(t, s, tmp, func(srv *server) (quickResult, error) {
		if err := createTopic(ctx, srv.Addr, benchTopic, c.Partitions); err != nil {
			return quickResult{}, err
		}
		p, err := newProducer(srv.Addr, benchTopic, c, s)
		if err != nil {
			return quickResult{}, err
		}
		defer p.close()
		w, err := p.produceCount(ctx, s.Warmup)
		if err != nil {
			return quickResult{}, fmt.Errorf("warm-up: %w", err)
		}
		if err := runBothAfter(ctx, srv, p, c, s, w.Records); err != nil {
			return quickResult{}, err
		}
		cpu0, _, err := readCPUs(srv.Pid())
		if err != nil {
			return quickResult{}, err
		}
		sw0 := contextSwitches(srv.Pid())
		r, err := produceAndConsume(ctx, srv.Addr, p, s.Duration)
		if err != nil {
			return quickResult{}, err
		}
		cpu1, _, err := readCPUs(srv.Pid())
		r.CPU, r.CPUSys = cpu1.Total()-cpu0.Total(), cpu1.Sys-cpu0.Sys
		gb := float64(r.Bytes) / 1e9
		q := quickResult{MBps: mbPerSec(r.Bytes, r.Elapsed), CPUPerGB: cpuPerGB(r), SysPerGB: sysPerGB(r), SwitchPerGB: float64(contextSwitches(srv.Pid())-sw0) / gb, BothP99: ms(r.Produce.P99), E2EP50: ms(r.E2E.P50)}
		if r.Fetches > 0 {
			q.FetchPerGB, q.FetchKB = float64(r.Fetches)/gb, float64(r.FetchBytes)/float64(r.Fetches)/1e3
		}
		return q, err
	})
}
