package integration

// A slow follower of a __consumer_offsets partition delays only the
// answers that depend on that partition's unreplicated records: the group
// coordinator waits for the ISR outside its lock (internal/group
// pending.go), so other groups' heartbeats and reads are answered while a
// commit waits.

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/gofka/gofka/pkg/gofkatest"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// slowCase is a three-node cluster where node n coordinates groups a and
// b (different __consumer_offsets partitions, three replicas; the
// controllers' leader l is not n), b has one stable classic member, and a
// committed offset 1 of topic slow.
type slowCase struct {
	c            *gofkatest.MultiCluster
	ctx          context.Context
	cl           *kgo.Client
	l, n, f      int32
	a, b         string
	pa           int32
	bn, bnA, bnF *kgo.Broker // to n; each flow on its own connection (answered in order)
	member       string
	gen          int32
}

func startSlowCase(t *testing.T) *slowCase {
	opts := append(groupOpts(),
		gofkatest.WithConfig("offsets.topic.num.partitions", fmt.Sprint(coordParts)),
		gofkatest.WithConfig("offsets.topic.replication.factor", "3"),
		gofkatest.WithConfig("replica.lag.time.max.ms", "20000"),
		gofkatest.WithConfig("offsets.commit.timeout.ms", "120000"),
		gofkatest.WithConfig("gofka.metrics.listen", "127.0.0.1:0"),
	)
	s := &slowCase{c: gofkatest.StartCluster(t, gofkatest.Nodes(3), gofkatest.NodeOptions(opts...))}
	s.ctx = ctxT(t, 4*time.Minute)
	s.cl = clusterClient(t, s.c.Addrs()...)
	ct, err := kadm.NewClient(s.cl).CreateTopic(s.ctx, 1, 3, nil, "slow")
	if err != nil {
		t.Fatal(err)
	}
	slowID = ct.ID
	s.l = s.c.Leader()
	s.n, s.f = s.l%3+1, (s.l+1)%3+1
	s.a, s.b = twoPartitionGroups(t, s.ctx, s.cl, s.n)
	s.pa = javaPartition(s.a, coordParts)
	s.bn = s.cl.Broker(int(s.n))
	s.bnA = patientClient(t, s.c.Addrs()).Broker(int(s.n))
	s.bnF = patientClient(t, s.c.Addrs()).Broker(int(s.n))
	// n serves both partitions once its image names it their leader and
	// it loaded them.
	waitFor(t, 30*time.Second, "node to serve "+s.a+" and "+s.b, func() bool {
		return commitOffset(s.ctx, s.bn, s.a, 1) == 0 && fetchCommitted(s.ctx, s.bn, s.b) == -1
	})
	s.member, s.gen = stableMember(t, s.ctx, s.bn, s.b)
	for _, c := range []*kgo.Broker{s.bnA, s.bnF} { // connected before the cut
		if got := fetchCommitted(s.ctx, c, s.a); got != 1 {
			t.Fatalf("offset of %s: %d, want 1", s.a, got)
		}
	}
	return s
}

// stuckCommit cuts follower f from n and commits offset 2 for a: it
// returns once n appended the commit (which waits for the ISR), with the
// channel of its answer.
func (s *slowCase) stuckCommit(t *testing.T) <-chan int16 {
	t.Helper()
	leo := fmt.Sprintf(`gofka_log_end_offset{partition="%d",topic="__consumer_offsets"}`, s.pa)
	before := metricValue(t, s.c.Node(s.n).MetricsAddr(), leo)
	s.c.Cut(s.n, s.f)
	t.Cleanup(s.c.Heal)
	out := make(chan int16, 1)
	go func() { out <- commitOffset(s.ctx, s.bnA, s.a, 2) }()
	waitFor(t, 30*time.Second, "the commit appended", func() bool {
		v, _ := lookupMetric(t, s.c.Node(s.n).MetricsAddr(), leo)
		return v > before
	})
	return out
}

// TestGroupCoordinatorSlowFollower: the link between n and follower f is
// cut, so a commit of a waits for the ISR until n drops f from it
// (replica.lag.time.max.ms). Meanwhile b's heartbeat and offset fetch are
// answered, and a fetch of a waits for the commit rather than showing an
// offset not yet replicated; then the commit succeeds and a's offset is
// read.
func TestGroupCoordinatorSlowFollower(t *testing.T) {
	s := startSlowCase(t)
	start := time.Now()
	commitA := s.stuckCommit(t)
	fetchA := make(chan int64, 1)
	go func() { fetchA <- fetchCommitted(s.ctx, s.bnF, s.a) }()

	// On a coordinator that waits for the ISR under its lock, this
	// heartbeat waits for a's commit (until kgo gives up after 10s).
	if err := heartbeat(s.ctx, s.bn, s.b, s.member, s.gen); err != nil {
		t.Fatalf("heartbeat of %s while %s's commit waits for the ISR: %v", s.b, s.a, err)
	}
	if got := fetchCommitted(s.ctx, s.bn, s.b); got != -1 {
		t.Fatalf("offset of %s: %d, want none", s.b, got)
	}
	select {
	case code := <-commitA:
		t.Fatalf("the commit of %s was answered (%v) before the heartbeat of %s: the follower was not cut", s.a, kerr.ErrorForCode(code), s.b)
	case got := <-fetchA:
		t.Fatalf("offset of %s read as %d while its commit waits for the ISR", s.a, got)
	default:
	}
	t.Logf("%s's heartbeat and fetch answered %v after the cut", s.b, time.Since(start))
	code := <-commitA
	t.Logf("%s's commit answered %v after the cut", s.a, time.Since(start))
	if code != 0 {
		t.Fatalf("commit of %s once the ISR shrank: %v", s.a, kerr.ErrorForCode(code))
	}
	if got := <-fetchA; got != 2 {
		t.Fatalf("offset of %s after the commit: %d, want 2", s.a, got)
	}
}

// TestGroupCoordinatorMovesWhileWriteWaits: while a's commit waits for
// the ISR, the leadership of a's partition moves from n to l (preferred
// leader election): n unloads the partition with the wait pending (no
// deadlock), the commit and a fetch waiting behind it answer
// NOT_COORDINATOR, and l serves a with offset 1 or 2 (the commit reached
// l but not f; a timed-out write may still be kept, as in Kafka).
func TestGroupCoordinatorMovesWhileWriteWaits(t *testing.T) {
	s := startSlowCase(t)
	commitA := s.stuckCommit(t)
	fetchA := make(chan int64, 1)
	go func() { fetchA <- fetchCommitted(s.ctx, s.bnF, s.a) }()

	adm := kadm.NewClient(s.cl)
	var req kadm.AlterPartitionAssignmentsReq
	req.Assign("__consumer_offsets", s.pa, []int32{s.l, s.n, s.f})
	if _, err := adm.AlterPartitionAssignments(s.ctx, req); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 60*time.Second, "l to lead a's partition", func() bool {
		res, err := adm.ElectLeaders(s.ctx, kadm.ElectPreferredReplica, kadm.TopicsSet{"__consumer_offsets": {s.pa: {}}})
		if err != nil {
			return false
		}
		r := res["__consumer_offsets"][s.pa]
		return r.Err == nil || errors.Is(r.Err, kerr.ElectionNotNeeded)
	})
	if code := <-commitA; code != kerr.NotCoordinator.Code {
		t.Fatalf("commit of %s across the move: %v, want NOT_COORDINATOR", s.a, kerr.ErrorForCode(code))
	}
	if got := <-fetchA; got != -2 {
		t.Fatalf("fetch of %s across the move: %d, want an error", s.a, got)
	}
	bl := s.cl.Broker(int(s.l))
	var got int64
	waitFor(t, 60*time.Second, "l to serve "+s.a, func() bool {
		got = fetchCommitted(s.ctx, bl, s.a)
		return got >= 0
	})
	if got != 1 && got != 2 {
		t.Fatalf("offset of %s on the new coordinator: %d, want 1 or 2", s.a, got)
	}
	t.Logf("node %d serves %s with offset %d", s.l, s.a, got)
	if err := heartbeat(s.ctx, s.bn, s.b, s.member, s.gen); err != nil {
		t.Fatalf("heartbeat of %s after the move of %s: %v", s.b, s.a, err)
	}
}

// patientClient waits for answers as long as the test runs (kgo's default
// gives up on a request after 10s).
func patientClient(t *testing.T, addrs []string) *kgo.Client {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addrs...), kgo.RequestTimeoutOverhead(4*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return cl
}

// twoPartitionGroups picks two groups coordinated by node n on different
// __consumer_offsets partitions.
func twoPartitionGroups(t *testing.T, ctx context.Context, cl *kgo.Client, n int32) (string, string) {
	t.Helper()
	keys := keysOn(t, ctx, cl, 0, n, "slow", 2)
	for i := 0; javaPartition(keys[0], coordParts) == javaPartition(keys[1], coordParts); i++ {
		keys[1] = keysOn(t, ctx, cl, 0, n, fmt.Sprintf("slow%d", i), 1)[0]
	}
	return keys[0], keys[1]
}

// stableMember makes one classic member of group g join and sync.
func stableMember(t *testing.T, ctx context.Context, bn *kgo.Broker, g string) (string, int32) {
	t.Helper()
	join := func(member string) *kmsg.JoinGroupResponse {
		r := kmsg.NewPtrJoinGroupRequest()
		r.Group, r.MemberID, r.ProtocolType = g, member, "consumer"
		r.SessionTimeoutMillis, r.RebalanceTimeoutMillis = 60000, 60000
		r.Protocols = []kmsg.JoinGroupRequestProtocol{{Name: "range", Metadata: []byte{}}}
		resp, err := r.RequestWith(ctx, bn)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	resp := join("")
	if resp.ErrorCode == kerr.MemberIDRequired.Code {
		resp = join(resp.MemberID)
	}
	if resp.ErrorCode != 0 {
		t.Fatalf("join %s: %v", g, kerr.ErrorForCode(resp.ErrorCode))
	}
	s := kmsg.NewPtrSyncGroupRequest()
	s.Group, s.MemberID, s.Generation = g, resp.MemberID, resp.Generation
	s.GroupAssignment = []kmsg.SyncGroupRequestGroupAssignment{{MemberID: resp.MemberID, MemberAssignment: []byte{}}}
	sr, err := s.RequestWith(ctx, bn)
	if err != nil || sr.ErrorCode != 0 {
		t.Fatalf("sync %s: %v %v", g, err, kerr.ErrorForCode(sr.ErrorCode))
	}
	return resp.MemberID, resp.Generation
}

func heartbeat(ctx context.Context, bn *kgo.Broker, g, member string, gen int32) error {
	r := kmsg.NewPtrHeartbeatRequest()
	r.Group, r.MemberID, r.Generation = g, member, gen
	resp, err := r.RequestWith(ctx, bn)
	if err != nil {
		return err
	}
	return kerr.ErrorForCode(resp.ErrorCode)
}

// slowID is the id of topic slow (OffsetCommit v10 and OffsetFetch v10
// name topics by id).
var slowID [16]byte

// commitOffset commits offset o of slow-0 for group g without a member.
func commitOffset(ctx context.Context, bn *kgo.Broker, g string, o int64) int16 {
	r := kmsg.NewPtrOffsetCommitRequest()
	r.Group, r.Generation = g, -1
	r.Topics = []kmsg.OffsetCommitRequestTopic{{Topic: "slow", TopicID: slowID, Partitions: []kmsg.OffsetCommitRequestTopicPartition{{Partition: 0, Offset: o, LeaderEpoch: -1}}}}
	resp, err := r.RequestWith(ctx, bn)
	if err != nil {
		return kerr.UnknownServerError.Code
	}
	return resp.Topics[0].Partitions[0].ErrorCode
}

// fetchCommitted is group g's committed offset of slow-0 (-1: none, -2:
// an error).
func fetchCommitted(ctx context.Context, bn *kgo.Broker, g string) int64 {
	r := kmsg.NewPtrOffsetFetchRequest()
	r.Version = 8
	r.Groups = []kmsg.OffsetFetchRequestGroup{{Group: g, Topics: []kmsg.OffsetFetchRequestGroupTopic{{Topic: "slow", TopicID: slowID, Partitions: []int32{0}}}}}
	resp, err := r.RequestWith(ctx, bn)
	if err != nil || len(resp.Groups) != 1 || resp.Groups[0].ErrorCode != 0 || len(resp.Groups[0].Topics) != 1 {
		return -2
	}
	p := resp.Groups[0].Topics[0].Partitions[0]
	if p.ErrorCode != 0 {
		return -2
	}
	return p.Offset
}
