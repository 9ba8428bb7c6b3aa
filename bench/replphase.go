package main

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// The replication phase: acks=all produce to one gofka process (RF=1)
// and to three (RF=3, min.insync.replicas=2), in the same run, with the
// kgo producer of the data-path phases.

// replSizes are the cluster sizes measured; the replication factor is
// the size.
var replSizes = []int{1, 3}

// replPartitions is the partition count of the measured topic (leaders
// spread over the three nodes).
const replPartitions = 6

// replKey names one replication measurement.
type replKey struct{ Nodes, Size int }

func (k replKey) String() string {
	if k.Nodes == 1 {
		return fmt.Sprintf("1 node, RF=1, %s", config{Size: k.Size}.sizeName())
	}
	return fmt.Sprintf("%d nodes, RF=%d, min.insync.replicas=2, %s", k.Nodes, k.Nodes, config{Size: k.Size}.sizeName())
}

// replResult is one timed acks=all produce phase on a cluster.
type replResult struct {
	phaseResult
	ISR    int   // the smallest ISR of the topic's partitions after the phase
	Landed int64 // the topic's end offsets summed after the phase
	Sent   int64 // records acknowledged on the topic, warm-up included
}

// replResults is everything the replication phase measured.
type replResults struct {
	Machine  machine
	Date     time.Time
	LoadEnd  string
	Wall     time.Duration
	Alone    bool // run by -replication on its own and written into an existing report
	Settings settings
	Phases   map[replKey][]replResult // one per run
}

// keys are the measurements made, in table order.
func (r replResults) keys() []replKey {
	var out []replKey
	for _, size := range replValueSizes() {
		for _, n := range replSizes {
			if _, ok := r.Phases[replKey{n, size}]; ok {
				out = append(out, replKey{n, size})
			}
		}
	}
	return out
}

// replValueSizes are the value sizes of the data-path configs.
func replValueSizes() []int {
	var out []int
	for _, c := range configs() {
		if !slices.Contains(out, c.Size) {
			out = append(out, c.Size)
		}
	}
	return out
}

// measureReplication runs the replication phase -runs times; which
// cluster size goes first alternates from run to run.
func measureReplication(ctx context.Context, s settings, binary, tmp string) (replResults, error) {
	r := replResults{Machine: readMachine(), Date: time.Now().UTC(), Settings: s, Phases: map[replKey][]replResult{}}
	started := time.Now()
	for run := 1; run <= s.Runs; run++ {
		for _, i := range runOrder(len(replSizes), run) {
			n := replSizes[i]
			fmt.Printf("== replication, run %d of %d: %d node(s)\n", run, s.Runs, n)
			if err := r.measureCluster(ctx, binary, tmp, n); err != nil {
				return r, fmt.Errorf("bench: replication, %d node(s), run %d: %w", n, run, err)
			}
		}
	}
	r.Wall = time.Since(started)
	r.LoadEnd = loadAvg()
	return r, nil
}

// measureCluster starts a fresh cluster of n and measures each value size
// on a topic of its own.
func (r *replResults) measureCluster(ctx context.Context, binary, tmp string, n int) error {
	q, err := startQuorum(ctx, binary, tmp, n)
	if err != nil {
		return err
	}
	defer q.remove()
	defer q.stop()
	for _, size := range replValueSizes() {
		res, err := q.producePhase(ctx, fmt.Sprintf("repl-%d", size), size, r.Settings)
		if err != nil {
			return fmt.Errorf("%w\n%s", err, q.logTails())
		}
		fmt.Printf("   %s: %.0f records/s, %.1f MB/s, p50 %.2f ms, p99 %.2f ms, ISR %d, %d landed of %d\n",
			replKey{n, size}, perSec(res.Records, res.Elapsed), mbPerSec(res.Bytes, res.Elapsed),
			ms(res.Produce.P50), ms(res.Produce.P99), res.ISR, res.Landed, res.Sent)
		k := replKey{n, size}
		r.Phases[k] = append(r.Phases[k], res)
	}
	return nil
}

// producePhase creates topic (replication factor: every node), waits for
// every replica to be in sync, warms up and produces with acks=all for
// -duration, then reads the ISR and the end offsets back.
func (q *quorum) producePhase(ctx context.Context, topic string, size int, s settings) (replResult, error) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(q.addrs()...))
	if err != nil {
		return replResult{}, fmt.Errorf("bench: admin client: %w", err)
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	rf := len(q.nodes)
	minISR := fmt.Sprint(min(rf, 2))
	if _, err := adm.CreateTopic(ctx, replPartitions, int16(rf), map[string]*string{"min.insync.replicas": &minISR}, topic); err != nil {
		return replResult{}, fmt.Errorf("bench: create %s: %w", topic, err)
	}
	if err := waitISR(ctx, adm, topic, rf); err != nil {
		return replResult{}, err
	}
	p, err := newProducer(q.addrs()[0], topic, config{Size: size, Acks: -1, Partitions: replPartitions}, s)
	if err != nil {
		return replResult{}, err
	}
	defer p.close()
	warm, err := p.produceCount(ctx, s.Warmup)
	if err != nil {
		return replResult{}, err
	}
	cpu0, err := q.cpu()
	if err != nil {
		return replResult{}, err
	}
	res, err := p.produceDuration(ctx, s.Duration)
	if err != nil {
		return replResult{}, err
	}
	cpu1, err := q.cpu()
	if err != nil {
		return replResult{}, err
	}
	res.CPU = cpu1 - cpu0
	out := replResult{phaseResult: res, Sent: int64(warm.Records + res.Records)}
	out.ISR, out.Landed, err = isrAndEnds(ctx, adm, topic)
	return out, err
}

// waitISR waits (30s at most) until every partition of topic has a leader
// and rf replicas in sync.
func waitISR(ctx context.Context, adm *kadm.Client, topic string, rf int) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		isr, _, err := isrAndEnds(ctx, adm, topic)
		if err == nil && isr == rf {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("bench: %s: ISR of %d, want %d, after 30s (%v)", topic, isr, rf, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// isrAndEnds returns the smallest ISR of topic's partitions (0 if one has
// no leader) and the sum of their end offsets.
func isrAndEnds(ctx context.Context, adm *kadm.Client, topic string) (int, int64, error) {
	md, err := adm.Metadata(ctx, topic)
	if err != nil {
		return 0, 0, fmt.Errorf("bench: metadata of %s: %w", topic, err)
	}
	parts := md.Topics[topic].Partitions
	if len(parts) != replPartitions {
		return 0, 0, fmt.Errorf("bench: %s has %d partitions", topic, len(parts))
	}
	isr := len(md.Brokers)
	for _, p := range parts {
		if p.Leader < 0 {
			isr = 0
		}
		isr = min(isr, len(p.ISR))
	}
	ends, err := adm.ListEndOffsets(ctx, topic)
	if err == nil {
		err = ends.Error()
	}
	if err != nil {
		return isr, 0, fmt.Errorf("bench: end offsets of %s: %w", topic, err)
	}
	var sum int64
	ends.Each(func(o kadm.ListedOffset) { sum += o.Offset })
	return isr, sum, nil
}

// replicationOnly is the -replication mode: build Gofka, run the
// replication phase and write its section into the report at out in
// place of the old one.
func replicationOnly(ctx context.Context, s settings, root, commit, out string) error {
	return sectionOnly(ctx, root, out, func(binary, tmp string) (string, error) {
		r, err := measureReplication(ctx, s, binary, tmp)
		r.Alone = true
		if commit != "" {
			r.Machine.Commit = commit
		}
		return r.section(), err
	})
}
