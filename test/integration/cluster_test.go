package integration

import (
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/gofka/gofka/internal/storage/checkpoint"
	"github.com/gofka/gofka/pkg/gofkatest"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// TestClusterMetadataQuorum: three nodes (broker and controller each)
// create topics through any node; every node serves the same metadata;
// when the active controller stops, another takes over and admin requests
// keep succeeding; the stopped node catches up when it comes back.
func TestClusterMetadataQuorum(t *testing.T) {
	c := gofkatest.StartCluster(t, gofkatest.Nodes(3), gofkatest.NodeOptions(
		gofkatest.WithConfig("broker.session.timeout.ms", "2000"),
		gofkatest.WithConfig("broker.heartbeat.interval.ms", "200")))
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	adm := clusterAdmin(t, c.Addrs()...)
	if _, err := adm.CreateTopic(ctx, 3, 3, nil, "t1"); err != nil {
		t.Fatal(err)
	}
	for _, addr := range c.Addrs() {
		expectTopics(t, ctx, addr, map[string]bool{"t1": true})
	}
	md, err := adm.Metadata(ctx, "t1")
	if err != nil {
		t.Fatal(err)
	}
	if len(md.Brokers) != 3 {
		t.Fatalf("metadata lists %d brokers, want 3", len(md.Brokers))
	}
	for _, p := range md.Topics["t1"].Partitions {
		if p.Leader < 1 || p.Leader > 3 || len(p.Replicas) != 3 {
			t.Fatalf("partition %d: leader %d replicas %v", p.Partition, p.Leader, p.Replicas)
		}
	}

	old := waitLeader(t, c)
	kcl := clusterClient(t, c.Addrs()...)
	checkQuorum(t, ctx, kcl, old)
	c.Stop(old)
	adm = clusterAdmin(t, c.Addrs()...)
	start := time.Now()
	if _, err := adm.CreateTopic(ctx, 1, 1, nil, "t2"); err != nil {
		t.Fatalf("create after the leader stopped: %v", err)
	}
	t.Logf("first change after the leader stopped took %v", time.Since(start))
	if _, err := adm.DeleteTopic(ctx, "t1"); err != nil {
		t.Fatal(err)
	}
	if rs, err := adm.AlterTopicConfigs(ctx, []kadm.AlterConfig{{Name: "retention.ms", Value: kadm.StringPtr("60000")}}, "t2"); err != nil || rs[0].Err != nil {
		t.Fatalf("alter configs: %v %v", err, rs)
	}
	l := waitLeader(t, c)
	if l == old {
		t.Fatalf("stopped node %d still leads", old)
	}
	waitFor(t, 20*time.Second, fmt.Sprintf("node %d fenced", old), func() bool { return fenced(ctx, kcl)[old] })
	waitFor(t, 10*time.Second, "3 registered controllers (KIP-919)", func() bool {
		controllers := describeControllers(t, ctx, c.Node(l).ControllerAddr())
		return controllers.ControllerID == l && len(controllers.Brokers) == 3
	})
	c.Restart(old)
	expectTopics(t, ctx, c.Node(old).Addr(), map[string]bool{"t2": true})
	waitFor(t, 20*time.Second, fmt.Sprintf("node %d unfenced", old), func() bool {
		f, ok := fenced(ctx, kcl)[old]
		return ok && !f
	})

	// Records go to each partition's leader, wherever it is.
	if _, err := adm.CreateTopic(ctx, 6, 1, nil, "data"); err != nil {
		t.Fatal(err)
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.Addrs()...), kgo.DefaultProduceTopic("data"))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	for i := 0; i < 60; i++ {
		if err := cl.ProduceSync(ctx, kgo.StringRecord(fmt.Sprint(i))).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	if got := consumeAll(t, ctx, c.Addrs()[0], "data", 60); len(got) != 60 {
		t.Fatalf("consumed %d of 60", len(got))
	}
}

func clusterAdmin(t *testing.T, addrs ...string) *kadm.Client {
	return kadm.NewClient(clusterClient(t, addrs...))
}

func clusterClient(t *testing.T, addrs ...string) *kgo.Client {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addrs...))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return cl
}

// expectTopics waits until the node at addr lists exactly want.
func expectTopics(t *testing.T, ctx context.Context, addr string, want map[string]bool) {
	t.Helper()
	expectTopicsBetween(t, ctx, addr, want, nil)
}

// expectTopicsBetween waits until the node at addr lists every topic of
// want and no other but those of maybe (creations whose outcome the
// client never learned).
func expectTopicsBetween(t *testing.T, ctx context.Context, addr string, want, maybe map[string]bool) {
	t.Helper()
	adm := clusterAdmin(t, addr)
	var last []string
	waitFor(t, 30*time.Second, fmt.Sprintf("topics on %s (%d wanted, %d maybe; last listed %v)", addr, len(want), len(maybe), &last), func() bool {
		ts, err := adm.ListTopics(ctx)
		if err != nil {
			return false
		}
		last = ts.Names()
		found := 0
		for _, n := range last {
			switch {
			case want[n]:
				found++
			case !maybe[n]:
				return false
			}
		}
		return found == len(want)
	})
}

func waitLeader(t *testing.T, c *gofkatest.MultiCluster) int32 {
	t.Helper()
	var l int32 = -1
	waitFor(t, 30*time.Second, "a quorum leader", func() bool {
		l = c.Leader()
		return l >= 0
	})
	return l
}

// checkQuorum checks DescribeQuorum: leader, three voters, all caught up.
func checkQuorum(t *testing.T, ctx context.Context, cl *kgo.Client, leader int32) {
	t.Helper()
	waitFor(t, 20*time.Second, "voters caught up", func() bool {
		p, ok := describeQuorum(ctx, cl)
		if !ok || p.LeaderID != leader || len(p.CurrentVoters) != 3 || p.HighWatermark <= 0 {
			return false
		}
		for _, v := range p.CurrentVoters {
			if v.LogEndOffset != p.HighWatermark {
				return false
			}
		}
		return true
	})
}

// fenced maps each registered broker to whether it is fenced.
func fenced(ctx context.Context, cl *kgo.Client) map[int32]bool {
	req := kmsg.NewPtrDescribeClusterRequest()
	req.IncludeFencedBrokers = true
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		return nil
	}
	out := map[int32]bool{}
	for _, b := range resp.Brokers {
		out[b.NodeID] = b.IsFenced
	}
	return out
}

// describeControllers asks a controller listener for the controllers (KIP-919).
func describeControllers(t *testing.T, ctx context.Context, addr string) *kmsg.DescribeClusterResponse {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	req := kmsg.NewPtrDescribeClusterRequest()
	req.EndpointType = 2
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// TestClusterVoterChanges adds a fourth voter and removes one while topics
// are being created: every acknowledged creation is on every voter after.
func TestClusterVoterChanges(t *testing.T) {
	c := gofkatest.StartCluster(t, gofkatest.Nodes(3))
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	kcl := clusterClient(t, c.Addrs()...)
	for id := int32(1); id <= 3; id++ {
		t.Logf("node %d: %s", id, c.Node(id).Addr())
	}
	created := make(chan creations, 1)
	stop := make(chan struct{})
	go func() { created <- createUntil(ctx, kadm.NewClient(kcl), stop) }()

	n4 := c.AddNode()
	add := kmsg.NewPtrAddRaftVoterRequest()
	add.ClusterID, add.VoterID, add.TimeoutMillis = kmsg.StringPtr(c.ClusterID()), n4.ID, 1500
	host, port := splitAddr(t, n4.ControllerAddr())
	add.Listeners = []kmsg.AddRaftVoterRequestListener{{Name: "CONTROLLER", Host: host, Port: port}}
	// Not running, node 4 cannot catch up: it is not made a voter (Kafka's
	// REQUEST_TIMED_OUT), so the quorum's majority stays that of 3.
	if resp, err := add.RequestWith(ctx, kcl); err != nil || resp.ErrorCode != kerr.RequestTimedOut.Code {
		t.Fatalf("adding voter 4 before it runs: %v %+v, want REQUEST_TIMED_OUT", err, resp)
	}
	if p, ok := describeQuorum(ctx, kcl); !ok || fmt.Sprint(voterIDs(p)) != "[1 2 3]" {
		t.Fatalf("voters after the refused addition: %v", p)
	}
	started := make(chan error, 1)
	go func() { started <- c.StartNode(n4) }()
	var dirID [16]byte // node 4's metadata dir's directory.id, its voter key with its id
	waitFor(t, 20*time.Second, "node 4 formatted", func() bool {
		mp, err := checkpoint.ReadMetaProperties(filepath.Join(n4.Dir(), "meta.properties"))
		dirID = [16]byte(mp.DirectoryID)
		return err == nil
	})
	add.TimeoutMillis, add.VoterDirectoryID = 10000, dirID
	t0 := time.Now()
	voterRequest(t, ctx, kcl, add)
	t.Logf("voter 4 added after %v", time.Since(t0))
	if err := <-started; err != nil {
		t.Fatalf("node 4: %v", err)
	}
	t.Logf("node 4: %s", n4.Addr())
	// The node answering DescribeQuorum may not have applied the addition
	// yet (a CI run listed voters 1-3 right after it was acknowledged).
	waitFor(t, 20*time.Second, fmt.Sprintf("DescribeQuorum to list voter 4 with directory id %x", dirID), func() bool {
		p, ok := describeQuorum(ctx, kcl)
		return ok && slices.ContainsFunc(p.CurrentVoters, func(v kmsg.DescribeQuorumResponseTopicPartitionReplicaState) bool {
			return v.ReplicaID == 4 && v.ReplicaDirectoryID == dirID
		})
	})
	wrong := kmsg.NewPtrRemoveRaftVoterRequest()
	wrong.ClusterID, wrong.VoterID, wrong.VoterDirectoryID = kmsg.StringPtr(c.ClusterID()), 4, [16]byte{15: 1}
	if resp, err := wrong.RequestWith(ctx, kcl); err != nil || resp.ErrorCode != kerr.VoterNotFound.Code {
		t.Fatalf("removing voter 4 by another directory id: %v %+v, want VOTER_NOT_FOUND", err, resp)
	}
	dup := *add
	if resp, err := dup.RequestWith(ctx, kcl); err != nil || resp.ErrorCode != kerr.DuplicateVoter.Code {
		t.Fatalf("adding voter 4 twice: %v %+v", err, resp)
	}
	rm := kmsg.NewPtrRemoveRaftVoterRequest()
	rm.ClusterID, rm.VoterID = kmsg.StringPtr(c.ClusterID()), 1
	t0 = time.Now()
	voterRequest(t, ctx, kcl, rm)
	t.Logf("voter 1 removed after %v", time.Since(t0))
	time.Sleep(500 * time.Millisecond) // creations go on under the new configuration
	close(stop)
	res := <-created
	names := res.created
	if len(names) == 0 {
		t.Fatal("no topic was created during the voter changes")
	}
	t0 = time.Now()
	c.Stop(1)
	t.Logf("node 1 stopped after %v", time.Since(t0))
	want, maybe := map[string]bool{}, map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	for _, n := range res.unknown {
		maybe[n] = true
	}
	for _, id := range []int32{2, 3, 4} {
		expectTopicsBetween(t, ctx, c.Node(id).Addr(), want, maybe)
	}
	kcl2 := clusterClient(t, c.Addrs()...)
	waitFor(t, 20*time.Second, "voters 2, 3, 4", func() bool {
		p, ok := describeQuorum(ctx, kcl2)
		if !ok {
			return false
		}
		return fmt.Sprint(voterIDs(p)) == "[2 3 4]"
	})
	t.Logf("%d topics created across the voter changes, %d more maybe %v", len(names), len(res.unknown), res.errs)
}

// creations are what createUntil made: the topics whose creation was
// acknowledged, and those whose outcome the client never learned.
type creations struct {
	created, unknown []string
	errs             []string // why each unknown one failed, and when
}

// createUntil creates topics one after another until stop. Each name is
// tried once, so TOPIC_ALREADY_EXISTS means the client's own retry found
// its first attempt committed (a request that timed out under load); any
// other failure leaves the outcome unknown: the controller may have
// committed a creation whose answer was lost.
func createUntil(ctx context.Context, adm *kadm.Client, stop <-chan struct{}) creations {
	var res creations
	for i := 0; ; i++ {
		select {
		case <-stop:
			return res
		default:
		}
		name := fmt.Sprintf("v-%d", i)
		start := time.Now()
		// A creation that hangs (seen: 50 s, the client's read timing out
		// twice on a node that could not reach the active controller
		// during the voter changes) is given up as unknown, so that the
		// test goes on and stop is heard.
		cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		r, err := adm.CreateTopic(cctx, 1, 1, nil, name)
		cancel()
		if err == nil {
			err = r.Err
		}
		switch {
		case err == nil || errors.Is(err, kerr.TopicAlreadyExists):
			res.created = append(res.created, name)
		default:
			res.unknown = append(res.unknown, name)
			res.errs = append(res.errs, fmt.Sprintf("%s after %v: %v", name, time.Since(start).Round(time.Millisecond), err))
		}
	}
}

// voterRequest sends a voter change until it succeeds.
func voterRequest(t *testing.T, ctx context.Context, cl *kgo.Client, req kmsg.Request) {
	t.Helper()
	var last string
	for ctx.Err() == nil {
		resp, err := cl.Request(ctx, req)
		if err == nil {
			code := int16(-1)
			switch r := resp.(type) {
			case *kmsg.AddRaftVoterResponse:
				code = r.ErrorCode
			case *kmsg.RemoveRaftVoterResponse:
				code = r.ErrorCode
			}
			if code == 0 {
				return
			}
			last = kerr.ErrorForCode(code).Error()
		} else {
			last = err.Error()
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("voter change: %s", last)
}

func splitAddr(t *testing.T, addr string) (string, uint16) {
	t.Helper()
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	p, err := strconv.Atoi(port)
	if err != nil {
		t.Fatal(err)
	}
	return host, uint16(p)
}

// TestClusterSeparateRoles: three controller-only nodes and two
// broker-only nodes (observers of the metadata log). Topics created
// through a broker reach both; a stopped broker is fenced and unfenced
// when it comes back; the active controller's loss is survived.
func TestClusterSeparateRoles(t *testing.T) {
	c := gofkatest.StartCluster(t, gofkatest.Controllers(3), gofkatest.Brokers(2), gofkatest.NodeOptions(
		gofkatest.WithConfig("broker.session.timeout.ms", "2000"),
		gofkatest.WithConfig("broker.heartbeat.interval.ms", "200")))
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	if got := len(c.Addrs()); got != 2 {
		t.Fatalf("%d client addresses, want the 2 brokers", got)
	}
	adm := clusterAdmin(t, c.Addrs()...)
	if _, err := adm.CreateTopic(ctx, 4, 2, nil, "roles"); err != nil {
		t.Fatal(err)
	}
	for _, addr := range c.Addrs() {
		expectTopics(t, ctx, addr, map[string]bool{"roles": true})
	}
	kcl := clusterClient(t, c.Node(4).Addr())
	if f := fenced(ctx, kcl); len(f) != 2 || f[4] || f[5] {
		t.Fatalf("brokers and fencing: %v, want 4 and 5 unfenced", f)
	}
	c.Stop(5)
	waitFor(t, 20*time.Second, "broker 5 fenced", func() bool { return fenced(ctx, kcl)[5] })
	unreg := kmsg.NewPtrUnregisterBrokerRequest()
	unreg.BrokerID = 5
	if resp, err := unreg.RequestWith(ctx, kcl); err != nil || resp.ErrorCode != 0 {
		t.Fatalf("unregister broker 5: %v %+v", err, resp)
	}
	waitFor(t, 10*time.Second, "broker 5 unregistered", func() bool {
		_, listed := fenced(ctx, kcl)[5]
		return !listed
	})
	unreg.BrokerID = 42
	if resp, err := unreg.RequestWith(ctx, kcl); err != nil || resp.ErrorCode != kerr.BrokerIDNotRegistered.Code {
		t.Fatalf("unregister unknown broker: %v %+v", err, resp)
	}
	c.Restart(5)
	waitFor(t, 20*time.Second, "broker 5 unfenced", func() bool {
		f, ok := fenced(ctx, kcl)[5]
		return ok && !f
	})
	leader := waitLeader(t, c)
	c.Stop(leader)
	if _, err := adm.CreateTopic(ctx, 1, 2, nil, "after"); err != nil {
		t.Fatalf("create after the active controller stopped: %v", err)
	}
	for _, addr := range c.Addrs() {
		expectTopics(t, ctx, addr, map[string]bool{"roles": true, "after": true})
	}
}

// TestClusterSnapshotCatchUp: a node that was down while the others
// compacted their logs into snapshots catches up from a snapshot.
func TestClusterSnapshotCatchUp(t *testing.T) {
	c := gofkatest.StartCluster(t, gofkatest.Nodes(3), gofkatest.NodeOptions(
		gofkatest.WithConfig("metadata.log.max.record.bytes.between.snapshots", "1")))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c.Stop(3)
	adm := clusterAdmin(t, c.Addrs()...)
	want := map[string]bool{}
	for i := 0; i < 20; i++ {
		name := fmt.Sprint("snap-", i)
		if _, err := adm.CreateTopic(ctx, 1, 1, nil, name); err != nil {
			t.Fatal(err)
		}
		want[name] = true
	}
	before := newestSnapshot(t, c.Node(3).Dir())
	// The others compacted past everything node 3 has: entries cannot
	// bring it up to date, only a snapshot can.
	if compacted := max(newestSnapshot(t, c.Node(1).Dir()), newestSnapshot(t, c.Node(2).Dir())); compacted <= before {
		t.Fatalf("the others' snapshots end at %d, node 3's at %d: nothing was compacted", compacted, before)
	}
	c.Restart(3)
	expectTopics(t, ctx, c.Node(3).Addr(), want)
	after := newestSnapshot(t, c.Node(3).Dir())
	if after <= before {
		t.Fatalf("node 3's newest snapshot ends at %d, %d before: it did not catch up from a snapshot", after, before)
	}
}

// newestSnapshot is the end offset of the newest metadata snapshot in a
// node's data dir.
func newestSnapshot(t *testing.T, dir string) int64 {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "__cluster_metadata-0", "*.checkpoint"))
	if err != nil {
		t.Fatal(err)
	}
	var newest int64
	for _, n := range names {
		var end int64
		if _, err := fmt.Sscanf(filepath.Base(n), "%020d-", &end); err == nil && end > newest {
			newest = end
		}
	}
	return newest
}
