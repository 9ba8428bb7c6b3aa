package main

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// errCountMismatch means the consumer read back a different number of
// records than were acknowledged.
var errCountMismatch = errors.New("bench: consumed record count differs from produced")

// createTopic creates topic with the given partitions (replication 1),
// retrying while the broker is still starting.
func createTopic(ctx context.Context, addr, topic string, partitions int32) error {
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr))
	if err != nil {
		return fmt.Errorf("bench: client: %w", err)
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, err = adm.CreateTopic(ctx, partitions, 1, nil, topic)
		if err == nil || errors.Is(err, kerr.TopicAlreadyExists) || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err != nil && !errors.Is(err, kerr.TopicAlreadyExists) {
		return fmt.Errorf("bench: create topic %s: %w", topic, err)
	}
	return nil
}

// producer sends records of random bytes. kgo's MaxBufferedRecords bounds
// the records in flight: Produce blocks while the buffer is full.
type producer struct {
	cl    *kgo.Client
	size  int
	pool  []byte      // random bytes; unstamped values are windows into it
	free  chan []byte // recycled stamped values
	stamp bool        // values start with the send time, for end-to-end latency
	paced bool        // produceRate: stop may sleep before a record
	hist  *histogram  // produce latency of the current phase
	acked atomic.Int64
	err   atomic.Pointer[error]
	reqs  reqCounter // Produce requests written
	wire  wireTimer  // each Produce request's time on the connection, as kgo saw it
	max   int        // kgo MaxBufferedRecords
	// srvPid, when set, is the server's process: produceRate reads how
	// long its threads waited for a CPU.
	srvPid int
}

// reqCounter counts the Produce requests a kgo client writes (a
// kgo.HookBrokerWrite), so a phase can report records per request: how
// much the client batched, which sets its own cost per record.
type reqCounter struct{ n atomic.Int64 }

func (c *reqCounter) OnBrokerWrite(_ kgo.BrokerMetadata, key int16, _ int, _, _ time.Duration, err error) {
	if key == 0 && err == nil {
		c.n.Add(1)
	}
}

// bufferedRecords is the in-flight limit in records for a value size.
func bufferedRecords(s settings, size int) int { return max(s.InFlightBytes/size, 64) }

func newProducer(addr, topic string, c config, s settings) (*producer, error) {
	acks := kgo.LeaderAck()
	if c.Acks == -1 {
		acks = kgo.AllISRAcks()
	}
	n := bufferedRecords(s, c.Size)
	p := new(producer)
	cl, err := kgo.NewClient(
		kgo.WithHooks(&p.reqs, &p.wire),
		kgo.SeedBrokers(addr),
		kgo.DefaultProduceTopic(topic),
		kgo.RequiredAcks(acks),
		kgo.DisableIdempotentWrite(),
		kgo.MaxProduceRequestsInflightPerBroker(s.Requests),
		kgo.ProducerLinger(s.Linger),
		kgo.ProducerBatchCompression(kgo.NoCompression()),
		kgo.MaxBufferedRecords(n),
	)
	if err != nil {
		return nil, fmt.Errorf("bench: producer: %w", err)
	}
	pool := make([]byte, 1<<20+c.Size)
	_, _ = rand.Read(pool)
	p.cl, p.size, p.pool, p.free, p.hist, p.max = cl, c.Size, pool, make(chan []byte, n+64), new(histogram), n
	return p, nil
}

func (p *producer) close() { p.cl.Close() }

// value returns record i's value: size random bytes, and when stamping,
// the send time in its first 8 bytes.
func (p *producer) value(i int, now time.Time) []byte {
	off := (i * 4099) % (len(p.pool) - p.size)
	if !p.stamp {
		return p.pool[off : off+p.size]
	}
	var v []byte
	select {
	case v = <-p.free:
	default:
		v = append([]byte(nil), p.pool[off:off+p.size]...)
	}
	binary.LittleEndian.PutUint64(v, uint64(now.UnixNano()))
	return v
}

// promise is called by kgo once per record.
func (p *producer) promise(r *kgo.Record, err error) {
	if err != nil {
		p.err.CompareAndSwap(nil, &err)
	}
	p.hist.record(time.Since(r.Timestamp))
	p.acked.Add(1)
	if p.stamp {
		select {
		case p.free <- r.Value:
		default:
		}
	}
}

// phaseResult is one timed phase on one target.
type phaseResult struct {
	Records int
	Bytes   int64 // value bytes
	Elapsed time.Duration
	Produce latencies     // produce: Produce call to promise, per record
	Wire    wireLatencies // kgo produce: each Produce request's times on the connection
	// SrvWait and DrvWait are how long the server's and the runner's
	// threads waited on a run queue for a CPU during a paced phase, summed
	// over threads (/proc/PID/task/*/schedstat), 0 unknown.
	SrvWait, DrvWait time.Duration
	E2E              latencies     // both: Produce call to the consumer's poll, per record
	CPU              time.Duration // server CPU, user and kernel
	CPUSys           time.Duration // server CPU in the kernel
	Driver           time.Duration // load driver CPU
	PeakRSS          int64         // highest VmRSS sampled during the phase
	Allocs           float64       // server heap allocations per record, when known
	Landed           int64         // raw produce: the topic's end offsets summed after the phase
	Requests         int64         // kgo produce: Produce requests the client wrote
	BrokerP99        float64       // ms: bound of the server's own Produce p99 (its request histogram), -1 unknown
	Fetches          int64         // both: Fetch responses the tailer read
	FetchBytes       int64         // both: their size on the wire
	// Stalled is how long the kgo producing loop was not handing records
	// to kgo at saturation: passes of stallMin or more, and the final wait
	// for the last acknowledgements. With a broker that never made the
	// client wait, the loop would have saved at most this much.
	Stalled time.Duration
	// Blocked is the part of Stalled spent with kgo's buffer full, so
	// waiting for acknowledgements; the rest waited for a CPU.
	Blocked time.Duration
}

// produceFor produces until stop says so and waits for every
// acknowledgement; it returns the count, bytes, wall time and latencies.
func (p *producer) produceFor(ctx context.Context, stop func(i int, now time.Time) bool) (phaseResult, error) {
	p.hist = new(histogram)
	p.wire.reset()
	p.acked.Store(0)
	reqs0 := p.reqs.n.Load()
	start := time.Now()
	n := 0
	var stalled, blocked time.Duration
	prev, full := start, false
	for now := start; !stop(n, now) && ctx.Err() == nil; now = time.Now() {
		if p.paced { // stop may have slept: the record is sent now
			now = time.Now()
		} else if d := now.Sub(prev); d >= stallMin {
			stalled += d
			if full {
				blocked += d
			}
		}
		prev = now
		full = int64(n)-p.acked.Load() >= int64(p.max)
		p.cl.Produce(ctx, &kgo.Record{Value: p.value(n, now), Timestamp: now}, p.promise)
		n++
	}
	if err := p.cl.Flush(ctx); err != nil {
		return phaseResult{}, fmt.Errorf("bench: produce: %w", err)
	}
	elapsed := time.Since(start)
	tail := elapsed - prev.Sub(start) // the last pass and the wait for acknowledgements
	stalled, blocked = stalled+tail, blocked+tail
	if e := p.err.Load(); e != nil {
		return phaseResult{}, fmt.Errorf("bench: produce: %w", *e)
	}
	if got := p.acked.Load(); got != int64(n) {
		return phaseResult{}, fmt.Errorf("bench: produce: %d of %d records acknowledged", got, n)
	}
	r := phaseResult{Records: n, Bytes: int64(n) * int64(p.size), Elapsed: elapsed, Produce: p.hist.summary(), Wire: p.wire.summary(), Requests: p.reqs.n.Load() - reqs0}
	if !p.paced {
		r.Stalled, r.Blocked = stalled, blocked
	}
	return r, nil
}

// stallMin is the shortest pass of the producing loop counted as a stall:
// one record takes about a microsecond to hand to kgo, so a pass of
// 100 us or more was blocked in Produce on a full buffer (waiting for the
// broker to acknowledge) or waited for a CPU.
const stallMin = 100 * time.Microsecond

// produceCount produces n records.
func (p *producer) produceCount(ctx context.Context, n int) (phaseResult, error) {
	return p.produceFor(ctx, func(i int, _ time.Time) bool { return i >= n })
}

// produceDuration produces for d.
func (p *producer) produceDuration(ctx context.Context, d time.Duration) (phaseResult, error) {
	end := time.Now().Add(d)
	return p.produceFor(ctx, func(_ int, now time.Time) bool { return !now.Before(end) })
}

// consumeAll reads topic from the start with one consumer until want
// records have arrived, and fails if more arrive or ctx ends first.
func consumeAll(ctx context.Context, addr, topic string, want int) (phaseResult, error) {
	cl, err := kgo.NewClient(
		kgo.SeedBrokers(addr),
		kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
	)
	if err != nil {
		return phaseResult{}, fmt.Errorf("bench: consumer: %w", err)
	}
	defer cl.Close()
	var r phaseResult
	start := time.Now()
	for r.Records < want {
		fs := cl.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			return r, fmt.Errorf("bench: consume: %d of %d records: %w", r.Records, want, err)
		}
		if err := fs.Err0(); err != nil {
			return r, fmt.Errorf("bench: consume: %w", err)
		}
		fs.EachRecord(func(rec *kgo.Record) {
			r.Records++
			r.Bytes += int64(len(rec.Value))
		})
	}
	r.Elapsed = time.Since(start)
	if r.Records != want {
		return r, fmt.Errorf("%w: got %d, want %d", errCountMismatch, r.Records, want)
	}
	return r, nil
}

// produceRate produces rate records per second for d, paced in 1 ms
// steps, and waits for every acknowledgement: the produce latency of a
// broker that is not saturated (the half-load phase). Each record's
// latency starts at its own Produce call: a pacer that wakes late sends
// the records it owes at once, and its lateness is not counted (the same
// for every target). It also reads how long the runner's threads and,
// with p.srvPid, the server's waited for a CPU meanwhile.
func (p *producer) produceRate(ctx context.Context, rate float64, d time.Duration) (phaseResult, error) {
	p.paced = true
	defer func() { p.paced = false }()
	srv0, drv0 := runQueueWait(p.srvPid), runQueueWait(os.Getpid())
	r, err := p.producePaced(ctx, rate, d)
	if p.srvPid > 0 {
		r.SrvWait = runQueueWait(p.srvPid) - srv0
	}
	r.DrvWait = runQueueWait(os.Getpid()) - drv0
	return r, err
}

// producePaced is produceRate's loop.
func (p *producer) producePaced(ctx context.Context, rate float64, d time.Duration) (phaseResult, error) {
	start := time.Now()
	end := start.Add(d)
	return p.produceFor(ctx, func(i int, now time.Time) bool {
		if !now.Before(end) {
			return true
		}
		for float64(i) >= rate*time.Since(start).Seconds() {
			time.Sleep(time.Millisecond)
			if !time.Now().Before(end) {
				return true
			}
		}
		return false
	})
}
