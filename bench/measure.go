package main

import (
	"context"
	"fmt"
	"os"
	"time"
)

// benchTopic is the topic every target is driven on.
const benchTopic = "bench"

// result is everything measured for one target.
type result struct {
	Target   target
	Produce  produceResult
	Consume  consumeResult
	Mem      memStatus     // peak VmHWM and the highest VmRSS seen
	EndRSS   int64         // VmRSS after consuming, before SIGTERM
	CPUProd  time.Duration // server CPU (user+system) during the timed produce
	CPUCons  time.Duration // server CPU during the consume
	DrvProd  time.Duration // load driver (this process) CPU during the timed produce
	DrvCons  time.Duration // load driver CPU during the consume
	DiskSize int64         // bytes in the data dir after shutdown
	Exit     string        // how the process ended on SIGTERM
}

// measure starts t, drives it and stops it.
func measure(ctx context.Context, t target, s settings, tmp string) (result, error) {
	srv, err := t.start(tmp)
	if err != nil {
		return result{}, err
	}
	smp := startSampler(srv.Pid(), 100*time.Millisecond)
	r, err := drive(ctx, srv, s)
	r.Target = t
	r.Mem = smp.stop()
	if end, merr := readMem(srv.Pid()); merr == nil {
		r.EndRSS = end.RSS
		r.Mem.HWM = max(r.Mem.HWM, end.HWM)
	}
	r.Exit = srv.stop()
	r.DiskSize = dirSize(srv.DataDir)
	if err != nil {
		return r, fmt.Errorf("%w\nserver log:\n%s", err, srv.logTail())
	}
	fmt.Printf("   server: %s\n", r.Exit)
	srv.remove()
	return r, nil
}

// drive creates the topic, warms up, runs the timed produce and then
// consumes everything back, reading the server's CPU between phases.
func drive(ctx context.Context, srv *server, s settings) (result, error) {
	var r result
	if err := createTopic(ctx, srv.Addr, benchTopic, s.Partitions); err != nil {
		return r, err
	}
	p, err := newProducer(srv.Addr, benchTopic, s)
	if err != nil {
		return r, err
	}
	defer p.close()
	if _, err := p.run(ctx, s.Warmup); err != nil {
		return r, fmt.Errorf("warm-up: %w", err)
	}
	cpu0, drv0, err := readCPUs(srv.Pid())
	if err != nil {
		return r, err
	}
	if r.Produce, err = p.run(ctx, s.Records); err != nil {
		return r, err
	}
	cpu1, drv1, err := readCPUs(srv.Pid())
	if err != nil {
		return r, err
	}
	fmt.Printf("   produce: %.0f records/s, %.1f MB/s\n", perSec(r.Produce.Records, r.Produce.Elapsed), mbPerSec(r.Produce.Bytes, r.Produce.Elapsed))
	cctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	if r.Consume, err = consumeAll(cctx, srv.Addr, benchTopic, s.Warmup+s.Records); err != nil {
		return r, err
	}
	cpu2, drv2, err := readCPUs(srv.Pid())
	if err != nil {
		return r, err
	}
	r.CPUProd, r.CPUCons = cpu1-cpu0, cpu2-cpu1
	r.DrvProd, r.DrvCons = drv1-drv0, drv2-drv1
	fmt.Printf("   consume: %.0f records/s, %.1f MB/s\n", perSec(r.Consume.Records, r.Consume.Elapsed), mbPerSec(r.Consume.Bytes, r.Consume.Elapsed))
	return r, nil
}

// readCPUs reads the CPU time of the server and of this process.
func readCPUs(pid int) (server, driver time.Duration, err error) {
	if server, err = readCPU(pid); err != nil {
		return 0, 0, err
	}
	driver, err = readCPU(os.Getpid())
	return server, driver, err
}

func perSec(n int, d time.Duration) float64 { return float64(n) / d.Seconds() }

// mbPerSec is throughput in MB/s, 1 MB = 10^6 bytes.
func mbPerSec(b int64, d time.Duration) float64 { return float64(b) / 1e6 / d.Seconds() }
