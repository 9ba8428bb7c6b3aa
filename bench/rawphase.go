package main

import (
	"context"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// rawOptionsFor is the raw driver's shape for a run's settings and c:
// every request carries about s.RawReqBytes of values, split evenly over
// the partitions, as kgo splits its buffer over the partitions' batches.
func rawOptionsFor(s settings, c config) rawOptions {
	return rawOptions{Conns: s.RawConns, Depth: s.RawDepth, BatchBytes: max(s.RawReqBytes/int(c.Partitions), c.Size), Duration: s.Duration}
}

// rawProducePhase creates rawTopic with c's partitions, builds its
// request once (CreateTime = now; a phase of seconds stays far inside
// message.timestamp.after.max.ms, Kafka's default one hour, so batches
// are not re-stamped), runs the raw driver and then reads the topic's end
// offsets into Landed: they must sum to the records acknowledged.
func rawProducePhase(ctx context.Context, addr string, c config, s settings) (phaseResult, error) {
	if err := createTopic(ctx, addr, rawTopic, c.Partitions); err != nil {
		return phaseResult{}, err
	}
	o := rawOptionsFor(s, c)
	req, err := buildRawRequest(rawTopic, c.Partitions, c.Size, c.Acks, o, time.Now())
	if err != nil {
		return phaseResult{}, err
	}
	r, err := rawProduce(ctx, addr, req, c.Size, o)
	if err != nil {
		return r, err
	}
	r.Landed, err = endOffsetsSum(ctx, addr, rawTopic, int64(r.Records))
	return r, err
}

// endOffsetsSum sums topic's end offsets, polling for up to 10s while the
// sum is below want (acks=0 or a high watermark not yet advanced).
func endOffsetsSum(ctx context.Context, addr, topic string, want int64) (int64, error) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr))
	if err != nil {
		return 0, fmt.Errorf("bench: end offsets: %w", err)
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	deadline := time.Now().Add(10 * time.Second)
	for {
		offs, err := adm.ListEndOffsets(ctx, topic)
		if err == nil {
			err = offs.Error()
		}
		if err != nil {
			return 0, fmt.Errorf("bench: end offsets: %w", err)
		}
		var sum int64
		offs.Each(func(o kadm.ListedOffset) { sum += o.Offset })
		if sum >= want || time.Now().After(deadline) {
			return sum, nil
		}
		time.Sleep(10 * time.Millisecond)
	}
}
