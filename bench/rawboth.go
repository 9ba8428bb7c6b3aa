package main

import (
	"context"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// rawBothTopic is the raw both phase's own topic.
const rawBothTopic = "bench-raw-both"

// rawBothPhase is the both scenario with the raw drivers: the raw produce
// driver writes rawBothTopic for s.Duration while one raw Fetch consumer
// tails it from offset 0; the phase ends when the consumer has every
// acknowledged record, and the count must match. Throughput is the
// records acknowledged over that whole time, as in the kgo both phase.
func rawBothPhase(ctx context.Context, addr string, c config, s settings) (phaseResult, error) {
	if err := createTopic(ctx, addr, rawBothTopic, c.Partitions); err != nil {
		return phaseResult{}, err
	}
	o := rawOptionsFor(s, c)
	req, err := buildRawRequest(rawBothTopic, c.Partitions, c.Size, c.Acks, o, time.Now())
	if err != nil {
		return phaseResult{}, err
	}
	tl, err := startRawTailer(ctx, addr, c.Partitions)
	if err != nil {
		return phaseResult{}, err
	}
	start := time.Now()
	r, err := rawProduce(ctx, addr, req, c.Size, o)
	got, terr := tl.finish(r.Records, err != nil)
	r.Elapsed = time.Since(start)
	if err != nil {
		return r, err
	}
	if terr != nil {
		return r, terr
	}
	if got != r.Records {
		return r, fmt.Errorf("%w: raw both: the tailer read %d records, %d were acknowledged", errCountMismatch, got, r.Records)
	}
	return r, nil
}

// rawTailer reads rawBothTopic with plain Fetch requests until it has
// the record count finish gives it.
type rawTailer struct {
	cl     *kgo.Client
	cancel context.CancelFunc
	want   chan int
	done   chan tailDone
}

type tailDone struct {
	records int
	err     error
}

func startRawTailer(ctx context.Context, addr string, partitions int32) (*rawTailer, error) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr))
	if err != nil {
		return nil, fmt.Errorf("bench: raw tailer: %w", err)
	}
	id, err := topicID(ctx, cl, rawBothTopic)
	if err != nil {
		cl.Close()
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	t := &rawTailer{cl: cl, cancel: cancel, want: make(chan int, 1), done: make(chan tailDone, 1)}
	go t.run(ctx, id, make([]int64, partitions))
	return t, nil
}

func (t *rawTailer) run(ctx context.Context, id [16]byte, next []int64) {
	got, want := 0, -1
	for want < 0 || got < want {
		select {
		case want = <-t.want:
			continue
		default:
		}
		n, err := rawFetchOnce(ctx, t.cl, rawBothTopic, id, next, rawTailPartMaxBytes)
		if err != nil {
			t.done <- tailDone{got, err}
			return
		}
		got += n
	}
	t.done <- tailDone{got, nil}
}

// finish tells the tailer how many records to wait for (or, with abort,
// stops it) and returns what it read.
func (t *rawTailer) finish(want int, abort bool) (int, error) {
	defer t.cl.Close()
	defer t.cancel()
	if abort {
		t.cancel()
	}
	t.want <- want
	d := <-t.done
	return d.records, d.err
}
