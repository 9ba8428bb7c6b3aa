package process

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// quorum is three gofka processes, each broker and controller, formatted
// with one cluster id by gofka format.
type quorum struct {
	t       *testing.T
	servers []*server
	sets    [][]string
}

// broker.session.timeout.ms (3 s here, so that a killed node may register
// again soon: until its old registration is fenced it is refused as a
// duplicate) plus controller.quorum.election.timeout.ms (1 s): the bound
// for the first metadata change after the active controller dies.
const failoverBound = 3*time.Second + 1*time.Second

func startQuorum(t *testing.T) *quorum {
	q := &quorum{t: t}
	var voters []string
	ctrl := map[int]string{}
	for i := 1; i <= 3; i++ {
		q.servers = append(q.servers, newServer(t))
		ctrl[i] = newServer(t).addr // a free port for the controller listener
		voters = append(voters, fmt.Sprintf("%d@%s", i, ctrl[i]))
	}
	out, err := exec.Command(binary, "format", "random-uuid").Output()
	if err != nil {
		t.Fatal(err)
	}
	clusterID := strings.TrimSpace(string(out))
	for i, s := range q.servers {
		sets := []string{
			"--set", fmt.Sprintf("node.id=%d", i+1),
			"--set", "process.roles=broker,controller",
			"--set", fmt.Sprintf("listeners=PLAINTEXT://%s,CONTROLLER://%s", s.addr, ctrl[i+1]),
			"--set", "controller.listener.names=CONTROLLER",
			"--set", "controller.quorum.voters=" + strings.Join(voters, ","),
			"--set", "broker.session.timeout.ms=3000",
			"--set", "broker.heartbeat.interval.ms=500",
		}
		q.sets = append(q.sets, sets)
		format := append([]string{"format", "-t", clusterID, "--set", "log.dirs=" + filepath.Join(s.dir, "data")}, sets...)
		if out, err := exec.Command(binary, format...).CombinedOutput(); err != nil {
			t.Fatalf("format node %d: %v\n%s", i+1, err, out)
		}
	}
	for i, s := range q.servers {
		s.launch(q.sets[i]...)
	}
	for _, s := range q.servers {
		s.waitReady()
	}
	return q
}

func (q *quorum) restart(id int32) {
	s := q.servers[id-1]
	s.start(q.sets[id-1]...)
}

// live are the client addresses of the running nodes.
func (q *quorum) live() []string {
	var out []string
	for _, s := range q.servers {
		if s.cmd != nil {
			out = append(out, s.addr)
		}
	}
	return out
}

// leader asks the running nodes for the quorum's leader (DescribeQuorum).
func (q *quorum) leader(ctx context.Context) int32 {
	cl, err := kgo.NewClient(kgo.SeedBrokers(q.live()...))
	if err != nil {
		q.t.Fatal(err)
	}
	defer cl.Close()
	for ctx.Err() == nil {
		req := kmsg.NewPtrDescribeQuorumRequest()
		rt := kmsg.NewDescribeQuorumRequestTopic()
		rt.Topic, rt.Partitions = "__cluster_metadata", []kmsg.DescribeQuorumRequestTopicPartition{{Partition: 0}}
		req.Topics = append(req.Topics, rt)
		if resp, err := req.RequestWith(ctx, cl); err == nil && resp.ErrorCode == 0 && len(resp.Topics) == 1 {
			if l := resp.Topics[0].Partitions[0].LeaderID; l > 0 && q.servers[l-1].cmd != nil {
				return l
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	q.t.Fatal("no quorum leader")
	return -1
}

// TestQuorumSurvivesLeaderKills kills the active controller with SIGKILL
// ten times in a row. Each time a new leader takes over and CreateTopics,
// IncrementalAlterConfigs and DeleteTopics succeed within
// broker.session.timeout.ms plus the election timeout; no node's metadata
// image ever goes back; at the end every node holds every committed change.
func TestQuorumSurvivesLeaderKills(t *testing.T) {
	q := startQuorum(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	mon := watchImages(t, q)
	defer mon.stop()
	want := map[string]bool{}
	for round := 0; round < 10; round++ {
		old := q.leader(ctx)
		q.servers[old-1].kill()
		start := time.Now()
		q.change(ctx, round, want)
		took := time.Since(start)
		t.Logf("round %d: killed leader %d, changes committed after %v", round, old, took)
		if took > failoverBound {
			t.Errorf("round %d: changes took %v, more than %v", round, took, failoverBound)
		}
		q.restart(old)
	}
	for _, s := range q.servers {
		expectNodeTopics(t, ctx, s.addr, want)
	}
	mon.stop()
	if err := mon.err(); err != nil {
		t.Fatal(err)
	}
}

// change creates a topic, alters its config and deletes the previous
// round's, through the nodes still running.
func (q *quorum) change(ctx context.Context, round int, want map[string]bool) {
	q.t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(q.live()...), kgo.RequestTimeoutOverhead(2*time.Second))
	if err != nil {
		q.t.Fatal(err)
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	name := fmt.Sprintf("round-%d", round)
	retry(q.t, ctx, "create "+name, func() error {
		_, err := adm.CreateTopic(ctx, 1, 1, nil, name)
		if err != nil && strings.Contains(err.Error(), "TOPIC_ALREADY_EXISTS") {
			return nil
		}
		return err
	})
	want[name] = true
	retry(q.t, ctx, "alter "+name, func() error {
		rs, err := adm.AlterTopicConfigs(ctx, []kadm.AlterConfig{{Name: "retention.ms", Value: kadm.StringPtr("3600000")}}, name)
		if err == nil {
			err = rs[0].Err
		}
		return err
	})
	if round > 0 && round%2 == 1 {
		prev := fmt.Sprintf("round-%d", round-1)
		retry(q.t, ctx, "delete "+prev, func() error {
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

func expectNodeTopics(t *testing.T, ctx context.Context, addr string, want map[string]bool) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	var got []string
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		md, err := adm.Metadata(ctx)
		if err != nil {
			continue
		}
		got = got[:0]
		for name := range md.Topics {
			if !strings.HasPrefix(name, "__") {
				got = append(got, name)
			}
		}
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

func watchImages(t *testing.T, q *quorum) *imageWatch {
	w := &imageWatch{quit: make(chan struct{})}
	for _, s := range q.servers {
		w.wg.Add(1)
		go w.watch(s.addr)
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
