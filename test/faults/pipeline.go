package faults

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// Pipeline copies topic In to topic Out exactly once: Workers
// consume-transform-produce loops, each a kgo GroupTransactSession of one
// consumer group with a transactional id of its own, read In
// read_committed and write each value to the same partition of Out in a
// transaction that also commits the group's offsets. A session whose
// transaction fails (a fenced epoch, a coordinator gone, retries spent) is
// closed and a new one takes the same transactional id, as an application
// restarting would.
type Pipeline struct {
	Seeds   []string
	In, Out string
	Group   string
	Workers int

	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu struct {
		sync.Mutex
		committed, aborted, failed int
		lastErr                    error
	}
}

// TxnID is worker i's transactional id.
func (p *Pipeline) TxnID(i int) string { return fmt.Sprintf("%s-txn-%d", p.Group, i) }

// Start starts the workers; they run until Stop.
func (p *Pipeline) Start() {
	ctx, cancel := context.WithCancel(context.Background())
	p.cancel = cancel
	for i := 0; i < p.Workers; i++ {
		p.wg.Add(1)
		go p.work(ctx, i)
	}
}

// work runs sessions of worker i until ctx ends.
func (p *Pipeline) work(ctx context.Context, i int) {
	defer p.wg.Done()
	for ctx.Err() == nil {
		s, err := kgo.NewGroupTransactSession(append(clientTimeouts(p.Seeds),
			kgo.TransactionalID(p.TxnID(i)), kgo.TransactionTimeout(10*time.Second),
			kgo.ConsumerGroup(p.Group), kgo.ConsumeTopics(p.In),
			kgo.FetchIsolationLevel(kgo.ReadCommitted()), kgo.FetchMaxWait(500*time.Millisecond),
			kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.SessionTimeout(6*time.Second),
			kgo.RecordPartitioner(kgo.ManualPartitioner()), kgo.ProduceRequestTimeout(5*time.Second))...)
		if err != nil {
			p.fail(err)
			sleep(ctx, time.Second)
			continue
		}
		err = p.session(ctx, s)
		s.Close()
		if err != nil {
			p.fail(err)
			sleep(ctx, 200*time.Millisecond)
		}
	}
}

// session copies batches in transactions until one fails or ctx ends.
func (p *Pipeline) session(ctx context.Context, s *kgo.GroupTransactSession) error {
	for {
		fs := s.PollFetches(ctx)
		if ctx.Err() != nil || fs.IsClientClosed() {
			return nil
		}
		if fs.NumRecords() == 0 {
			continue
		}
		if err := s.Begin(); err != nil {
			return fmt.Errorf("begin: %w", err)
		}
		fs.EachRecord(func(r *kgo.Record) {
			s.Produce(ctx, &kgo.Record{Topic: p.Out, Partition: r.Partition, Value: r.Value}, func(*kgo.Record, error) {})
		})
		committed, err := s.End(ctx, kgo.TryCommit)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			return fmt.Errorf("end: %w", err)
		}
		p.mu.Lock()
		if committed {
			p.mu.committed++
		} else {
			p.mu.aborted++
		}
		p.mu.Unlock()
	}
}

func (p *Pipeline) fail(err error) {
	p.mu.Lock()
	p.mu.failed++
	p.mu.lastErr = err
	p.mu.Unlock()
}

// Stats are the pipeline's committed, aborted and failed transactions
// (failed: the session was replaced) and the last failure.
func (p *Pipeline) Stats() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return fmt.Sprintf("transactions committed %d, aborted %d, sessions failed %d (last: %v)",
		p.mu.committed, p.mu.aborted, p.mu.failed, p.mu.lastErr)
}

// Drain waits until the group's committed offsets on In pass upTo (the
// offsets of In's end markers), i.e. the pipeline copied all of In.
func (p *Pipeline) Drain(ctx context.Context, upTo map[int32]int64) error {
	return retryAdmin(ctx, p.Seeds, func(adm *kadm.Client) error {
		offs, err := adm.FetchOffsets(ctx, p.Group)
		if err != nil {
			return err
		}
		for part, end := range upTo {
			o, ok := offs.Lookup(p.In, part)
			if !ok || o.Err != nil || o.At <= end {
				return fmt.Errorf("faults: group %s at %v on %s/%d, end marker at %d (%s)", p.Group, o.At, p.In, part, end, p.Stats())
			}
		}
		return nil
	})
}

// Stop stops the workers.
func (p *Pipeline) Stop() {
	if p.cancel != nil {
		p.cancel()
	}
	p.wg.Wait()
}

// RunPipelineRound runs a round of fault over a pipeline from in to out
// (topics of its own): a Workload loads in and reads out concurrently,
// the fault breaks the cluster, then once healed the pipeline drains in
// and out is read whole. It returns the report on in (the producers') and
// on out: every value of in's final log exactly once in out, nothing else,
// and no reader of out saw what out does not hold.
func (c *Cluster) RunPipelineRound(ctx context.Context, name string, f Fault, cfg Round) (in, out Report, err error) {
	c.t.Helper()
	cfg.defaults()
	seeds := c.allAddrs()
	inTopic, outTopic := name+"-in", name+"-out"
	if err := c.createTopics(ctx, cfg, inTopic, outTopic); err != nil {
		return in, out, err
	}
	load := &Workload{Seeds: seeds, Topic: inTopic, Partitions: cfg.Partitions, Writers: 2, Interval: 5 * time.Millisecond}
	watch := &Workload{Seeds: seeds, Topic: outTopic, Partitions: cfg.Partitions, Readers: 2}
	pipe := &Pipeline{Seeds: seeds, In: inTopic, Out: outTopic, Group: name, Workers: 2}
	if err := load.Start(); err != nil {
		return in, out, err
	}
	if err := watch.Start(); err != nil {
		load.Stop()
		return in, out, err
	}
	pipe.Start()
	defer c.DeleteTopics(ctx, inTopic, outTopic)
	defer pipe.Stop()
	defer watch.Stop()
	did, err := c.strike(ctx, f, Target{Topic: inTopic, Group: name, TxnID: pipe.TxnID(0)}, cfg)
	load.Stop()
	if err != nil {
		return in, out, err
	}
	settle, cancel := context.WithTimeout(ctx, cfg.Settle)
	defer cancel()
	if err := load.Final(settle); err != nil {
		return Check(load.History()), out, fmt.Errorf("faults: %s on %s: after healing: %w", f.Name, inTopic, err)
	}
	inH := load.History()
	in = Check(inH)
	out, err = c.drainPipeline(settle, pipe, watch, inH)
	c.t.Logf("%s on pipeline %s: %s: in: %s\nout: %s\n%s", f.Name, name, did, &in, &out, pipe.Stats())
	return in, out, err
}

// drainPipeline waits for the pipeline to copy all of in's final log,
// stops it, reads out whole and checks it against in.
func (c *Cluster) drainPipeline(ctx context.Context, pipe *Pipeline, watch *Workload, in History) (Report, error) {
	inEnd := map[int32]int64{}
	var want []Write
	for _, r := range in.Final {
		inEnd[r.Partition] = max(inEnd[r.Partition], r.Offset)
		want = append(want, Write{Partition: r.Partition, Offset: -1, Value: r.Value})
	}
	if err := pipe.Drain(ctx, inEnd); err != nil {
		return Report{}, err
	}
	pipe.Stop()
	marks, upTo, err := WriteMarks(ctx, pipe.Seeds, pipe.Out, watch.Partitions, "out-end-")
	if err != nil {
		return Report{}, err
	}
	final, err := ReadUpTo(ctx, pipe.Seeds, pipe.Out, upTo)
	watch.Stop()
	rep := Check(History{Writes: append(want, marks...), Reads: watch.History().Reads, Final: final})
	return rep, err
}
