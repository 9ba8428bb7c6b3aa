package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// The metadata load driver: CreateTopics requests of one 1-partition topic
// each, every one a metadata change the quorum commits before it answers.

// createTimeout is the timeout_ms of every CreateTopics request.
const createTimeout = 30 * time.Second

// createTopic sends one CreateTopics request for a 1-partition topic with
// replication factor 1 to node id through the quorum's shared client.
func (q *quorum) createTopic(ctx context.Context, id int32, name string) error {
	return createOn(ctx, q.client, id, name)
}

// createOn sends one CreateTopics request for a 1-partition topic with
// replication factor 1 to node id through cl and returns its topic error,
// if any.
func createOn(ctx context.Context, cl *kgo.Client, id int32, name string) error {
	req := kmsg.NewPtrCreateTopicsRequest()
	req.TimeoutMillis = int32(createTimeout / time.Millisecond)
	t := kmsg.NewCreateTopicsRequestTopic()
	t.Topic, t.NumPartitions, t.ReplicationFactor = name, 1, 1
	req.Topics = append(req.Topics, t)
	resp, err := req.RequestWith(ctx, cl.Broker(int(id)))
	if err != nil {
		return fmt.Errorf("bench: create topic %s on node %d: %w", name, id, err)
	}
	if len(resp.Topics) != 1 {
		return fmt.Errorf("%w: create topic %s: %d topics answered", errQuorum, name, len(resp.Topics))
	}
	if err := kerr.ErrorForCode(resp.Topics[0].ErrorCode); err != nil {
		return fmt.Errorf("bench: create topic %s on node %d: %w", name, id, err)
	}
	return nil
}

// createResult is one timed CreateTopics phase.
type createResult struct {
	Clients  int
	Created  int           // topics acknowledged without error
	Errors   int           // requests answered with an error or failed
	FirstErr string        // the first of them
	Elapsed  time.Duration // from the first request to the last answer
	Latency  latencies     // per request, from send to answer
	CPU      time.Duration // user+system CPU of every node during the phase
	Missing  int           // acknowledged topics some node did not list afterwards
	Topics   int           // topics the cluster held at the end
	Converge time.Duration // from the last answer until every node listed every acknowledged topic
}

// createPhase runs clients goroutines for d, each with its own kgo client
// (its own connections: a broker reads a connection's requests one at a
// time, as Kafka does) sending CreateTopics one at a time; request k of client c goes to node (c+k) mod n, so every node
// takes an equal share and the requests to nodes other than the active
// controller are forwarded to it. Then every node must list every topic
// acknowledged.
func (q *quorum) createPhase(ctx context.Context, prefix string, clients int, d time.Duration) (createResult, error) {
	r := createResult{Clients: clients}
	var (
		h       histogram
		created atomic.Int64
		failed  atomic.Int64
		mu      sync.Mutex
		names   []string
		wg      sync.WaitGroup
	)
	cls, err := q.clients(clients)
	if err != nil {
		return r, err
	}
	defer func() {
		for _, cl := range cls {
			cl.Close()
		}
	}()
	cpu0, err := q.cpu()
	if err != nil {
		return r, err
	}
	start := time.Now()
	deadline := start.Add(d)
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []string
			for k := 0; time.Now().Before(deadline) && ctx.Err() == nil; k++ {
				name := fmt.Sprintf("%s-c%d-%d", prefix, c, k)
				t0 := time.Now()
				err := createOn(ctx, cls[c], q.nodes[(c+k)%len(q.nodes)].id, name)
				h.record(time.Since(t0))
				if err != nil {
					if failed.Add(1) == 1 {
						mu.Lock()
						r.FirstErr = err.Error()
						mu.Unlock()
					}
					continue
				}
				created.Add(1)
				mine = append(mine, name)
			}
			mu.Lock()
			names = append(names, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	r.Elapsed = time.Since(start)
	cpu1, err := q.cpu()
	if err != nil {
		return r, err
	}
	r.CPU = cpu1 - cpu0
	r.Created, r.Errors, r.Latency = int(created.Load()), int(failed.Load()), h.summary()
	if ctx.Err() != nil {
		return r, fmt.Errorf("bench: %w", ctx.Err())
	}
	end := time.Now()
	if r.Missing, err = q.missing(ctx, prefix, names); err != nil {
		return r, err
	}
	r.Converge = time.Since(end)
	r.Topics, err = q.topics(ctx)
	return r, err
}

// topics is the number of topics the first node lists.
func (q *quorum) topics(ctx context.Context) (int, error) {
	resp, err := kmsg.NewPtrMetadataRequest().RequestWith(ctx, q.client.Broker(int(q.nodes[0].id)))
	if err != nil {
		return 0, fmt.Errorf("bench: metadata: %w", err)
	}
	return len(resp.Topics), nil
}

// clients opens n kgo clients seeded with every node, each with broker
// metadata loaded so that the timed requests open only connections.
func (q *quorum) clients(n int) ([]*kgo.Client, error) {
	var cls []*kgo.Client
	for range n {
		cl, err := kgo.NewClient(kgo.SeedBrokers(q.addrs()...), kgo.RequestRetries(0))
		if err == nil {
			_, err = kmsg.NewPtrMetadataRequest().RequestWith(context.Background(), cl)
		}
		if err != nil {
			for _, c := range cls {
				c.Close()
			}
			if cl != nil {
				cl.Close()
			}
			return nil, fmt.Errorf("bench: metadata client: %w", err)
		}
		cls = append(cls, cl)
	}
	return cls, nil
}

// cpu is the user+system CPU time of every running node.
func (q *quorum) cpu() (time.Duration, error) {
	var sum time.Duration
	for _, pid := range q.pids() {
		c, err := readCPU(pid)
		if err != nil {
			return 0, err
		}
		sum += c.Total()
	}
	return sum, nil
}

// missing polls every node's Metadata (for 30s at most) until it lists
// every one of names, and returns how many some node still lacked.
func (q *quorum) missing(ctx context.Context, prefix string, names []string) (int, error) {
	worst := 0
	for _, id := range q.live() {
		var lacked int
		var err error
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			if lacked, err = q.lacks(ctx, id, prefix, names); (err == nil && lacked == 0) || time.Now().After(deadline) {
				break
			}
		}
		if err != nil {
			return 0, err
		}
		worst = max(worst, lacked)
	}
	return worst, nil
}

// lacks counts the names node id does not list among its topics.
func (q *quorum) lacks(ctx context.Context, id int32, prefix string, names []string) (int, error) {
	resp, err := kmsg.NewPtrMetadataRequest().RequestWith(ctx, q.client.Broker(int(id)))
	if err != nil {
		return 0, fmt.Errorf("bench: metadata from node %d: %w", id, err)
	}
	have := map[string]bool{}
	for _, t := range resp.Topics {
		if t.Topic != nil && strings.HasPrefix(*t.Topic, prefix) && t.ErrorCode == 0 {
			have[*t.Topic] = true
		}
	}
	n := 0
	for _, name := range names {
		if !have[name] {
			n++
		}
	}
	return n, nil
}

// failover is one SIGKILL of the active controller.
type failover struct {
	Killed   int32
	Commit   time.Duration // SIGKILL to the first CreateTopics acknowledged after it
	Election time.Duration // SIGKILL to a survivor naming a new leader in DescribeQuorum (0: not seen first)
	Attempts int           // CreateTopics requests sent until one was acknowledged
	Missing  int           // acknowledged topics a node lacked once the killed one was back
	Rejoin   time.Duration // restart of the killed node to the steady state again
}

// killLeader kills the active controller with SIGKILL and measures how
// long until a CreateTopics is committed and until DescribeQuorum on a
// survivor names a new leader; it then restarts the killed node and waits
// until the quorum is steady again.
func (q *quorum) killLeader(ctx context.Context, name string) (failover, error) {
	st, err := q.describe(ctx, q.nodes[0].id)
	if err != nil {
		return failover{}, err
	}
	f := failover{Killed: st.Leader}
	if st.Leader <= 0 {
		return f, fmt.Errorf("%w: no leader before the kill", errQuorum)
	}
	survivors := q.survivors(st.Leader)
	watch, stopWatch := q.watchElection(ctx, survivors, st)
	t0 := time.Now()
	q.kill(st.Leader)
	f.Commit, f.Attempts, err = q.createUntil(ctx, survivors, name, t0)
	f.Election = stopWatch(t0)
	<-watch
	if err != nil {
		return f, err
	}
	t1 := time.Now()
	if err := q.launch(q.nodes[st.Leader-1]); err != nil {
		return f, err
	}
	if err := q.waitSteady(ctx); err != nil {
		return f, err
	}
	f.Rejoin = time.Since(t1)
	f.Missing, err = q.missing(ctx, name, []string{name})
	return f, err
}

// survivors are the ids of the nodes other than id.
func (q *quorum) survivors(id int32) []int32 {
	var out []int32
	for _, nd := range q.nodes {
		if nd.id != id {
			out = append(out, nd.id)
		}
	}
	return out
}

// createUntil sends CreateTopics for name to the survivors in turn, each
// request bounded by a second, until one is acknowledged (or answered
// TOPIC_ALREADY_EXISTS: an earlier attempt was committed), and returns
// the time from t0 to that answer.
func (q *quorum) createUntil(ctx context.Context, survivors []int32, name string, t0 time.Time) (time.Duration, int, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	for k := 0; ; k++ {
		rctx, rcancel := context.WithTimeout(ctx, time.Second)
		err := q.createTopic(rctx, survivors[k%len(survivors)], name)
		rcancel()
		if err == nil || errors.Is(err, kerr.TopicAlreadyExists) {
			return time.Since(t0), k + 1, nil
		}
		if ctx.Err() != nil {
			return 0, k + 1, fmt.Errorf("%w: no CreateTopics committed within 2m of the kill: %v", errQuorum, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// watchElection polls DescribeQuorum on the survivors every 10 ms until
// one names a leader other than before's with a higher epoch. The
// returned stop function ends the watch and returns the time from t0 to
// that answer (0 when none came); the channel closes when the watcher
// has returned.
func (q *quorum) watchElection(ctx context.Context, survivors []int32, before quorumState) (<-chan struct{}, func(t0 time.Time) time.Duration) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	var seen atomic.Int64 // unix nanos of the first answer naming the new leader
	go func() {
		defer close(done)
		for k := 0; ctx.Err() == nil && seen.Load() == 0; k++ {
			rctx, rcancel := context.WithTimeout(ctx, 500*time.Millisecond)
			st, err := q.describe(rctx, survivors[k%len(survivors)])
			rcancel()
			if err == nil && st.Leader > 0 && st.Leader != before.Leader && st.Epoch > before.Epoch {
				seen.Store(time.Now().UnixNano())
				return
			}
			select {
			case <-ctx.Done():
			case <-time.After(10 * time.Millisecond):
			}
		}
	}()
	stop := func(t0 time.Time) time.Duration {
		// Give the watcher the time a DescribeQuorum takes to see the
		// leader the committed change already proves.
		select {
		case <-done:
		case <-time.After(time.Second):
		}
		cancel()
		if ns := seen.Load(); ns > 0 {
			return time.Unix(0, ns).Sub(t0)
		}
		return 0
	}
	return done, stop
}
