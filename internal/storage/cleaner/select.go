package cleaner

import (
	"fmt"
	"math"
	"sync/atomic"

	"github.com/gofka/gofka/internal/storage"
	"github.com/gofka/gofka/internal/storage/checkpoint"
)

// cleanOnce grabs the filthiest log, cleans it and writes the checkpoint.
func (c *Cleaner) cleanOnce(w *worker) (bool, error) {
	nowMs := c.cfg.Now().UnixMilli()
	l, pol, p, abort := c.grabFilthiest(nowMs)
	if l == nil {
		return false, nil
	}
	defer c.release(l.TopicPartition())
	ps := &pass{w: w, l: l, pol: pol, p: p, nowMs: nowMs, txnData: map[int64]bool{}, abort: abort}
	err := ps.run()
	w.dropLargeMap()
	c.mu.Lock()
	c.mu.last = ps.stats
	c.mu.passes++
	if err == nil {
		c.mu.horizons[l.TopicPartition()] = ps.stats.LatestDeleteHorizon
		c.mu.open[l.TopicPartition()] = openTxn{first: ps.scan, leo: p.leo}
	}
	c.mu.Unlock()
	if err != nil {
		return true, fmt.Errorf("cleaner: clean %s: %w", l.TopicPartition(), err)
	}
	c.cfg.Logger.Info("cleaner: cleaned log", "partition", l.TopicPartition().String(),
		"read", ps.stats.BytesRead, "written", ps.stats.BytesWritten, "end", ps.stats.EndOffset)
	if c.src.Checkpoint != nil {
		return true, c.src.Checkpoint()
	}
	return true, nil
}

// grabFilthiest picks the eligible log with the highest dirty ratio, or
// else one whose tombstones' delete horizon passed, and marks it busy, as
// Kafka's grabFilthiestCompactedLog does.
func (c *Cleaner) grabFilthiest(nowMs int64) (*storage.Log, Policy, *plan, *atomic.Bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var best, expired *storage.Log
	var bestPol, expPol Policy
	var bestPlan, expPlan *plan
	for _, l := range c.src.Logs() {
		tp := l.TopicPartition()
		pol, ok := c.src.Policy(l)
		if !ok || c.mu.busy[tp] != nil || c.mu.paused[tp] > 0 {
			continue
		}
		pol = pol.normalized()
		p := newPlan(l, pol, nowMs, c.stableBoundLocked(l))
		if p.eligible(pol) && (best == nil || p.ratio() > bestPlan.ratio()) {
			best, bestPol, bestPlan = l, pol, p
		} else if hz, ok := c.mu.horizons[tp]; ok && hz >= 0 && hz <= nowMs && expired == nil {
			expired, expPol, expPlan = l, pol, p
		}
	}
	if best == nil {
		best, bestPol, bestPlan = expired, expPol, expPlan
	}
	if best == nil {
		return nil, bestPol, nil, nil
	}
	abort := new(atomic.Bool)
	c.mu.busy[best.TopicPartition()] = abort
	return best, bestPol, bestPlan, abort
}

// stableBoundLocked is the offset cleaning must stop before for open
// transactions: the last stable offset, or else the first open
// transaction of the last pass while nothing was appended since.
func (c *Cleaner) stableBoundLocked(l *storage.Log) int64 {
	bound := int64(math.MaxInt64)
	if c.src.StableOffset != nil {
		bound = c.src.StableOffset(l)
	}
	if o, ok := c.mu.open[l.TopicPartition()]; ok && o.leo == l.LogEndOffset() {
		bound = min(bound, o.first)
	}
	return bound
}

func (c *Cleaner) release(tp checkpoint.TopicPartition) {
	c.mu.Lock()
	delete(c.mu.busy, tp)
	c.mu.done.Broadcast()
	c.mu.Unlock()
}

// Pause aborts a pass over tp (its cleaned files are discarded), waits for
// it to stop and keeps tp from being cleaned until the returned resume is
// called, as Kafka's abortAndPauseCleaning (log dir moves, deletion).
func (c *Cleaner) Pause(tp checkpoint.TopicPartition) (resume func()) {
	c.mu.Lock()
	c.mu.paused[tp]++
	if a := c.mu.busy[tp]; a != nil {
		a.Store(true)
	}
	for c.mu.busy[tp] != nil {
		c.mu.done.Wait()
	}
	c.mu.Unlock()
	return func() {
		c.mu.Lock()
		if c.mu.paused[tp]--; c.mu.paused[tp] <= 0 {
			delete(c.mu.paused, tp)
		}
		c.mu.Unlock()
	}
}

// normalized fills Kafka's defaults for unset sizes.
func (p Policy) normalized() Policy {
	if p.SegmentBytes <= 0 {
		p.SegmentBytes = storage.DefaultSegmentBytes
	}
	if p.SegmentIndexBytes <= 0 {
		p.SegmentIndexBytes = storage.DefaultSegmentIndexBytes
	}
	return p
}
