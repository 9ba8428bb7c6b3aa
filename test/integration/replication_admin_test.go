package integration

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/gofka/gofka/pkg/gofkatest"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// startBrokers starts one controller-only node (1) and n brokers (2...),
// so brokers can stop without touching the metadata quorum.
func startBrokers(t *testing.T, n int, extra ...gofkatest.Option) *gofkatest.MultiCluster {
	return gofkatest.StartCluster(t, gofkatest.Controllers(1), gofkatest.Brokers(n), gofkatest.NodeOptions(append([]gofkatest.Option{
		gofkatest.WithConfig("broker.session.timeout.ms", "2000"),
		gofkatest.WithConfig("broker.heartbeat.interval.ms", "200"),
		gofkatest.WithConfig("replica.fetch.backoff.ms", "100"),
		gofkatest.WithConfig("replica.lag.time.max.ms", "3000")}, extra...)...))
}

// describedPartition is one partition as DescribeTopicPartitions reports it.
func describedPartition(ctx context.Context, cl *kgo.Client, topic string, p int32) (kmsg.DescribeTopicPartitionsResponseTopicPartition, error) {
	req := kmsg.NewPtrDescribeTopicPartitionsRequest()
	req.Topics = []kmsg.DescribeTopicPartitionsRequestTopic{{Topic: topic}}
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		return kmsg.DescribeTopicPartitionsResponseTopicPartition{}, err
	}
	if len(resp.Topics) != 1 || int(p) >= len(resp.Topics[0].Partitions) {
		return kmsg.DescribeTopicPartitionsResponseTopicPartition{}, fmt.Errorf("DescribeTopicPartitions %s: %+v", topic, resp)
	}
	return resp.Topics[0].Partitions[p], nil
}

// TestElectionsAndELR follows one RF=3, min.insync.replicas=2 partition
// through the loss of all three replicas: the ISR shrinks, the ELR keeps
// the replicas that left below the minimum (KIP-966), the partition is
// leaderless until an eligible replica returns (an out-of-sync one is not
// elected unless the topic allows unclean elections), and a preferred
// election gives leadership back once the ISR is whole again.
func TestElectionsAndELR(t *testing.T) {
	c := startBrokers(t, 4) // the replicas are 2, 3 and 4; 5 answers while they are down
	ctx := ctxT(t, 3*time.Minute)
	cl := clusterClient(t, c.Addrs()...)
	adm := kadm.NewClient(cl)
	createAssigned(t, ctx, cl, "el", []int32{2, 3, 4}, "min.insync.replicas", "2")
	createAssigned(t, ctx, cl, "uc", []int32{2, 3, 4}, "unclean.leader.election.enable", "true")
	produceValues(t, ctx, cl, "el", "before", 10)
	pref, b, last := int32(2), int32(3), int32(4)
	elect(t, ctx, adm, kadm.ElectPreferredReplica, "el", kerr.ElectionNotNeeded)

	watcher := clusterClient(t, c.Node(5).Addr())
	adm = kadm.NewClient(watcher) // every broker names itself the controller: stay on one that runs
	state := func(topic string) (int32, []int32, []int32, error) {
		p, err := describedPartition(ctx, watcher, topic, 0)
		return p.LeaderID, p.ISR, p.EligibleLeaderReplicas, err
	}
	waitState := func(what, topic string, ok func(leader int32, isr, elr []int32) bool) {
		t.Helper()
		var seen string
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			l, isr, elr, err := state(topic)
			if err == nil && ok(l, isr, elr) {
				return
			}
			seen = fmt.Sprintf("leader %d ISR %v ELR %v err %v", l, isr, elr, err)
		}
		t.Fatalf("timed out waiting for %s: %s", what, seen)
	}
	c.Stop(pref) // controlled shutdown: leaves the ISR, still at the minimum
	waitState("the preferred leader's replica leaves the ISR", "el", func(l int32, isr, elr []int32) bool {
		return l == b && slices.Equal(isr, []int32{b, last}) && len(elr) == 0
	})
	c.Stop(b)
	waitState("the ISR below the minimum keeps the ELR", "el", func(l int32, isr, elr []int32) bool {
		return l == last && slices.Equal(isr, []int32{last}) && slices.Equal(elr, []int32{b})
	})
	c.Stop(last)
	waitState("no leader, the ELR holds both", "el", func(l int32, isr, elr []int32) bool {
		return l == -1 && len(isr) == 0 && slices.Equal(elr, sorted(b, last))
	})
	elect(t, ctx, adm, kadm.ElectLiveReplica, "el", kerr.EligibleLeadersNotAvailable)

	c.Restart(pref) // out of sync: only the unclean topic takes it
	waitState("the unclean topic elects the out-of-sync replica", "uc", func(l int32, isr, _ []int32) bool {
		return l == pref && slices.Equal(isr, []int32{pref})
	})
	if l, _, _, err := state("el"); l != -1 || err != nil {
		t.Fatalf("out-of-sync replica %d elected for the clean topic", l)
	}
	c.Restart(b)
	// b leads with the ELR's last member left eligible, or (once the
	// restarted pref caught up and the ISR is back at the minimum) none.
	waitState("an eligible replica is elected cleanly", "el", func(l int32, isr, elr []int32) bool {
		return l == b && len(isr) > 0 && isr[0] == b && !slices.Contains(isr, last) &&
			(slices.Equal(elr, []int32{last}) && len(isr) == 1 || len(elr) == 0 && len(isr) == 2)
	})
	c.Restart(last)
	waitState("the ISR is whole again and the ELR empty", "el", func(l int32, isr, elr []int32) bool {
		return len(isr) == 3 && len(elr) == 0
	})
	elect(t, ctx, adm, kadm.ElectPreferredReplica, "el", nil)
	waitState("the preferred replica leads", "el", func(l int32, _, _ []int32) bool { return l == pref })
	if seen := consumeValues(t, ctx, c.Addrs(), "el", 10); len(seen) != 10 {
		t.Fatalf("consumed %d distinct values, want 10", len(seen))
	}
}

// createAssigned creates a one-partition topic on the given replicas with
// configs (name, value pairs).
func createAssigned(t *testing.T, ctx context.Context, cl *kgo.Client, topic string, replicas []int32, configs ...string) {
	t.Helper()
	create := kmsg.NewPtrCreateTopicsRequest()
	rt := kmsg.NewCreateTopicsRequestTopic()
	rt.Topic, rt.NumPartitions, rt.ReplicationFactor = topic, -1, -1
	rt.ReplicaAssignment = []kmsg.CreateTopicsRequestTopicReplicaAssignment{{Partition: 0, Replicas: replicas}}
	for i := 0; i+1 < len(configs); i += 2 {
		rt.Configs = append(rt.Configs, kmsg.CreateTopicsRequestTopicConfig{Name: configs[i], Value: kmsg.StringPtr(configs[i+1])})
	}
	create.Topics = append(create.Topics, rt)
	if resp, err := create.RequestWith(ctx, cl); err != nil || resp.Topics[0].ErrorCode != 0 {
		t.Fatalf("create %s: %v %+v", topic, err, resp)
	}
}

func sorted(xs ...int32) []int32 { return slices.Sorted(slices.Values(xs)) }

// elect runs an election for partition 0 of topic and checks its error.
func elect(t *testing.T, ctx context.Context, adm *kadm.Client, how kadm.ElectLeadersHow, topic string, want error) {
	t.Helper()
	res, err := adm.ElectLeaders(ctx, how, kadm.TopicsSet{topic: {0: {}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := res[topic][0].Err; !errors.Is(got, want) && (got != nil || want != nil) {
		t.Fatalf("election %v on %s: %v, want %v", how, topic, got, want)
	}
}

// TestReassignmentMovesData: a partition written on one broker moves to
// two others through AlterPartitionAssignments; the records follow it, and
// AlterPartition answers a sender that does not lead with Kafka's errors.
func TestReassignmentMovesData(t *testing.T) {
	c := startBrokers(t, 3)
	ctx := ctxT(t, 2*time.Minute)
	cl := clusterClient(t, c.Addrs()...)
	adm := kadm.NewClient(cl)
	createAssigned(t, ctx, cl, "mv", []int32{2})
	produceValues(t, ctx, cl, "mv", "v", 100)

	var req kadm.AlterPartitionAssignmentsReq
	req.Assign("mv", 0, []int32{3, 4})
	res, err := adm.AlterPartitionAssignments(ctx, req)
	if err != nil || res["mv"][0].Err != nil {
		t.Fatalf("reassign: %v %+v", err, res)
	}
	waitFor(t, 60*time.Second, "the reassignment completes", func() bool {
		listed, err := adm.ListPartitionReassignments(ctx, kadm.TopicsSet{"mv": {0: {}}})
		p := partitionLeaders(t, ctx, adm, "mv")[0]
		return err == nil && len(listed["mv"]) == 0 && slices.Equal(p.Replicas, []int32{3, 4}) && p.Leader == 3 && len(p.ISR) == 2
	})
	if seen := consumeValues(t, ctx, c.Addrs(), "mv", 100); len(seen) != 100 {
		t.Fatalf("consumed %d distinct values after the move, want 100", len(seen))
	}
	req = nil
	req.Assign("mv", 0, nil)
	if res, err := adm.AlterPartitionAssignments(ctx, req); err != nil || !errors.Is(res["mv"][0].Err, kerr.NoReassignmentInProgress) {
		t.Fatalf("cancel without a reassignment: %v %+v", err, res)
	}
	req = nil
	req.Assign("mv", 0, []int32{3, 9})
	if res, err := adm.AlterPartitionAssignments(ctx, req); err != nil || !errors.Is(res["mv"][0].Err, kerr.InvalidReplicaAssignment) {
		t.Fatalf("unknown broker: %v %+v", err, res)
	}
	alterPartitionErrors(t, ctx, c, cl)
}

// alterPartitionErrors sends AlterPartition to the controller listener as a
// registered broker that leads nothing.
func alterPartitionErrors(t *testing.T, ctx context.Context, c *gofkatest.MultiCluster, cl *kgo.Client) {
	ctrl := clusterClient(t, c.Node(1).ControllerAddr())
	reg := kmsg.NewPtrBrokerRegistrationRequest()
	reg.SetVersion(4)
	reg.BrokerID, reg.ClusterID, reg.IncarnationID = 9, c.ClusterID(), [16]byte{9}
	reg.Listeners = []kmsg.BrokerRegistrationRequestListener{{Name: "PLAINTEXT", Host: "127.0.0.1", Port: 1}}
	rr, err := reg.RequestWith(ctx, ctrl)
	if err != nil || rr.ErrorCode != 0 {
		t.Fatalf("register broker 9: %v %+v", err, rr)
	}
	defer func() {
		unreg := kmsg.NewPtrUnregisterBrokerRequest()
		unreg.BrokerID = 9
		if resp, err := unreg.RequestWith(ctx, cl); err != nil || resp.ErrorCode != 0 {
			t.Errorf("unregister broker 9: %v %+v", err, resp)
		}
	}()
	topicID := describedTopicID(t, ctx, cl, "mv")
	send := func(epoch int64, id [16]byte) (int16, int16) {
		req := kmsg.NewPtrAlterPartitionRequest()
		req.SetVersion(3)
		req.BrokerID, req.BrokerEpoch = 9, epoch
		rp := kmsg.NewAlterPartitionRequestTopicPartition()
		rp.NewEpochISR = []kmsg.AlterPartitionRequestTopicPartitionNewEpochISR{{BrokerID: 3, BrokerEpoch: -1}}
		req.Topics = []kmsg.AlterPartitionRequestTopic{{TopicID: id, Partitions: []kmsg.AlterPartitionRequestTopicPartition{rp}}}
		kresp, err := ctrl.SeedBrokers()[0].Request(ctx, req) // straight to the controller listener
		if err != nil {
			t.Fatal(err)
		}
		resp := kresp.(*kmsg.AlterPartitionResponse)
		if len(resp.Topics) == 0 {
			return resp.ErrorCode, 0
		}
		return resp.ErrorCode, resp.Topics[0].Partitions[0].ErrorCode
	}
	if top, _ := send(rr.BrokerEpoch+1, topicID); top != kerr.StaleBrokerEpoch.Code {
		t.Errorf("stale broker epoch: %v", kerr.ErrorForCode(top))
	}
	if _, code := send(rr.BrokerEpoch, topicID); code != kerr.InvalidRequest.Code {
		t.Errorf("not the leader: %v", kerr.ErrorForCode(code))
	}
	if _, code := send(rr.BrokerEpoch, [16]byte{1}); code != kerr.UnknownTopicID.Code {
		t.Errorf("unknown topic id: %v", kerr.ErrorForCode(code))
	}
}

func describedTopicID(t *testing.T, ctx context.Context, cl *kgo.Client, topic string) [16]byte {
	t.Helper()
	req := kmsg.NewPtrDescribeTopicPartitionsRequest()
	req.Topics = []kmsg.DescribeTopicPartitionsRequestTopic{{Topic: topic}}
	resp, err := req.RequestWith(ctx, cl)
	if err != nil || len(resp.Topics) != 1 {
		t.Fatalf("describe %s: %v", topic, err)
	}
	return resp.Topics[0].TopicID
}

// TestReassignmentUnderLoad: an idempotent acks=all producer keeps writing
// while one partition moves across all three brokers ([2 3] -> [3 4] ->
// [4 2] -> [2 3], each move under a replication throttle that status
// would clear); every acknowledged value is in the partition exactly once.
func TestReassignmentUnderLoad(t *testing.T) {
	c := startBrokers(t, 3)
	ctx := ctxT(t, 3*time.Minute)
	cl := clusterClient(t, c.Addrs()...)
	adm := kadm.NewClient(cl)
	createAssigned(t, ctx, cl, "load", []int32{2, 3}, "min.insync.replicas", "1")
	for _, id := range []int32{2, 3, 4} {
		if rs, err := adm.AlterBrokerConfigs(ctx, []kadm.AlterConfig{{Name: "leader.replication.throttled.rate", Value: kadm.StringPtr("50000000")},
			{Name: "follower.replication.throttled.rate", Value: kadm.StringPtr("50000000")}}, id); err != nil || rs[0].Err != nil {
			t.Fatalf("throttle broker %d: %v %+v", id, err, rs)
		}
	}
	if rs, err := adm.AlterTopicConfigs(ctx, []kadm.AlterConfig{{Name: "leader.replication.throttled.replicas", Value: kadm.StringPtr("*")},
		{Name: "follower.replication.throttled.replicas", Value: kadm.StringPtr("*")}}, "load"); err != nil || rs[0].Err != nil {
		t.Fatalf("throttle topic: %v %+v", err, rs)
	}

	prod, err := kgo.NewClient(kgo.SeedBrokers(c.Addrs()...), kgo.DefaultProduceTopic("load"), kgo.RequiredAcks(kgo.AllISRAcks()))
	if err != nil {
		t.Fatal(err)
	}
	defer prod.Close()
	acked := make(chan string, 1<<16)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { // the producer: one record at a time, each acknowledged or failed
		defer close(done)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			v := fmt.Sprintf("v-%d", i)
			if err := prod.ProduceSync(ctx, kgo.StringRecord(v)).FirstErr(); err == nil {
				acked <- v
			}
		}
	}()
	for _, target := range [][]int32{{3, 4}, {4, 2}, {2, 3}} {
		var req kadm.AlterPartitionAssignmentsReq
		req.Assign("load", 0, target)
		if res, err := adm.AlterPartitionAssignments(ctx, req); err != nil || res["load"][0].Err != nil {
			t.Fatalf("reassign to %v: %v %+v", target, err, res)
		}
		waitFor(t, 60*time.Second, fmt.Sprintf("the move to %v", target), func() bool {
			listed, err := adm.ListPartitionReassignments(ctx, kadm.TopicsSet{"load": {0: {}}})
			md, merr := adm.Metadata(ctx, "load")
			if err != nil || merr != nil {
				return false
			}
			p := md.Topics["load"].Partitions[0]
			return len(listed["load"]) == 0 && slices.Equal(p.Replicas, target) && len(p.ISR) == 2
		})
	}
	close(stop)
	<-done
	close(acked)
	var want []string
	for v := range acked {
		want = append(want, v)
	}
	if len(want) == 0 {
		t.Fatal("nothing acknowledged during the moves")
	}
	seen := consumeUntilSeen(t, ctx, c.Addrs(), "load", want)
	for _, v := range want {
		if seen[v] != 1 {
			t.Fatalf("acknowledged value %s seen %d times (of %d acknowledged)", v, seen[v], len(want))
		}
	}
	t.Logf("%d values acknowledged during three moves, all present once", len(want))
}

// consumeUntilSeen reads topic from the start until every value of want
// was read (and what came with them), counting each value.
func consumeUntilSeen(t *testing.T, ctx context.Context, addrs []string, topic string, want []string) map[string]int {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addrs...), kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	seen := map[string]int{}
	missing := len(want)
	wanted := map[string]bool{}
	for _, v := range want {
		wanted[v] = true
	}
	for missing > 0 {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("%d of %d acknowledged values never read: %v", missing, len(want), ctx.Err())
		}
		fs.EachRecord(func(r *kgo.Record) {
			v := string(r.Value)
			if seen[v]++; seen[v] == 1 && wanted[v] {
				missing--
			}
		})
	}
	return seen
}

// TestAutoLeaderRebalance: with auto.leader.rebalance.enable the active
// controller gives leadership back to a preferred replica that returned
// and caught up, without an ElectLeaders request.
func TestAutoLeaderRebalance(t *testing.T) {
	c := startBrokers(t, 3, gofkatest.WithConfig("leader.imbalance.check.interval.seconds", "1"))
	ctx := ctxT(t, 2*time.Minute)
	cl := clusterClient(t, c.Addrs()...)
	createAssigned(t, ctx, cl, "bal", []int32{2, 3, 4})
	produceValues(t, ctx, cl, "bal", "v", 20)
	watcher := kadm.NewClient(clusterClient(t, c.Node(3).Addr()))
	leader := func() kadm.PartitionDetail {
		md, err := watcher.Metadata(ctx, "bal")
		if err != nil {
			return kadm.PartitionDetail{Leader: -2}
		}
		return md.Topics["bal"].Partitions[0]
	}
	c.Stop(2)
	waitFor(t, 30*time.Second, "leadership moves off 2", func() bool { return leader().Leader == 3 })
	c.Restart(2) // it leads again only once back in the ISR
	var last kadm.PartitionDetail
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if last = leader(); last.Leader == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("2 does not lead again on its own: leader %d ISR %v", last.Leader, last.ISR)
		}
	}
	waitFor(t, 30*time.Second, "the former leader back in the ISR", func() bool { return len(leader().ISR) == 3 })
	if seen := consumeValues(t, ctx, c.Addrs(), "bal", 20); len(seen) != 20 {
		t.Fatalf("consumed %d distinct values, want 20", len(seen))
	}
}
