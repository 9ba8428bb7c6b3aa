package main

import (
	"context"
	"fmt"
	"strings"
)

// quickRun is the -quick mode: only the raw produce phase of every
// matching config, s.Runs times per target in alternating order, each on
// a fresh server after warm(s), printed as it goes with each config's
// median ratio at the end. It writes no report. A full run takes half an
// hour and the produce ratios move by about ±0.2 from run to run on a
// small VM, so this is the cheap way to A/B a change to the produce path:
// run it several times before and after.
func quickRun(ctx context.Context, s settings, targets []target, tmp string) error {
	mbps := map[string][]float64{} // "target|config" -> MB/s per run
	var names []config
	for _, c := range configs() {
		if strings.Contains(c.String(), s.Match) {
			names = append(names, c)
		}
	}
	for run := 1; run <= s.Runs; run++ {
		for _, c := range names {
			for _, i := range runOrder(len(targets), run) {
				r, err := quickPhase(ctx, targets[i], c, s, tmp)
				if err != nil {
					return fmt.Errorf("bench: %s, %s: %w", targets[i].Name, c, err)
				}
				v := mbPerSec(r.Bytes, r.Elapsed)
				fmt.Printf("%-6s run %d  %-22s %7.1f MB/s  server CPU %.2f s/GB (kernel %.2f)\n",
					targets[i].Name, run, c, v, cpuPerGB(r), sysPerGB(r))
				key := targets[i].Name + "|" + c.String()
				mbps[key] = append(mbps[key], v)
			}
		}
	}
	fmt.Println()
	for _, c := range names {
		line := fmt.Sprintf("%-22s", c)
		first := median(mbps[targets[0].Name+"|"+c.String()])
		for _, t := range targets[1:] {
			if m := median(mbps[t.Name+"|"+c.String()]); m > 0 {
				line += fmt.Sprintf("  %s/%s %.2f", targets[0].Name, t.Name, first/m)
			}
		}
		fmt.Println(line)
	}
	return nil
}

// quickPhase starts t, warms the memory, runs the raw produce phase and
// stops it, checking that every acknowledged record landed.
func quickPhase(ctx context.Context, t target, c config, s settings, tmp string) (phaseResult, error) {
	srv, err := t.start(tmp, s)
	if err != nil {
		return phaseResult{}, err
	}
	defer srv.remove()
	defer srv.stop()
	if err := warm(s); err != nil {
		return phaseResult{}, err
	}
	cpu0, _, err := readCPUs(srv.Pid())
	if err != nil {
		return phaseResult{}, err
	}
	r, err := rawProducePhase(ctx, srv.Addr, c, s)
	if err != nil {
		return r, fmt.Errorf("%w\nserver log:\n%s", err, srv.logTail())
	}
	if r.Landed != int64(r.Records) {
		return r, fmt.Errorf("bench: raw produce acknowledged %d records, end offsets sum to %d", r.Records, r.Landed)
	}
	cpu1, _, err := readCPUs(srv.Pid())
	r.CPU, r.CPUSys = cpu1.Total()-cpu0.Total(), cpu1.Sys-cpu0.Sys
	return r, err
}
