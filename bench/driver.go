package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// errCountMismatch means the consumer read back a different number of
// records than were acknowledged.
var errCountMismatch = errors.New("bench: consumed record count differs from produced")

// produceResult is one timed produce run.
type produceResult struct {
	Records   int
	Bytes     int64 // value bytes
	Elapsed   time.Duration
	Latencies []time.Duration // per record, Produce call to promise; sorted
}

// consumeResult is one consume-from-start run.
type consumeResult struct {
	Records int
	Bytes   int64
	Elapsed time.Duration
}

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
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil && !errors.Is(err, kerr.TopicAlreadyExists) {
		return fmt.Errorf("bench: create topic %s: %w", topic, err)
	}
	return nil
}

// producer sends records of random bytes with acks=1 and at most inFlight
// unacknowledged records.
type producer struct {
	cl       *kgo.Client
	topic    string
	size     int
	inFlight int
	pool     []byte // random bytes; values are windows into it
}

func newProducer(addr, topic string, s settings) (*producer, error) {
	cl, err := kgo.NewClient(
		kgo.SeedBrokers(addr),
		kgo.DefaultProduceTopic(topic),
		kgo.RequiredAcks(kgo.LeaderAck()),
		kgo.DisableIdempotentWrite(),
		kgo.MaxProduceRequestsInflightPerBroker(s.Requests),
		kgo.ProducerLinger(s.Linger),
		kgo.ProducerBatchCompression(kgo.NoCompression()),
		kgo.MaxBufferedRecords(2*s.InFlight),
	)
	if err != nil {
		return nil, fmt.Errorf("bench: producer: %w", err)
	}
	pool := make([]byte, 1<<20+s.ValueSize)
	_, _ = rand.Read(pool)
	return &producer{cl: cl, topic: topic, size: s.ValueSize, inFlight: s.InFlight, pool: pool}, nil
}

func (p *producer) close() { p.cl.Close() }

// value returns record i's value: size random bytes.
func (p *producer) value(i int) []byte {
	off := (i * 4099) % (len(p.pool) - p.size)
	return p.pool[off : off+p.size]
}

// run produces n records and waits for every acknowledgement. It returns
// the per-record latencies (sorted) and the wall time from the first
// Produce call to the last acknowledgement.
func (p *producer) run(ctx context.Context, n int) (produceResult, error) {
	lat := make([]time.Duration, n)
	sem := make(chan struct{}, p.inFlight)
	var wg sync.WaitGroup
	var firstErr atomic.Pointer[error]
	start := time.Now()
	for i := 0; i < n && firstErr.Load() == nil; i++ {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			return produceResult{}, fmt.Errorf("bench: produce: %w", ctx.Err())
		}
		wg.Add(1)
		sent := time.Now()
		p.cl.Produce(ctx, &kgo.Record{Value: p.value(i)}, func(_ *kgo.Record, err error) {
			lat[i] = time.Since(sent)
			if err != nil {
				firstErr.CompareAndSwap(nil, &err)
			}
			<-sem
			wg.Done()
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if e := firstErr.Load(); e != nil {
		return produceResult{}, fmt.Errorf("bench: produce: %w", *e)
	}
	slices.Sort(lat)
	return produceResult{Records: n, Bytes: int64(n) * int64(p.size), Elapsed: elapsed, Latencies: lat}, nil
}

// consumeAll reads topic from the start with one consumer until want
// records have arrived, and fails if more arrive or ctx ends first.
func consumeAll(ctx context.Context, addr, topic string, want int) (consumeResult, error) {
	cl, err := kgo.NewClient(
		kgo.SeedBrokers(addr),
		kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
	)
	if err != nil {
		return consumeResult{}, fmt.Errorf("bench: consumer: %w", err)
	}
	defer cl.Close()
	var r consumeResult
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

// percentile returns the q-quantile (0..1) of sorted durations.
func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q * float64(len(sorted)))
	return sorted[min(i, len(sorted)-1)]
}
