package faults

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// Workload loads one topic while faults happen: Writers idempotent
// acks=all producers each send unique values "w<writer>-<seq>" round-robin
// over the partitions, recording every acknowledgement and failure;
// Readers read_committed consumers read every partition from the start,
// recording every record they see. Stop ends the load; Final reads the
// whole topic once the cluster is healed; History hands the checker all
// of it.
type Workload struct {
	Seeds      []string
	Topic      string
	Partitions int32
	Writers    int
	Readers    int
	Interval   time.Duration // between two records of a writer; 2ms if 0
	Prefix     string        // of the values; "w" if ""

	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu struct {
		sync.Mutex
		writes []Write
		reads  []Record
		final  []Record
	}
}

// clientTimeouts are the client options of every test client: short
// timeouts so that a paused or cut node costs seconds, and fresh
// metadata so that a new leader is found at once.
// GOFKA_FAULT_CLIENT_LOG=debug (or info, warn) logs the clients to
// stderr.
func clientTimeouts(seeds []string) []kgo.Opt {
	var log []kgo.Opt
	if lvl := os.Getenv("GOFKA_FAULT_CLIENT_LOG"); lvl != "" {
		levels := map[string]kgo.LogLevel{"debug": kgo.LogLevelDebug, "info": kgo.LogLevelInfo, "warn": kgo.LogLevelWarn}
		log = append(log, kgo.WithLogger(kgo.BasicLogger(os.Stderr, levels[lvl], nil)))
	}
	return append(log,
		kgo.SeedBrokers(seeds...),
		kgo.RequestTimeoutOverhead(3*time.Second),
		kgo.MetadataMinAge(200*time.Millisecond),
		kgo.MetadataMaxAge(3*time.Second),
		kgo.RetryBackoffFn(func(int) time.Duration { return 100 * time.Millisecond }),
	)
}

// Start starts the writers and readers; they run until Stop.
func (w *Workload) Start() error {
	if w.Interval == 0 {
		w.Interval = 2 * time.Millisecond
	}
	if w.Prefix == "" {
		w.Prefix = "w"
	}
	ctx, cancel := context.WithCancel(context.Background())
	w.cancel = cancel
	var clients []*kgo.Client
	for i := 0; i < w.Writers+w.Readers; i++ {
		opts := clientTimeouts(w.Seeds)
		if i < w.Writers {
			opts = append(opts, kgo.RequiredAcks(kgo.AllISRAcks()), kgo.RecordPartitioner(kgo.ManualPartitioner()),
				kgo.ProduceRequestTimeout(5*time.Second), kgo.RecordDeliveryTimeout(20*time.Second),
				kgo.MaxBufferedRecords(1000))
		} else {
			opts = append(opts, kgo.FetchIsolationLevel(kgo.ReadCommitted()), kgo.FetchMaxWait(500*time.Millisecond),
				kgo.ConsumeTopics(w.Topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
		}
		cl, err := kgo.NewClient(opts...)
		if err != nil {
			cancel()
			for _, c := range clients {
				c.Close()
			}
			return fmt.Errorf("faults: workload client: %w", err)
		}
		clients = append(clients, cl)
	}
	for i, cl := range clients {
		w.wg.Add(1)
		if i < w.Writers {
			go w.write(ctx, cl, i)
		} else {
			go w.read(ctx, cl)
		}
	}
	return nil
}

// write produces until ctx ends, then waits for the answers of what it
// sent (Flush) and closes the client, which fails what is left.
func (w *Workload) write(ctx context.Context, cl *kgo.Client, writer int) {
	defer w.wg.Done()
	defer cl.Close()
	tick := time.NewTicker(w.Interval)
	defer tick.Stop()
	for seq := 0; ; seq++ {
		select {
		case <-ctx.Done():
			flush, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			_ = cl.Flush(flush)
			cancel()
			return
		case <-tick.C:
		}
		rec := &kgo.Record{Topic: w.Topic, Partition: int32(seq) % w.Partitions, Value: fmt.Appendf(nil, "%s%d-%d", w.Prefix, writer, seq)}
		cl.Produce(context.Background(), rec, w.acked)
	}
}

// acked records the outcome of one write.
func (w *Workload) acked(r *kgo.Record, err error) {
	wr := Write{Partition: r.Partition, Offset: r.Offset, Value: string(r.Value), Err: err}
	if err != nil {
		wr.Offset = -1
	}
	w.mu.Lock()
	w.mu.writes = append(w.mu.writes, wr)
	w.mu.Unlock()
}

// read records every record it sees until ctx ends.
func (w *Workload) read(ctx context.Context, cl *kgo.Client) {
	defer w.wg.Done()
	defer cl.Close()
	for ctx.Err() == nil {
		fs := cl.PollFetches(ctx)
		var seen []Record
		fs.EachRecord(func(r *kgo.Record) {
			seen = append(seen, Record{r.Partition, r.Offset, string(r.Value)})
		})
		w.mu.Lock()
		w.mu.reads = append(w.mu.reads, seen...)
		w.mu.Unlock()
	}
}

// Stop stops the load and waits for the writers' last answers.
func (w *Workload) Stop() {
	if w.cancel != nil {
		w.cancel()
	}
	w.wg.Wait()
}

// Final writes an end marker to each partition with acks=all, retrying
// until ctx ends (so it waits for the healed cluster to take writes
// again), then reads the topic read_committed from the start up to the
// markers.
func (w *Workload) Final(ctx context.Context) error {
	marks, upTo, err := WriteMarks(ctx, w.Seeds, w.Topic, w.Partitions, w.Prefix+"end-")
	w.mu.Lock()
	w.mu.writes = append(w.mu.writes, marks...)
	w.mu.Unlock()
	if err != nil {
		return err
	}
	recs, err := ReadUpTo(ctx, w.Seeds, w.Topic, upTo)
	w.mu.Lock()
	w.mu.final = recs
	w.mu.Unlock()
	return err
}

// WriteMarks writes "<prefix><p>" to each partition p of topic with
// acks=all, retrying until ctx ends, and returns the writes and their
// offsets.
func WriteMarks(ctx context.Context, seeds []string, topic string, partitions int32, prefix string) ([]Write, map[int32]int64, error) {
	cl, err := kgo.NewClient(append(clientTimeouts(seeds), kgo.RequiredAcks(kgo.AllISRAcks()),
		kgo.RecordPartitioner(kgo.ManualPartitioner()), kgo.ProduceRequestTimeout(5*time.Second))...)
	if err != nil {
		return nil, nil, fmt.Errorf("faults: marker client: %w", err)
	}
	defer cl.Close()
	var writes []Write
	upTo := map[int32]int64{}
	for p := int32(0); p < partitions; p++ {
		rec := &kgo.Record{Topic: topic, Partition: p, Value: fmt.Appendf(nil, "%s%d", prefix, p)}
		if err := cl.ProduceSync(ctx, rec).FirstErr(); err != nil {
			return writes, nil, fmt.Errorf("faults: end marker of %s/%d: %w", topic, p, err)
		}
		upTo[p] = rec.Offset
		writes = append(writes, Write{Partition: p, Offset: rec.Offset, Value: string(rec.Value)})
	}
	return writes, upTo, nil
}

// ReadUpTo reads topic read_committed from the start of each partition of
// upTo up to its offset (included).
func ReadUpTo(ctx context.Context, seeds []string, topic string, upTo map[int32]int64) ([]Record, error) {
	parts := map[int32]kgo.Offset{}
	for p := range upTo {
		parts[p] = kgo.NewOffset().AtStart()
	}
	cl, err := kgo.NewClient(append(clientTimeouts(seeds), kgo.FetchIsolationLevel(kgo.ReadCommitted()),
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{topic: parts}))...)
	if err != nil {
		return nil, fmt.Errorf("faults: reader: %w", err)
	}
	defer cl.Close()
	var out []Record
	left := len(upTo)
	for left > 0 {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			return out, fmt.Errorf("faults: read %s: %d partitions short of their end: %w", topic, left, ctx.Err())
		}
		fs.EachRecord(func(r *kgo.Record) {
			out = append(out, Record{r.Partition, r.Offset, string(r.Value)})
			if end, ok := upTo[r.Partition]; ok && r.Offset >= end {
				delete(upTo, r.Partition)
				left--
			}
		})
	}
	return out, nil
}

// History returns what the workload recorded.
func (w *Workload) History() History {
	w.mu.Lock()
	defer w.mu.Unlock()
	return History{Writes: append([]Write(nil), w.mu.writes...), Reads: append([]Record(nil), w.mu.reads...),
		Final: append([]Record(nil), w.mu.final...)}
}

// CreateTopic creates topic with partitions, replication factor rf and
// configs, retrying retriable errors until ctx ends, then waits until
// every partition has a leader that answers ListOffsets.
func CreateTopic(ctx context.Context, seeds []string, topic string, partitions int32, rf int16, configs map[string]*string) error {
	return retryAdmin(ctx, seeds, func(adm *kadm.Client) error {
		resp, err := adm.CreateTopic(ctx, partitions, rf, configs, topic)
		if err == nil {
			err = resp.Err
		}
		if err != nil && !errors.Is(err, kerr.TopicAlreadyExists) {
			return fmt.Errorf("faults: create %s: %w", topic, err)
		}
		ends, err := adm.ListEndOffsets(ctx, topic)
		if err == nil {
			err = ends.Error()
		}
		if err == nil && len(ends[topic]) != int(partitions) {
			err = fmt.Errorf("faults: %s has %d partitions of %d", topic, len(ends[topic]), partitions)
		}
		return err
	})
}

// retryAdmin calls fn with an admin client of seeds every 100ms until it
// succeeds or ctx ends.
func retryAdmin(ctx context.Context, seeds []string, fn func(*kadm.Client) error) error {
	cl, err := kgo.NewClient(clientTimeouts(seeds)...)
	if err != nil {
		return fmt.Errorf("faults: admin client: %w", err)
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	return retry(ctx, func() error { return fn(adm) })
}

// retry calls fn every 100ms until it succeeds or ctx ends.
func retry(ctx context.Context, fn func() error) error {
	for {
		err := fn()
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}
