package faults

import (
	"context"
	"errors"
	"fmt"
	"github.com/twmb/franz-go/pkg/kerr"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/gofka/gofka/internal/group"
	"github.com/twmb/franz-go/pkg/kadm"
)

// A fault round: create a topic, load it (Workload), break the cluster
// (a Fault), heal it, wait for it to take writes again, read the whole
// topic and check the history. Rounds run one after another on one
// cluster, each on a topic of its own.

// Fault breaks a cluster during a round. Inject returns what the fault did
// (for the log) and the function that heals it.
type Fault struct {
	Name   string
	Inject func(ctx context.Context, c *Cluster, t Target) (did string, heal func(), err error)
}

// Target is what a round loads: the topic whose partition 0's leader
// faults aim at, and the consumer group and transactional id whose
// coordinators they may aim at.
type Target struct {
	Topic string
	Group string
	TxnID string
}

// Round configures RunRound.
type Round struct {
	Partitions int32         // 3 if 0
	RF         int16         // 3 if 0
	MinISR     int           // min.insync.replicas; 2 if 0
	Before     time.Duration // load before the fault; 1s if 0
	Hold       time.Duration // how long the fault lasts; 3s if 0
	After      time.Duration // load after healing; 1s if 0
	Settle     time.Duration // for the healed cluster to take writes and be read; 90s if 0
}

func (r *Round) defaults() {
	if r.Partitions == 0 {
		r.Partitions = 3
	}
	if r.RF == 0 {
		r.RF = 3
	}
	if r.MinISR == 0 {
		r.MinISR = 2
	}
	if r.Before == 0 {
		r.Before = time.Second
	}
	if r.Hold == 0 {
		r.Hold = 3 * time.Second
	}
	if r.After == 0 {
		r.After = time.Second
	}
	if r.Settle == 0 {
		r.Settle = 90 * time.Second
	}
}

// RunRound runs one round of fault on topic and returns the checker's
// report, or an error if the round could not run to its end (the cluster
// did not come back within Settle).
func (c *Cluster) RunRound(ctx context.Context, topic string, f Fault, cfg Round) (Report, error) {
	c.t.Helper()
	cfg.defaults()
	seeds := c.allAddrs()
	if err := c.createTopics(ctx, cfg, topic); err != nil {
		return Report{}, err
	}
	w := &Workload{Seeds: seeds, Topic: topic, Partitions: cfg.Partitions, Writers: 2, Readers: 2}
	if err := w.Start(); err != nil {
		return Report{}, err
	}
	did, err := c.strike(ctx, f, Target{Topic: topic}, cfg)
	w.Stop()
	if err != nil {
		return Report{}, err
	}
	settle, cancel := context.WithTimeout(ctx, cfg.Settle)
	defer cancel()
	err = w.Final(settle)
	rep := Check(w.History())
	defer c.DeleteTopics(ctx, topic)
	c.t.Logf("%s on %s: %s: %s", f.Name, topic, did, &rep)
	if err != nil {
		return rep, fmt.Errorf("faults: %s on %s: after healing: %w", f.Name, topic, err)
	}
	return rep, nil
}

// createTopics creates a round's topics (cfg's partitions, replication
// factor and min.insync.replicas), waiting up to Settle.
func (c *Cluster) createTopics(ctx context.Context, cfg Round, topics ...string) error {
	ctx, cancel := context.WithTimeout(ctx, cfg.Settle)
	defer cancel()
	mininsync := fmt.Sprint(cfg.MinISR)
	for _, topic := range topics {
		if err := CreateTopic(ctx, c.allAddrs(), topic, cfg.Partitions, cfg.RF, map[string]*string{"min.insync.replicas": &mininsync}); err != nil {
			return err
		}
	}
	return nil
}

// strike is the middle of a round, under load: Before, the fault held for
// Hold, healed, After. It returns what the fault did.
func (c *Cluster) strike(ctx context.Context, f Fault, t Target, cfg Round) (string, error) {
	sleep(ctx, cfg.Before)
	did, heal, err := f.Inject(ctx, c, t)
	if err != nil {
		return "", fmt.Errorf("faults: %s: %w", f.Name, err)
	}
	sleep(ctx, cfg.Hold)
	heal()
	sleep(ctx, cfg.After)
	return did, nil
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// allAddrs are the client addresses of every broker, running or not.
func (c *Cluster) allAddrs() []string {
	var out []string
	for _, n := range c.nodes {
		if n.proxy != nil {
			out = append(out, n.Addr())
		}
	}
	return out
}

// restarter returns the heal of a kill: restart node id and log how long
// it took to listen again (log recovery after SIGKILL, the metadata log,
// waiting for its old registration to be fenced).
func (c *Cluster) restarter(id int32) func() {
	return func() {
		start := time.Now()
		c.Restart(id)
		c.t.Logf("node %d restarted and listening after %v", id, time.Since(start).Round(time.Millisecond))
	}
}

// DeleteTopics deletes a round's topics once it is checked, so that the
// cluster does not grow round after round (a restart after SIGKILL
// recovers every partition the node holds); failures are only logged.
func (c *Cluster) DeleteTopics(ctx context.Context, topics ...string) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	err := retryAdmin(ctx, c.Addrs(), func(adm *kadm.Client) error {
		resps, err := adm.DeleteTopics(ctx, topics...)
		if err != nil {
			return err
		}
		for _, r := range resps {
			if r.Err != nil && !errors.Is(r.Err, kerr.UnknownTopicOrPartition) {
				return r.Err
			}
		}
		return nil
	})
	if err != nil {
		c.t.Logf("faults: delete %v: %v", topics, err)
	}
}

// PartitionInfo is a partition's leader, replicas and ISR as the cluster's
// metadata has them.
type PartitionInfo struct {
	Leader   int32
	Replicas []int32
	ISR      []int32
}

// PartitionOf asks the running brokers for topic's partition p until one
// names a leader, or ctx ends.
func (c *Cluster) PartitionOf(ctx context.Context, topic string, p int32) (PartitionInfo, error) {
	var info PartitionInfo
	err := retryAdmin(ctx, c.Addrs(), func(adm *kadm.Client) error {
		md, err := adm.Metadata(ctx, topic)
		if err != nil {
			return err
		}
		pd, ok := md.Topics[topic].Partitions[p]
		if !ok || pd.Leader < 0 {
			return fmt.Errorf("faults: %s/%d has no leader", topic, p)
		}
		info = PartitionInfo{Leader: pd.Leader, Replicas: pd.Replicas, ISR: pd.ISR}
		return nil
	})
	return info, err
}

// controllers are the ids of the controller nodes.
func (c *Cluster) controllers() []int32 {
	var out []int32
	for _, n := range c.nodes {
		if strings.Contains(n.roles, "controller") {
			out = append(out, n.ID)
		}
	}
	return out
}

// Faults are the fault kinds of the acceptance rounds, each on topic's
// partition 0 and its leader; pause is the session timeout the cluster
// runs with (a pause lasts longer).
func Faults(pause time.Duration) []Fault {
	return []Fault{
		{Name: "kill-leader", Inject: killLeader},
		{Name: "kill-random", Inject: killRandom},
		{Name: "pause-leader", Inject: pauseLeader(pause)},
		{Name: "cut-follower-from-leader", Inject: cutFromLeader},
		{Name: "cut-leader-from-controllers", Inject: cutFromControllers},
		{Name: "split-leader-minority", Inject: splitMinority},
	}
}

// killLeader SIGKILLs partition 0's leader; healing restarts it.
func killLeader(ctx context.Context, c *Cluster, t Target) (string, func(), error) {
	p, err := c.PartitionOf(ctx, t.Topic, 0)
	if err != nil {
		return "", nil, err
	}
	c.Kill(p.Leader)
	return fmt.Sprintf("SIGKILL of leader %d", p.Leader), c.restarter(p.Leader), nil
}

// killRandom SIGKILLs any node (a controller too); healing restarts it.
func killRandom(_ context.Context, c *Cluster, _ Target) (string, func(), error) {
	id := c.nodes[rand.IntN(len(c.nodes))].ID
	c.Kill(id)
	return fmt.Sprintf("SIGKILL of node %d", id), c.restarter(id), nil
}

// pauseLeader SIGSTOPs partition 0's leader for longer than the session
// timeout (the fault's hold adds to it); healing continues it.
func pauseLeader(session time.Duration) func(context.Context, *Cluster, Target) (string, func(), error) {
	return func(ctx context.Context, c *Cluster, t Target) (string, func(), error) {
		p, err := c.PartitionOf(ctx, t.Topic, 0)
		if err != nil {
			return "", nil, err
		}
		c.Pause(p.Leader)
		sleep(ctx, session)
		return fmt.Sprintf("SIGSTOP of leader %d", p.Leader), func() { c.Resume(p.Leader) }, nil
	}
}

// cutFromLeader cuts one of partition 0's followers from its leader.
func cutFromLeader(ctx context.Context, c *Cluster, t Target) (string, func(), error) {
	p, err := c.PartitionOf(ctx, t.Topic, 0)
	if err != nil {
		return "", nil, err
	}
	f, err := c.cutFollower(p, t.Topic+"/0")
	if err != nil {
		return "", nil, err
	}
	return fmt.Sprintf("follower %d cut from leader %d", f, p.Leader), c.Heal, nil
}

// cutFromControllers cuts partition 0's leader from every controller
// other than itself; it still reaches the other brokers and clients.
func cutFromControllers(ctx context.Context, c *Cluster, t Target) (string, func(), error) {
	p, err := c.PartitionOf(ctx, t.Topic, 0)
	if err != nil {
		return "", nil, err
	}
	var cut []int32
	for _, id := range c.controllers() {
		if id != p.Leader {
			c.Cut(p.Leader, id)
			cut = append(cut, id)
		}
	}
	return fmt.Sprintf("leader %d cut from controllers %v", p.Leader, cut), c.Heal, nil
}

// splitMinority splits the cluster in two: partition 0's leader with, when
// controllers are separate, the active controller, against the rest.
func splitMinority(ctx context.Context, c *Cluster, t Target) (string, func(), error) {
	p, err := c.PartitionOf(ctx, t.Topic, 0)
	if err != nil {
		return "", nil, err
	}
	minority := []int32{p.Leader}
	if !slices.Contains(c.controllers(), p.Leader) {
		l, err := c.Leader(ctx)
		if err != nil {
			return "", nil, err
		}
		minority = append(minority, l)
	}
	var majority []int32
	for _, n := range c.nodes {
		if !slices.Contains(minority, n.ID) {
			majority = append(majority, n.ID)
		}
	}
	c.Partition(minority, majority)
	return fmt.Sprintf("split %v | %v", minority, majority), c.Heal, nil
}

// CoordinatorFaults are the faults of the pipeline and group-commit
// rounds: the coordinators of the target's group and transactional id
// fail over (SIGKILL, or SIGSTOP past the session timeout), or the leader
// of the topic's partition 0 does.
func CoordinatorFaults(pause time.Duration) []Fault {
	return []Fault{
		{Name: "kill-group-coordinator", Inject: killCoordinator(false)},
		{Name: "kill-txn-coordinator", Inject: killCoordinator(true)},
		{Name: "pause-group-coordinator", Inject: pauseCoordinator(pause)},
		{Name: "kill-leader", Inject: killLeader},
		{Name: "cut-group-coordinator-follower", Inject: cutCoordinatorFollower(false)},
		{Name: "cut-txn-coordinator-follower", Inject: cutCoordinatorFollower(true)},
	}
}

// cutCoordinatorFollower cuts a follower of the coordinator partition of
// the target's group (__consumer_offsets) or, with txn, of its
// transactional id (__transaction_state) from its leader, the
// coordinator: the coordinator's writes wait for the ISR until the
// follower is dropped from it or the cut heals, and time out
// (NOT_COORDINATOR, the partition reloaded) when offsets.commit.timeout.ms
// or request.timeout.ms passes first.
func cutCoordinatorFollower(txn bool) func(context.Context, *Cluster, Target) (string, func(), error) {
	return func(ctx context.Context, c *Cluster, t Target) (string, func(), error) {
		topic, key, what := "__consumer_offsets", t.Group, "group"
		if txn {
			topic, key, what = "__transaction_state", t.TxnID, "transaction"
		}
		var n int
		err := retryAdmin(ctx, c.Addrs(), func(adm *kadm.Client) error {
			md, err := adm.Metadata(ctx, topic)
			if err != nil {
				return err
			}
			if n = len(md.Topics[topic].Partitions); n == 0 {
				return fmt.Errorf("faults: %s has no partitions", topic)
			}
			return nil
		})
		if err != nil {
			return "", nil, err
		}
		p, err := c.PartitionOf(ctx, topic, group.PartitionFor(key, int32(n)))
		if err != nil {
			return "", nil, err
		}
		f, err := c.cutFollower(p, "the coordinator partition of "+key)
		if err != nil {
			return "", nil, err
		}
		return fmt.Sprintf("follower %d cut from %s coordinator %d", f, what, p.Leader), c.Heal, nil
	}
}

// cutFollower cuts a random follower of partition p (named what) from
// its leader.
func (c *Cluster) cutFollower(p PartitionInfo, what string) (int32, error) {
	var followers []int32
	for _, r := range p.Replicas {
		if r != p.Leader {
			followers = append(followers, r)
		}
	}
	if len(followers) == 0 {
		return -1, fmt.Errorf("%s has no follower (replicas %v)", what, p.Replicas)
	}
	f := followers[rand.IntN(len(followers))]
	c.Cut(f, p.Leader)
	return f, nil
}

// Coordinator asks the running brokers for the coordinator of group (or
// of transactional id txnID when txn) until one names it, or ctx ends.
func (c *Cluster) Coordinator(ctx context.Context, key string, txn bool) (int32, error) {
	id := int32(-1)
	err := retryAdmin(ctx, c.Addrs(), func(adm *kadm.Client) error {
		find := adm.FindGroupCoordinators
		if txn {
			find = adm.FindTxnCoordinators
		}
		r, ok := find(ctx, key)[key]
		if !ok {
			return fmt.Errorf("faults: no coordinator for %s", key)
		}
		id = r.NodeID
		return r.Err
	})
	return id, err
}

func killCoordinator(txn bool) func(context.Context, *Cluster, Target) (string, func(), error) {
	return func(ctx context.Context, c *Cluster, t Target) (string, func(), error) {
		key, what := t.Group, "group"
		if txn {
			key, what = t.TxnID, "transaction"
		}
		id, err := c.Coordinator(ctx, key, txn)
		if err != nil {
			return "", nil, err
		}
		c.Kill(id)
		return fmt.Sprintf("SIGKILL of %s coordinator %d", what, id), c.restarter(id), nil
	}
}

func pauseCoordinator(session time.Duration) func(context.Context, *Cluster, Target) (string, func(), error) {
	return func(ctx context.Context, c *Cluster, t Target) (string, func(), error) {
		id, err := c.Coordinator(ctx, t.Group, false)
		if err != nil {
			return "", nil, err
		}
		c.Pause(id)
		sleep(ctx, session)
		return fmt.Sprintf("SIGSTOP of group coordinator %d", id), func() { c.Resume(id) }, nil
	}
}
