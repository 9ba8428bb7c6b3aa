package main

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// bothSteps are the steps -both-after accepts: the phases the full run
// puts before the kgo both phase, and the memory warm-up.
var bothSteps = []string{"raw-produce", "raw-both", "warm", "produce", "half", "consume", "raw-fetch"}

// checkBothAfter rejects a -both-after step that is not in bothSteps.
func checkBothAfter(steps []string) error {
	for _, st := range steps {
		if !slices.Contains(bothSteps, st) {
			return fmt.Errorf("%w: -both-after: unknown step %q (known: %v)", errBadFlag, st, bothSteps)
		}
	}
	return nil
}

// runBothAfter runs s.BothAfter on srv, whose bench topic holds the
// warmup records p produced, so -quick-both can measure the both phase
// after what precedes it in the full run. Each step says how long it
// took and how much free memory the guest handed back to the host
// meanwhile (memwarm.go), the pages a later write must fault in again.
func runBothAfter(ctx context.Context, srv *server, p *producer, c config, s settings, warmup int) error {
	total, rate := warmup, 0.0
	for _, st := range s.BothAfter {
		start, rep0 := time.Now(), reportedKiB()
		var r phaseResult
		var err error
		switch st {
		case "raw-produce":
			r, err = rawProducePhase(ctx, srv.Addr, c, s)
		case "raw-both":
			r, err = rawBothPhase(ctx, srv.Addr, c, s)
		case "warm":
			err = warm(s)
		case "produce":
			r, err = p.produceDuration(ctx, s.Duration)
			rate, total = halfRate(s, r), total+r.Records
		case "half":
			if rate == 0 {
				return fmt.Errorf("%w: -both-after: half needs a produce step before it", errBadFlag)
			}
			r, err = p.produceRate(ctx, rate, halfLoadDuration(s))
			total += r.Records
		case "consume":
			r, err = consumeAll(ctx, srv.Addr, benchTopic, total)
		case "raw-fetch":
			r, err = rawFetchAll(ctx, srv.Addr, benchTopic, c.Partitions, total, c.Size)
		}
		if err != nil {
			return fmt.Errorf("-both-after %s: %w", st, err)
		}
		fmt.Printf("   %-11s %4.1f s  %7.1f MB/s  guest memory handed back to the host meanwhile: %s\n", st, time.Since(start).Seconds(), mbPerSec(r.Bytes, r.Elapsed), reportedSince(rep0))
	}
	return nil
}

// reportedSince formats the free memory reported to the host since rep0
// (a reportedKiB value).
func reportedSince(rep0 int64) string {
	if rep0 < 0 {
		return "unknown"
	}
	return fmt.Sprintf("%d MiB", (reportedKiB()-rep0)>>10)
}
