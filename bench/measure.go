package main

import (
	"context"
	"fmt"
	"os"
	"time"
)

// benchTopic is the topic every target is driven on.
const benchTopic = "bench"

// configResult is the three phases of one config on one target, run on
// one server process.
type configResult struct {
	Phases [numModes]phaseResult // indexed by mode
	HWM    int64                 // VmHWM of the process at the end
	Exit   string                // how the process ended on SIGTERM
}

// measureConfig starts t, runs warm-up, produce, consume, raw fetch, both
// and raw produce, and stops it.
func measureConfig(ctx context.Context, t target, c config, s settings, tmp string) (configResult, error) {
	srv, err := t.start(tmp, s)
	if err != nil {
		return configResult{}, err
	}
	smp := startSampler(srv.Pid(), 50*time.Millisecond)
	var r configResult
	err = drive(ctx, srv, smp, c, s, &r)
	srv.saveAllocs(s, c)
	smp.stop()
	if m, merr := readMem(srv.Pid()); merr == nil {
		r.HWM = m.HWM
	}
	r.Exit = srv.stop()
	if err != nil {
		return r, fmt.Errorf("%w\nserver log:\n%s", err, srv.logTail())
	}
	srv.remove()
	return r, nil
}

// drive runs the phases of one config against a started server.
func drive(ctx context.Context, srv *server, smp *sampler, c config, s settings, r *configResult) error {
	ph := phaser{srv: srv, smp: smp, s: s, c: c}
	cctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	if err := warm(s); err != nil {
		return err
	}
	if err := driveRaw(cctx, ph, srv.Addr, r); err != nil {
		return err
	}
	if err := warm(s); err != nil {
		return err
	}
	if err := createTopic(ctx, srv.Addr, benchTopic, c.Partitions); err != nil {
		return err
	}
	p, err := newProducer(srv.Addr, benchTopic, c, s)
	if err != nil {
		return err
	}
	defer p.close()
	p.srvPid = srv.Pid()
	wu, err := p.produceCount(ctx, s.Warmup)
	if err != nil {
		return fmt.Errorf("warm-up: %w", err)
	}
	if r.Phases[modeProduce], err = ph.run(modeProduce, func() (phaseResult, error) { return p.produceDuration(ctx, s.Duration) }); err != nil {
		return err
	}
	half := halfRate(s, r.Phases[modeProduce])
	if err := warm(s); err != nil { // produce wrote up to 3 GB of the pool, half load writes for longer
		return err
	}
	if r.Phases[modeHalf], err = ph.run(modeHalf, func() (phaseResult, error) { return p.produceRate(ctx, half, halfLoadDuration(s)) }); err != nil {
		return err
	}
	total := wu.Records + r.Phases[modeProduce].Records + r.Phases[modeHalf].Records
	if r.Phases[modeConsume], err = ph.run(modeConsume, func() (phaseResult, error) { return consumeAll(cctx, srv.Addr, benchTopic, total) }); err != nil {
		return err
	}
	if r.Phases[modeRaw], err = ph.run(modeRaw, func() (phaseResult, error) {
		return rawFetchAll(cctx, srv.Addr, benchTopic, c.Partitions, total, c.Size)
	}); err != nil {
		return err
	}
	// consume and raw fetch wrote nothing for 10-30 s while the guest
	// handed the warmed pages back to the host (memwarm.go): warm again,
	// so both writes into the same kind of pages as the produce phase.
	if err := warm(s); err != nil {
		return err
	}
	r.Phases[modeBoth], err = ph.run(modeBoth, func() (phaseResult, error) { return produceAndConsume(cctx, srv.Addr, p, s.Duration) })
	return err
}

// driveRaw runs the raw produce and raw both phases, first on a fresh
// server: they write the most and are what the produce and both
// scenarios are judged on, so they get the memory the runner warmed
// (memwarm.go) rather than what the kgo phases left of it. Each starts
// right after a warm-up of its own: raw produce writes up to 6 GB.
func driveRaw(ctx context.Context, ph phaser, addr string, r *configResult) error {
	var err error
	r.Phases[modeRawProduce], err = ph.run(modeRawProduce, func() (phaseResult, error) { return rawProducePhase(ctx, addr, ph.c, ph.s) })
	if rp := r.Phases[modeRawProduce]; err == nil && rp.Landed != int64(rp.Records) {
		fmt.Printf("   FAIL: raw produce acknowledged %d records, end offsets sum to %d\n", rp.Records, rp.Landed)
	}
	if err != nil {
		return err
	}
	if err := warm(ph.s); err != nil { // raw produce used up much of the pool
		return err
	}
	r.Phases[modeRawBoth], err = ph.run(modeRawBoth, func() (phaseResult, error) { return rawBothPhase(ctx, addr, ph.c, ph.s) })
	return err
}

// produceAndConsume produces for d while a consumer tails the topic; the
// phase ends when the consumer has every record.
func produceAndConsume(ctx context.Context, addr string, p *producer, d time.Duration) (phaseResult, error) {
	t, err := startTailer(ctx, addr, benchTopic)
	if err != nil {
		return phaseResult{}, err
	}
	p.stamp = true
	defer func() { p.stamp = false }()
	start := time.Now()
	r, perr := p.produceDuration(ctx, d)
	e2e, terr := t.finish(r.Records)
	r.Elapsed = time.Since(start)
	r.E2E = e2e
	r.Fetches, r.FetchBytes = t.fetches.Load(), t.fetchBytes.Load()
	if perr != nil {
		return r, perr
	}
	return r, terr
}

// phaser measures the server around one phase: CPU, peak RSS, allocations.
type phaser struct {
	srv *server
	smp *sampler
	s   settings
	c   config
}

func (ph phaser) run(m mode, f func() (phaseResult, error)) (phaseResult, error) {
	cpu0, drv0, err := readCPUs(ph.srv.Pid())
	if err != nil {
		return phaseResult{}, err
	}
	mallocs0 := ph.srv.mallocs()
	hist0 := ph.srv.produceHist()
	ph.smp.resetPeak()
	prof := ph.srv.startProfile(ph.s, scenario{config: ph.c, Mode: m})
	r, err := f()
	prof.wait()
	if err != nil {
		return r, fmt.Errorf("%s: %w", m, err)
	}
	cpu1, drv1, err := readCPUs(ph.srv.Pid())
	if err != nil {
		return r, err
	}
	r.CPU, r.CPUSys, r.Driver = cpu1.Total()-cpu0.Total(), cpu1.Sys-cpu0.Sys, drv1-drv0
	r.PeakRSS = ph.smp.resetPeak()
	r.BrokerP99 = bucketQuantile(hist0, ph.srv.produceHist(), 0.99)
	if mallocs1 := ph.srv.mallocs(); mallocs0 >= 0 && mallocs1 >= 0 && r.Records > 0 {
		r.Allocs = float64(mallocs1-mallocs0) / float64(r.Records)
	} else {
		r.Allocs = -1
	}
	fmt.Printf("   %-8s %9.0f records/s %7.1f MB/s  p99 %6.2f ms  e2e p99 %6.2f ms  cpu %.2fs (%.2f s/GB, kernel %.2f)  rss %.1f MiB\n",
		m, perSec(r.Records, r.Elapsed), mbPerSec(r.Bytes, r.Elapsed), ms(r.Produce.P99), ms(r.E2E.P99),
		r.CPU.Seconds(), cpuPerGB(r), sysPerGB(r), float64(r.PeakRSS)/(1<<20))
	return r, nil
}

// readCPUs reads the CPU time of the server and of this process.
func readCPUs(pid int) (server cpuTime, driver time.Duration, err error) {
	if server, err = readCPU(pid); err != nil {
		return cpuTime{}, 0, err
	}
	d, err := readCPU(os.Getpid())
	return server, d.Total(), err
}

func perSec(n int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

// mbPerSec is throughput in MB/s, 1 MB = 10^6 bytes.
func mbPerSec(b int64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(b) / 1e6 / d.Seconds()
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
