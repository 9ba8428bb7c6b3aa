package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// The metadata phase runs real quorums: n `gofka server` processes on
// loopback, each broker and controller, formatted with one cluster id by
// `gofka format`, as test/process/quorum_test.go starts them.

// errQuorum means a quorum did not reach the state the phase waits for.
var errQuorum = errors.New("bench: metadata quorum")

// quorumNode is one process of a quorum; id is its node.id (1..n).
type quorumNode struct {
	id   int32
	srv  *server // nil while killed
	args []string
	dir  string // data dir and log live here
	addr string // PLAINTEXT listener
}

// quorum is a running cluster of formatted gofka processes.
type quorum struct {
	binary string
	nodes  []*quorumNode
	client *kgo.Client // seeded with every node; requests go to a node by id
}

// startQuorum formats n nodes under tmp and starts them, then waits until
// every node lists every broker and a first topic is created.
func startQuorum(ctx context.Context, binary, tmp string, n int) (*quorum, error) {
	q := &quorum{binary: binary}
	if err := q.format(ctx, tmp, n); err != nil {
		q.remove()
		return nil, err
	}
	var err error
	for _, nd := range q.nodes {
		if err = q.exec(nd); err != nil {
			break
		}
	}
	for _, nd := range q.nodes {
		if err == nil {
			err = q.waitNode(nd)
		}
	}
	var cl *kgo.Client
	if err == nil {
		cl, err = kgo.NewClient(kgo.SeedBrokers(q.addrs()...), kgo.RequestRetries(0))
	}
	if err == nil {
		q.client = cl
		err = q.waitSteady(ctx)
	}
	if err != nil {
		err = fmt.Errorf("%w\n%s", err, q.logTails())
		q.stop()
		q.remove()
		return nil, err
	}
	return q, nil
}

// format picks ports and dirs for n nodes and runs `gofka format` on each.
func (q *quorum) format(ctx context.Context, tmp string, n int) error {
	base, err := os.MkdirTemp(tmp, "quorum")
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	var voters, ctrl []string
	for i := 1; i <= n; i++ {
		addr, err := freeAddr()
		if err != nil {
			return err
		}
		c, err := freeAddr()
		if err != nil {
			return err
		}
		ctrl = append(ctrl, c)
		voters = append(voters, fmt.Sprintf("%d@%s", i, c))
		q.nodes = append(q.nodes, &quorumNode{id: int32(i), addr: addr, dir: filepath.Join(base, fmt.Sprintf("node%d", i))})
	}
	out, err := exec.CommandContext(ctx, q.binary, "format", "random-uuid").Output()
	if err != nil {
		return fmt.Errorf("bench: gofka format random-uuid: %w", err)
	}
	clusterID := strings.TrimSpace(string(out))
	for i, nd := range q.nodes {
		nd.args = []string{
			"--set", "log.dirs=" + filepath.Join(nd.dir, "data"),
			"--set", fmt.Sprintf("node.id=%d", nd.id),
			"--set", "process.roles=broker,controller",
			"--set", fmt.Sprintf("listeners=PLAINTEXT://%s,CONTROLLER://%s", nd.addr, ctrl[i]),
			"--set", "controller.listener.names=CONTROLLER",
			"--set", "controller.quorum.voters=" + strings.Join(voters, ","),
		}
		args := append([]string{"format", "-t", clusterID}, nd.args...)
		if out, err := exec.CommandContext(ctx, q.binary, args...).CombinedOutput(); err != nil {
			return fmt.Errorf("bench: gofka format node %d: %w\n%s", nd.id, err, out)
		}
	}
	return nil
}

// launch starts nd's process, its output appended to its log, and waits
// until it accepts connections.
func (q *quorum) launch(nd *quorumNode) error {
	if err := q.exec(nd); err != nil {
		return err
	}
	return q.waitNode(nd)
}

// exec starts nd's process, its output appended to its log, without
// waiting: a node of a new quorum listens only once the quorum has formed.
func (q *quorum) exec(nd *quorumNode) error {
	s := &server{Addr: nd.addr, DataDir: filepath.Join(nd.dir, "data"), logPath: filepath.Join(nd.dir, "server.log")}
	logs, err := os.OpenFile(s.logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	defer logs.Close()
	s.cmd = exec.Command(q.binary, append([]string{"server"}, nd.args...)...)
	s.cmd.Stdout, s.cmd.Stderr = logs, logs
	s.started = time.Now()
	if err := s.cmd.Start(); err != nil {
		return fmt.Errorf("bench: start node %d: %w", nd.id, err)
	}
	nd.srv = s
	return nil
}

// waitNode waits until nd accepts connections.
func (q *quorum) waitNode(nd *quorumNode) error {
	if err := waitListening(nd.addr, 60*time.Second); err != nil {
		return fmt.Errorf("node %d: %w\n%s", nd.id, err, nd.srv.logTail())
	}
	return nil
}

// kill sends SIGKILL to node id and reaps it.
func (q *quorum) kill(id int32) {
	nd := q.nodes[id-1]
	if nd.srv != nil {
		_ = nd.srv.cmd.Process.Signal(syscall.SIGKILL)
		_ = nd.srv.cmd.Wait()
		nd.srv = nil
	}
}

// stop sends SIGTERM to every running node at once, waits for them and
// returns how each ended. One after another, the last nodes would wait
// for a controlled shutdown that a quorum without a majority cannot
// commit.
func (q *quorum) stop() []string {
	if q.client != nil {
		q.client.Close()
		q.client = nil
	}
	exits := make([]string, len(q.nodes))
	var wg sync.WaitGroup
	for i, nd := range q.nodes {
		if nd.srv == nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			exits[i] = nd.srv.stop()
			nd.srv = nil
		}()
	}
	wg.Wait()
	var out []string
	for _, e := range exits {
		if e != "" {
			out = append(out, e)
		}
	}
	return out
}

// remove deletes the quorum's dirs; call it after stop.
func (q *quorum) remove() {
	if len(q.nodes) > 0 {
		_ = os.RemoveAll(filepath.Dir(q.nodes[0].dir))
	}
}

// addrs are the client addresses of every node.
func (q *quorum) addrs() []string {
	var out []string
	for _, nd := range q.nodes {
		out = append(out, nd.addr)
	}
	return out
}

// live are the ids of the running nodes.
func (q *quorum) live() []int32 {
	return running(q, func(nd *quorumNode) int32 { return nd.id })
}

// pids are the process ids of the running nodes.
func (q *quorum) pids() []int {
	return running(q, func(nd *quorumNode) int { return nd.srv.Pid() })
}

// running maps f over the running nodes.
func running[T any](q *quorum, f func(*quorumNode) T) []T {
	var out []T
	for _, nd := range q.nodes {
		if nd.srv != nil {
			out = append(out, f(nd))
		}
	}
	return out
}

// logTails is the end of every node's log, for error messages.
func (q *quorum) logTails() string {
	var b strings.Builder
	for _, nd := range q.nodes {
		s := &server{logPath: filepath.Join(nd.dir, "server.log")}
		fmt.Fprintf(&b, "node %d log:\n%s\n", nd.id, s.logTail())
	}
	return b.String()
}

// quorumState is what DescribeQuorum tells of the metadata partition.
type quorumState struct {
	Leader   int32
	Epoch    int32
	HW       int64
	CaughtUp bool // every voter's log end offset reaches the high watermark
}

// describe asks node id for DescribeQuorum (forwarded to the active
// controller when id is not it).
func (q *quorum) describe(ctx context.Context, id int32) (quorumState, error) {
	req := kmsg.NewPtrDescribeQuorumRequest()
	rt := kmsg.NewDescribeQuorumRequestTopic()
	rt.Topic = "__cluster_metadata"
	rt.Partitions = []kmsg.DescribeQuorumRequestTopicPartition{kmsg.NewDescribeQuorumRequestTopicPartition()}
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(ctx, q.client.Broker(int(id)))
	if err != nil {
		return quorumState{}, fmt.Errorf("bench: describe quorum: %w", err)
	}
	if resp.ErrorCode != 0 || len(resp.Topics) != 1 || len(resp.Topics[0].Partitions) != 1 {
		return quorumState{}, fmt.Errorf("%w: describe quorum: error %d", errQuorum, resp.ErrorCode)
	}
	p := resp.Topics[0].Partitions[0]
	st := quorumState{Leader: p.LeaderID, Epoch: p.LeaderEpoch, HW: p.HighWatermark, CaughtUp: p.HighWatermark >= 0}
	for _, v := range p.CurrentVoters {
		st.CaughtUp = st.CaughtUp && v.LogEndOffset >= p.HighWatermark
	}
	return st, nil
}

// brokers is the number of brokers node id lists in Metadata.
func (q *quorum) brokers(ctx context.Context, id int32) (int, error) {
	resp, err := kmsg.NewPtrMetadataRequest().RequestWith(ctx, q.client.Broker(int(id)))
	if err != nil {
		return 0, fmt.Errorf("bench: metadata: %w", err)
	}
	return len(resp.Brokers), nil
}

// waitSteady waits until every node is running, lists every broker, the
// quorum has a leader whose voters have caught up, and a topic can be
// created: the state each measurement and each kill starts from.
func (q *quorum) waitSteady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	var last error
	for ctx.Err() == nil {
		if last = q.steady(ctx); last == nil {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("%w: not steady within 60s: %v", errQuorum, last)
}

// steady checks the state waitSteady waits for once.
func (q *quorum) steady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	for _, nd := range q.nodes {
		if nd.srv == nil {
			return fmt.Errorf("%w: node %d is down", errQuorum, nd.id)
		}
		if n, err := q.brokers(ctx, nd.id); err != nil || n != len(q.nodes) {
			return fmt.Errorf("%w: node %d lists %d brokers (%v)", errQuorum, nd.id, n, err)
		}
	}
	st, err := q.describe(ctx, q.nodes[0].id)
	if err != nil {
		return err
	}
	if st.Leader <= 0 || !st.CaughtUp {
		return fmt.Errorf("%w: leader %d, voters caught up %t", errQuorum, st.Leader, st.CaughtUp)
	}
	return q.createTopic(ctx, st.Leader, fmt.Sprintf("steady-%d", time.Now().UnixNano()))
}
