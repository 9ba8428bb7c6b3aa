package main

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// tailer consumes from given offsets while a producer writes, and records
// each record's end-to-end latency from the send time stamped in its value.
type tailer struct {
	cl   *kgo.Client
	hist histogram
	want atomic.Int64 // records to read; MaxInt64 until the producer is done
	got  int64
	done chan error

	fetches, fetchBytes atomic.Int64 // Fetch responses read (hooks)
}

// OnBrokerRead counts the tailer's Fetch responses (kgo.HookBrokerRead).
func (t *tailer) OnBrokerRead(_ kgo.BrokerMetadata, key int16, n int, _, _ time.Duration, err error) {
	if key == 1 && err == nil {
		t.fetches.Add(1)
		t.fetchBytes.Add(int64(n))
	}
}

// startTailer reads topic from its current end offsets.
func startTailer(ctx context.Context, addr, topic string) (*tailer, error) {
	offsets, err := endOffsets(ctx, addr, topic)
	if err != nil {
		return nil, err
	}
	t := &tailer{done: make(chan error, 1)}
	t.cl, err = kgo.NewClient(kgo.SeedBrokers(addr), kgo.ConsumePartitions(offsets), kgo.WithHooks(t))
	if err != nil {
		return nil, fmt.Errorf("bench: tail consumer: %w", err)
	}
	t.want.Store(math.MaxInt64)
	go func() { t.done <- t.run(ctx) }()
	return t, nil
}

// endOffsets lists topic's end offsets as exact consume offsets.
func endOffsets(ctx context.Context, addr, topic string) (map[string]map[int32]kgo.Offset, error) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr))
	if err != nil {
		return nil, fmt.Errorf("bench: client: %w", err)
	}
	defer cl.Close()
	ends, err := kadm.NewClient(cl).ListEndOffsets(ctx, topic)
	if err != nil {
		return nil, fmt.Errorf("bench: end offsets: %w", err)
	}
	out := map[string]map[int32]kgo.Offset{topic: {}}
	var lerr error
	ends.Each(func(o kadm.ListedOffset) {
		if o.Err != nil {
			lerr = o.Err
		}
		out[topic][o.Partition] = kgo.NewOffset().At(o.Offset)
	})
	if lerr != nil {
		return nil, fmt.Errorf("bench: end offsets: %w", lerr)
	}
	return out, nil
}

// run polls until want records have arrived.
func (t *tailer) run(ctx context.Context) error {
	for t.got < t.want.Load() {
		pctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		fs := t.cl.PollFetches(pctx)
		cancel()
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("bench: tail: %d records: %w", t.got, err)
		}
		for _, fe := range fs.Errors() {
			if !errors.Is(fe.Err, context.DeadlineExceeded) && !errors.Is(fe.Err, context.Canceled) {
				return fmt.Errorf("bench: tail: %w", fe.Err)
			}
		}
		now := time.Now().UnixNano()
		fs.EachRecord(func(r *kgo.Record) {
			t.got++
			if len(r.Value) >= 8 {
				t.hist.record(time.Duration(now - int64(binary.LittleEndian.Uint64(r.Value))))
			}
		})
	}
	if t.got != t.want.Load() {
		return fmt.Errorf("%w: tail got %d, want %d", errCountMismatch, t.got, t.want.Load())
	}
	return nil
}

// finish tells the tailer how many records to expect and waits for them.
func (t *tailer) finish(n int) (latencies, error) {
	t.want.Store(int64(n))
	err := <-t.done
	t.cl.Close()
	return t.hist.summary(), err
}
