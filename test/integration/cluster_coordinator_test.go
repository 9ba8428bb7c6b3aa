package integration

// Coordinators on a three-node cluster: every group and transactional id
// is served by the leader of its coordinator partition, found with
// FindCoordinator; the other nodes answer NOT_COORDINATOR; when the
// leader's node stops, another replica of the coordinator partition leads
// it, loads its replicated copy, and clients find it and carry on from the
// committed offsets.

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/gofka/gofka/pkg/gofkatest"
	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

const coordParts = 6

func startCoordCluster(t *testing.T, rf string) *gofkatest.MultiCluster {
	opts := append(groupOpts(),
		gofkatest.WithConfig("broker.session.timeout.ms", "2000"),
		gofkatest.WithConfig("broker.heartbeat.interval.ms", "200"),
		gofkatest.WithConfig("offsets.topic.num.partitions", fmt.Sprint(coordParts)),
		gofkatest.WithConfig("transaction.state.log.num.partitions", fmt.Sprint(coordParts)),
		gofkatest.WithConfig("offsets.topic.replication.factor", rf),
		gofkatest.WithConfig("transaction.state.log.replication.factor", rf),
		gofkatest.WithConfig("transaction.state.log.min.isr", "1"),
	)
	return gofkatest.StartCluster(t, gofkatest.Nodes(3), gofkatest.NodeOptions(opts...))
}

// coordinatorOf asks FindCoordinator for a key and checks the answer is
// the leader of the key's coordinator partition.
func coordinatorOf(t *testing.T, ctx context.Context, cl *kgo.Client, typ int8, key string) int32 {
	t.Helper()
	var node int32 = -1
	waitFor(t, 30*time.Second, "coordinator of "+key, func() bool {
		req := kmsg.NewPtrFindCoordinatorRequest()
		req.CoordinatorType, req.CoordinatorKeys = typ, []string{key}
		resp, err := req.RequestWith(ctx, cl)
		if err != nil || len(resp.Coordinators) != 1 || resp.Coordinators[0].ErrorCode != 0 {
			return false
		}
		node = resp.Coordinators[0].NodeID
		return true
	})
	topic := "__consumer_offsets"
	if typ == 1 {
		topic = "__transaction_state"
	}
	var leader int32 = -1
	waitFor(t, 10*time.Second, fmt.Sprintf("the leader of %q's partition to be %d", key, node), func() bool {
		md, err := kadm.NewClient(cl).Metadata(ctx, topic)
		if err != nil || len(md.Topics[topic].Partitions) == 0 {
			return false
		}
		leader = md.Topics[topic].Partitions[javaPartition(key, int32(len(md.Topics[topic].Partitions)))].Leader
		return leader == node
	})
	return node
}

// javaPartition is Utils.abs(key.hashCode()) % n, written again here
// from Java's definition (UTF-16 code units) to check the broker's.
func javaPartition(key string, n int32) int32 {
	var h int32
	for _, u := range utf16Units(key) {
		h = 31*h + int32(u)
	}
	if h == -1<<31 {
		return 0
	}
	if h < 0 {
		h = -h
	}
	return h % n
}

func utf16Units(s string) []uint16 {
	var out []uint16
	for _, r := range s {
		if r >= 0x10000 {
			r -= 0x10000
			out = append(out, uint16(0xD800+(r>>10)), uint16(0xDC00+(r&0x3FF)))
			continue
		}
		out = append(out, uint16(r))
	}
	return out
}

// spreadKeys picks one key per node, each coordinated by a different node.
func spreadKeys(t *testing.T, ctx context.Context, cl *kgo.Client, typ int8, prefix string) map[int32]string {
	t.Helper()
	out := map[int32]string{}
	for i := 0; len(out) < 3 && i < 200; i++ {
		key := fmt.Sprintf("%s-%d", prefix, i)
		if node := coordinatorOf(t, ctx, cl, typ, key); out[node] == "" {
			out[node] = key
		}
	}
	if len(out) < 3 {
		t.Fatalf("coordinators of %s-*: %v, want all three nodes", prefix, out)
	}
	return out
}

// expectNotCoordinator sends OffsetFetch for a group to a node that is
// not its coordinator.
func expectNotCoordinator(t *testing.T, ctx context.Context, cl *kgo.Client, node int32, groupID string) {
	t.Helper()
	req := kmsg.NewPtrOffsetFetchRequest()
	req.Version = 8
	req.Groups = []kmsg.OffsetFetchRequestGroup{{Group: groupID}}
	resp, err := req.RequestWith(ctx, cl.Broker(int(node)))
	if err != nil {
		t.Fatal(err)
	}
	if code := resp.Groups[0].ErrorCode; code != kerr.NotCoordinator.Code {
		t.Fatalf("OffsetFetch of %s on node %d: %v, want NOT_COORDINATOR", groupID, node, kerr.ErrorForCode(code))
	}
}

// createOn creates a topic whose partitions (one replica each) are on
// the given nodes in turn.
func createOn(t *testing.T, ctx context.Context, cl *kgo.Client, topic string, parts int, nodes ...int32) {
	t.Helper()
	req := kmsg.NewPtrCreateTopicsRequest()
	rt := kmsg.NewCreateTopicsRequestTopic()
	rt.Topic, rt.NumPartitions, rt.ReplicationFactor = topic, -1, -1
	for p := 0; p < parts; p++ {
		rt.ReplicaAssignment = append(rt.ReplicaAssignment, kmsg.CreateTopicsRequestTopicReplicaAssignment{
			Partition: int32(p), Replicas: []int32{nodes[p%len(nodes)]}})
	}
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(ctx, cl)
	if err != nil || resp.Topics[0].ErrorCode != 0 {
		t.Fatalf("create %s: %v %v", topic, err, kerr.ErrorForCode(resp.Topics[0].ErrorCode))
	}
}

// stopNode stops a node and waits until the controller fenced it.
func stopNode(t *testing.T, ctx context.Context, c *gofkatest.MultiCluster, cl *kgo.Client, id int32) {
	t.Helper()
	c.Stop(id)
	waitFor(t, 30*time.Second, fmt.Sprintf("node %d fenced", id), func() bool { return fenced(ctx, cl)[id] })
}

// keysOn picks n keys coordinated by one node.
func keysOn(t *testing.T, ctx context.Context, cl *kgo.Client, typ int8, node int32, prefix string, n int) []string {
	t.Helper()
	var out []string
	for i := 0; len(out) < n && i < 500; i++ {
		key := fmt.Sprintf("%s-%d", prefix, i)
		if coordinatorOf(t, ctx, cl, typ, key) == node {
			out = append(out, key)
		}
	}
	if len(out) < n {
		t.Fatalf("found %d keys %s-* coordinated by node %d, want %d", len(out), prefix, node, n)
	}
	return out
}

// TestClusterGroupCoordinators: groups are coordinated by the leaders of
// their __consumer_offsets partitions (three replicas), and the other
// nodes answer NOT_COORDINATOR. Four groups coordinated by node 1 read a
// topic with franz-go (classic and KIP-848 members), kafka-go and sarama;
// node 1 stops: the live franz-go (classic) and kafka-go members find the
// new coordinator, rejoin and read on, and new sarama and KIP-848 members
// resume from the offsets their predecessors committed. Every record is read by every
// group, exactly once by the groups whose members left before the move: no
// acknowledged commit is lost in it.
func TestClusterGroupCoordinators(t *testing.T) {
	c := startCoordCluster(t, "3")
	ctx := ctxT(t, 4*time.Minute)
	cl := clusterClient(t, c.Addrs()...)
	for node, g := range spreadKeys(t, ctx, cl, 0, "grp") {
		expectNotCoordinator(t, ctx, cl, node%3+1, g)
	}
	groups := keysOn(t, ctx, cl, 0, 1, "mv", 4)
	t.Logf("groups (franz-go, franz-go KIP-848, kafka-go, sarama): %v", groups)
	createOn(t, ctx, cl, "cg", 6, 2, 3)
	addr := c.Node(2).Addr()
	produceN(t, addr, "cg", 0, 60)

	var mu sync.Mutex
	seen := map[string]map[string]int{}
	for _, g := range groups {
		seen[g] = map[string]int{}
	}
	count := func(g string) int { mu.Lock(); defer mu.Unlock(); return len(seen[g]) }

	classic := startFranzCommitter(t, c.Addrs(), groups[0], "cg", &mu, seen[groups[0]])
	defer classic()
	kip848 := startFranzCommitter(t, c.Addrs(), groups[1], "cg", &mu, seen[groups[1]], kgo.ServerSideBalancer())
	stopK := startKafkaGoMember(t, []string{addr, c.Node(3).Addr()}, groups[2], "cg", &mu, seen[groups[2]])
	defer stopK()
	stopS := startSaramaMember(t, addr, groups[3], "cg", saramaHandler{mu: &mu, seen: seen[groups[3]]})
	for _, g := range groups {
		waitFor(t, 60*time.Second, "60 records in "+g, func() bool { return count(g) == 60 })
	}
	stopS()
	kip848()

	stopNode(t, ctx, c, cl, 1)
	for _, g := range groups {
		if got := coordinatorOf(t, ctx, cl, 0, g); got == 1 {
			t.Fatalf("the stopped node still coordinates %s", g)
		}
	}
	produceN(t, addr, "cg", 60, 60)
	stopS = startSaramaMember(t, c.Node(3).Addr(), groups[3], "cg", saramaHandler{mu: &mu, seen: seen[groups[3]]})
	defer stopS()
	// franz-go's KIP-848 member keeps heartbeating to a coordinator it
	// cannot reach (it looks the coordinator up again only on
	// NOT_COORDINATOR), so the group gets a new member instead
	kip848 = startFranzCommitter(t, c.Addrs(), groups[1], "cg", &mu, seen[groups[1]], kgo.ServerSideBalancer())
	defer kip848()
	clients := []string{"franz-go", "franz-go KIP-848", "kafka-go", "sarama"}
	for i, g := range groups {
		waitFor(t, 90*time.Second, fmt.Sprintf("120 records in %s (%s)", g, clients[i]), func() bool { return count(g) == 120 })
	}
	time.Sleep(500 * time.Millisecond) // a re-read of committed records would show up now
	mu.Lock()
	defer mu.Unlock()
	// The franz-go classic and kafka-go members read on through the move:
	// records they read after their last acknowledged commit may come
	// again (at least once). The sarama and KIP-848 members left before it
	// with their offsets committed: they read every record exactly once.
	liveThroughMove := map[string]bool{groups[0]: true, groups[2]: true}
	for i, g := range groups {
		for k, n := range seen[g] {
			if n < 1 || n > 1 && !liveThroughMove[g] {
				t.Errorf("group %s (%s) read %s %d times", g, clients[i], k, n)
			}
		}
	}
}

// startFranzCommitter consumes a topic in a group with franz-go, committing
// every polled batch before the next poll.
func startFranzCommitter(t *testing.T, addrs []string, groupID, topic string, mu *sync.Mutex, seen map[string]int, opts ...kgo.Opt) (stop func()) {
	t.Helper()
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(addrs...), kgo.ConsumerGroup(groupID), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.DisableAutoCommit(),
		kgo.SessionTimeout(1500 * time.Millisecond), kgo.HeartbeatInterval(200 * time.Millisecond),
		kgo.FetchMaxWait(200 * time.Millisecond), kgo.RetryTimeout(60 * time.Second)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			fs := cl.PollFetches(ctx)
			var rs []*kgo.Record
			fs.EachRecord(func(r *kgo.Record) { rs = append(rs, r) })
			if len(rs) == 0 {
				continue
			}
			// count a record once its offset is committed, so a commit
			// lost in the move shows up as a second read
			if err := cl.CommitRecords(ctx, rs...); err != nil {
				continue
			}
			mu.Lock()
			for _, r := range rs {
				seen[string(r.Key)]++
			}
			mu.Unlock()
		}
	}()
	return func() { cancel(); <-done; cl.Close() }
}

// startKafkaGoMember reads a topic in a group with kafka-go, committing
// each message.
func startKafkaGoMember(t *testing.T, addrs []string, groupID, topic string, mu *sync.Mutex, seen map[string]int) (stop func()) {
	t.Helper()
	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers: addrs, GroupID: groupID, Topic: topic, MaxWait: 100 * time.Millisecond,
		SessionTimeout: 1500 * time.Millisecond, HeartbeatInterval: 200 * time.Millisecond,
		RebalanceTimeout: 3 * time.Second, StartOffset: kafka.FirstOffset, JoinGroupBackoff: 100 * time.Millisecond,
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			m, err := r.FetchMessage(ctx)
			if err != nil {
				continue
			}
			if err := r.CommitMessages(ctx, m); err != nil {
				continue
			}
			mu.Lock()
			seen[string(m.Key)]++
			mu.Unlock()
		}
	}()
	return func() { cancel(); <-done; r.Close() }
}

// TestClusterTxnCoordinator: a consume-transform-produce loop (franz-go
// GroupTransactSession) whose transaction coordinator and group
// coordinator are different nodes, over three-replica topics whose
// partitions lead on every node (markers go to other brokers); the
// transaction coordinator's node stops in the middle and the partition's
// new leader carries the transactions on. Every input record is in the
// output exactly once for read_committed readers, and a second producer
// with the same transactional id fences the first.
func TestClusterTxnCoordinator(t *testing.T) {
	c := startCoordCluster(t, "3")
	ctx := ctxT(t, 4*time.Minute)
	cl := clusterClient(t, c.Addrs()...)
	adm := kadm.NewClient(cl)
	for _, topic := range []string{"tin", "tout"} {
		if _, err := adm.CreateTopic(ctx, 6, 3, map[string]*string{"min.insync.replicas": kadm.StringPtr("2")}, topic); err != nil {
			t.Fatal(err)
		}
	}
	txnIDs := spreadKeys(t, ctx, cl, 1, "eos")
	groups := spreadKeys(t, ctx, cl, 0, "eos-group")
	const txnNode = int32(1)
	txnID, groupID := txnIDs[txnNode], groups[2]
	addr := c.Node(2).Addr()
	produceN(t, addr, "tin", 0, 60)

	sess, err := kgo.NewGroupTransactSession(kgo.SeedBrokers(c.Addrs()...), kgo.TransactionalID(txnID),
		kgo.ConsumerGroup(groupID), kgo.ConsumeTopics("tin"), kgo.DefaultProduceTopic("tout"),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.TransactionTimeout(10*time.Second),
		kgo.SessionTimeout(3*time.Second), kgo.HeartbeatInterval(300*time.Millisecond),
		kgo.FetchMaxWait(200*time.Millisecond), kgo.RetryTimeout(60*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	committed := 0
	transform := func(want int) {
		for committed < want {
			if ctx.Err() != nil {
				t.Fatalf("transformed %d of %d: %v", committed, want, ctx.Err())
			}
			pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			fs := sess.PollFetches(pctx)
			cancel()
			if err := sess.Begin(); err != nil {
				t.Fatalf("begin: %v", err)
			}
			n := 0
			fs.EachRecord(func(r *kgo.Record) {
				n++
				sess.Produce(ctx, &kgo.Record{Key: r.Key, Value: r.Key}, nil)
			})
			ok, err := sess.End(ctx, kgo.TryCommit)
			if err != nil {
				t.Logf("end transaction: %v (retried)", err)
			}
			if ok {
				committed += n
			}
		}
	}
	transform(60)
	stopNode(t, ctx, c, cl, txnNode)
	if got := coordinatorOf(t, ctx, cl, 1, txnID); got == txnNode {
		t.Fatalf("the stopped node still coordinates %s", txnID)
	}
	produceN(t, addr, "tin", 60, 60)
	transform(120)

	got := readAll(t, ctx, addr, "tout", true, 120)
	if len(got) != 120 {
		t.Fatalf("read_committed output holds %d keys, want 120", len(got))
	}
	for k, n := range got {
		if n != 1 {
			t.Errorf("output holds %s %d times", k, n)
		}
	}

	// a new producer with the same id fences the session's producer
	other, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.TransactionalID(txnID), kgo.DefaultProduceTopic("tout"))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	txnProduce(t, ctx, other, "tout", "other", 1, true)
	produceN(t, addr, "tin", 120, 6)
	for i := 0; ; i++ {
		if i == 50 {
			t.Fatal("the older producer was never fenced")
		}
		pctx, cancel := context.WithTimeout(ctx, time.Second)
		fs := sess.PollFetches(pctx)
		cancel()
		if err := sess.Begin(); err != nil {
			break
		}
		fs.EachRecord(func(r *kgo.Record) { sess.Produce(ctx, &kgo.Record{Key: r.Key, Value: r.Key}, nil) })
		ok, err := sess.End(ctx, kgo.TryCommit)
		if ok && fs.NumRecords() > 0 {
			t.Fatal("the fenced producer committed a transaction")
		}
		if err != nil || (!ok && fs.NumRecords() > 0) {
			break
		}
	}
}
