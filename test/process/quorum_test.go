package process

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofka/gofka/test/faults"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// broker.session.timeout.ms (3 s here, so that a killed node may register
// again soon: until its old registration is fenced it is refused as a
// duplicate) plus controller.quorum.election.timeout.ms (1 s): the bound
// for the first metadata change after the active controller dies.
const failoverBound = 3*time.Second + 1*time.Second

// TestQuorumSurvivesLeaderKills kills the active controller with SIGKILL
// ten times in a row. Each time a new leader takes over and CreateTopics,
// IncrementalAlterConfigs and DeleteTopics succeed within
// broker.session.timeout.ms plus the election timeout; no node's metadata
// image ever goes back; at the end every node holds every committed change.
func TestQuorumSurvivesLeaderKills(t *testing.T) {
	c := faults.Start(t, binary, 3, "broker.session.timeout.ms=3000", "broker.heartbeat.interval.ms=500")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	mon := watchImages(c)
	defer mon.stop()
	want := map[string]bool{}
	for round := 0; round < 10; round++ {
		old, err := c.Leader(ctx)
		if err != nil {
			t.Fatal(err)
		}
		c.Kill(old)
		start := time.Now()
		change(t, ctx, c, round, want)
		took := time.Since(start)
		t.Logf("round %d: killed leader %d, changes committed after %v", round, old, took)
		if took > failoverBound {
			t.Errorf("round %d: changes took %v, more than %v", round, took, failoverBound)
		}
		c.Restart(old)
	}
	for _, n := range c.Nodes() {
		expectNodeTopics(t, ctx, n.Addr(), want)
	}
	mon.stop()
	if err := mon.err(); err != nil {
		t.Fatal(err)
	}
}

// change creates a topic, alters its config and deletes the previous
// round's, through the nodes still running.
func change(t *testing.T, ctx context.Context, c *faults.Cluster, round int, want map[string]bool) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.Addrs()...), kgo.RequestTimeoutOverhead(2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	name := fmt.Sprintf("round-%d", round)
	retry(t, ctx, "create "+name, func() error {
		_, err := adm.CreateTopic(ctx, 1, 1, nil, name)
		if err != nil && strings.Contains(err.Error(), "TOPIC_ALREADY_EXISTS") {
			return nil
		}
		return err
	})
	want[name] = true
	retry(t, ctx, "alter "+name, func() error {
		rs, err := adm.AlterTopicConfigs(ctx, []kadm.AlterConfig{{Name: "retention.ms", Value: kadm.StringPtr("3600000")}}, name)
		if err == nil {
			err = rs[0].Err
		}
		return err
	})
	if round > 0 && round%2 == 1 {
		prev := fmt.Sprintf("round-%d", round-1)
		retry(t, ctx, "delete "+prev, func() error {
			rs, err := adm.DeleteTopics(ctx, prev)
			if err == nil {
				err = rs[prev].Err
			}
			if err != nil && strings.Contains(err.Error(), "UNKNOWN_TOPIC") {
				return nil
			}
			return err
		})
		delete(want, prev)
	}
}

func retry(t *testing.T, ctx context.Context, what string, f func() error) {
	t.Helper()
	var err error
	for ctx.Err() == nil {
		if err = f(); err == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s: %v", what, err)
}

// expectNodeTopics waits until the node at addr serves exactly the topics
// of want (internal topics aside).
func expectNodeTopics(t *testing.T, ctx context.Context, addr string, want map[string]bool) {
	t.Helper()
	var got []string
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline) && ctx.Err() == nil; time.Sleep(100 * time.Millisecond) {
		got = slices.DeleteFunc(faults.Topics(addr), func(n string) bool { return strings.HasPrefix(n, "__") })
		if len(got) == len(want) && !slices.ContainsFunc(got, func(n string) bool { return !want[n] }) {
			return
		}
	}
	t.Errorf("node %s has topics %v, want %v", addr, got, want)
}

// imageWatch polls every node's finalized features epoch (ApiVersions v3+:
// the offset of its metadata image) and records any step back.
type imageWatch struct {
	quit chan struct{}
	wg   sync.WaitGroup
	once sync.Once
	mu   sync.Mutex
	bad  error
	seen int // answers read: the check is not vacuous
}

func watchImages(c *faults.Cluster) *imageWatch {
	w := &imageWatch{quit: make(chan struct{})}
	for _, n := range c.Nodes() {
		w.wg.Add(1)
		go w.watch(n.Addr())
	}
	return w
}

func (w *imageWatch) watch(addr string) {
	defer w.wg.Done()
	var last int64 = -1
	for {
		select {
		case <-w.quit:
			return
		case <-time.After(20 * time.Millisecond):
		}
		epoch, ok := featuresEpoch(addr)
		if !ok {
			continue
		}
		w.mu.Lock()
		w.seen++
		if epoch < last {
			w.bad = fmt.Errorf("node %s served metadata image %d after %d", addr, epoch, last)
		}
		w.mu.Unlock()
		last = max(last, epoch)
	}
}

// featuresEpoch asks one node for ApiVersions on a fresh connection.
func featuresEpoch(addr string) (int64, bool) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.DialTimeout(200*time.Millisecond), kgo.RequestRetries(0))
	if err != nil {
		return 0, false
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	resp, err := kmsg.NewPtrApiVersionsRequest().RequestWith(ctx, cl)
	if err != nil {
		return 0, false
	}
	return resp.FinalizedFeaturesEpoch, true
}

func (w *imageWatch) stop() {
	w.once.Do(func() {
		close(w.quit)
		w.wg.Wait()
	})
}

func (w *imageWatch) err() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.bad == nil && w.seen < 10 {
		return fmt.Errorf("only %d image observations", w.seen)
	}
	return w.bad
}
