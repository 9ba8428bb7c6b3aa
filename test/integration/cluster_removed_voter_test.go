package integration

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/gofka/gofka/pkg/gofkatest"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// TestClusterRemovedVoterFollows: a voter RemoveRaftVoter removed from the
// metadata quorum goes on running as an observer, as Kafka's does: it
// knows the leader, its metadata follows the topics created after its
// removal, an admin request sent to it (a broker too, it forwards to the
// active controller) is answered promptly, DescribeQuorum lists it as an
// observer, its shutdown is prompt. Stopped, it leaves the observers after
// the observer session timeout (and the leader stops replicating to it);
// restarted, it follows again from where it was and is listed again; and
// AddRaftVoter makes it a voter again.
func TestClusterRemovedVoterFollows(t *testing.T) {
	c := gofkatest.StartCluster(t, gofkatest.Nodes(3), gofkatest.NodeOptions(
		gofkatest.WithConfig("gofka.controller.quorum.observer.session.timeout.ms", observerTimeout)))
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	kcl := clusterClient(t, c.Addrs()...)
	rm := int32(1)
	if waitLeader(t, c) == rm {
		rm = 2
	}
	req := kmsg.NewPtrRemoveRaftVoterRequest()
	req.ClusterID, req.VoterID = kmsg.StringPtr(c.ClusterID()), rm
	voterRequest(t, ctx, kcl, req)

	waitFor(t, 20*time.Second, "the removed node to know the leader", func() bool {
		l := c.Node(rm).QuorumLeader()
		return l >= 0 && l != rm && l == c.Leader()
	})
	// Straight to the removed node, which forwards to the active controller.
	rcl := clusterClient(t, c.Node(rm).Addr())
	direct := func(req kmsg.Request) (kmsg.Response, error) {
		return rcl.SeedBrokers()[0].Request(ctx, req)
	}
	create := kmsg.NewPtrCreateTopicsRequest()
	ct := kmsg.NewCreateTopicsRequestTopic()
	ct.Topic, ct.NumPartitions, ct.ReplicationFactor = "after-removal", 1, 3
	create.Topics, create.TimeoutMillis = append(create.Topics, ct), 20000
	t0 := time.Now()
	resp, err := direct(create)
	took := time.Since(t0)
	if err != nil {
		t.Fatalf("CreateTopics through the removed node: %v", err)
	}
	if code := resp.(*kmsg.CreateTopicsResponse).Topics[0].ErrorCode; code != 0 {
		t.Fatalf("CreateTopics through the removed node: %v", kerr.ErrorForCode(code))
	}
	t.Logf("CreateTopics through the removed node answered in %v", took)
	if took > 15*time.Second { // the forward timeout is 30 s
		t.Fatalf("CreateTopics through the removed node took %v", took)
	}
	waitFor(t, 20*time.Second, "the removed node's metadata to list the new topic", func() bool {
		resp, err := direct(kmsg.NewPtrMetadataRequest())
		return err == nil && slices.ContainsFunc(resp.(*kmsg.MetadataResponse).Topics,
			func(t kmsg.MetadataResponseTopic) bool { return t.Topic != nil && *t.Topic == "after-removal" })
	})

	observer := func(p kmsg.DescribeQuorumResponseTopicPartition) bool {
		voters := voterIDs(p)
		return len(voters) == 2 && !slices.Contains(voters, rm) && len(p.Observers) == 1 &&
			p.Observers[0].ReplicaID == rm && p.Observers[0].LogEndOffset == p.HighWatermark &&
			p.Observers[0].LastFetchTimestamp > 0
	}
	waitFor(t, 20*time.Second, "the removed node as a caught-up observer", func() bool {
		p, ok := describeQuorum(ctx, kcl)
		return ok && observer(p)
	})

	// From here on, DescribeQuorum goes to one node that runs throughout.
	other := int32(3)
	if rm == 3 {
		other = 2
	}
	ocl := clusterClient(t, c.Node(other).Addr())
	pinned := ocl.SeedBrokers()[0]
	t0 = time.Now()
	c.Stop(rm)
	took = time.Since(t0)
	t.Logf("the removed node stopped in %v", took)
	if took > 4*time.Second {
		t.Fatalf("the removed node took %v to stop", took)
	}

	seen := quorumLog(t)
	waitFor(t, 30*time.Second, "the stopped removed node to leave the observers", func() bool {
		p, ok := describeQuorum(ctx, pinned)
		seen(p, ok)
		return ok && len(p.Observers) == 0 && len(p.CurrentVoters) == 2
	})
	adm := clusterAdmin(t, c.Node(other).Addr())
	if _, err := adm.CreateTopic(ctx, 1, 2, nil, "while-stopped"); err != nil {
		t.Fatal(err)
	}

	// Restarted, it follows again; added back, it votes.
	c.Restart(rm)
	waitFor(t, 30*time.Second, "the restarted removed node as a caught-up observer", func() bool {
		p, ok := describeQuorum(ctx, pinned)
		seen(p, ok)
		return ok && observer(p)
	})
	expectTopics(t, ctx, c.Node(rm).Addr(), map[string]bool{"after-removal": true, "while-stopped": true})
	add := kmsg.NewPtrAddRaftVoterRequest()
	add.ClusterID, add.VoterID, add.TimeoutMillis = kmsg.StringPtr(c.ClusterID()), rm, 10000
	host, port := splitAddr(t, c.Node(rm).ControllerAddr())
	add.Listeners = []kmsg.AddRaftVoterRequestListener{{Name: "CONTROLLER", Host: host, Port: port}}
	voterRequest(t, ctx, kcl, add)
	waitFor(t, 20*time.Second, "three voters again, no observer", func() bool {
		p, ok := describeQuorum(ctx, pinned)
		return ok && len(p.CurrentVoters) == 3 && len(p.Observers) == 0
	})
	expectTopics(t, ctx, c.Node(rm).Addr(), map[string]bool{"after-removal": true, "while-stopped": true})
}

// describeQuorum asks for the metadata partition's quorum, within 10 s (a
// client may pick a node that stopped, whose proxy holds the request).
func describeQuorum(ctx context.Context, cl kmsg.Requestor) (kmsg.DescribeQuorumResponseTopicPartition, bool) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req := kmsg.NewPtrDescribeQuorumRequest()
	rt := kmsg.NewDescribeQuorumRequestTopic()
	rt.Topic, rt.Partitions = "__cluster_metadata", []kmsg.DescribeQuorumRequestTopicPartition{{Partition: 0}}
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(ctx, cl)
	if err != nil || resp.ErrorCode != 0 || len(resp.Topics) != 1 || len(resp.Topics[0].Partitions) != 1 {
		return kmsg.DescribeQuorumResponseTopicPartition{}, false
	}
	return resp.Topics[0].Partitions[0], true
}

// quorumLog logs each DescribeQuorum answer that differs from the one
// before in its voters and observers (ids, log end offsets, and whether
// fetched within the last second): what a wait on the quorum saw, should
// it time out.
func quorumLog(t *testing.T) func(p kmsg.DescribeQuorumResponseTopicPartition, ok bool) {
	last := ""
	return func(p kmsg.DescribeQuorumResponseTopicPartition, ok bool) {
		s := fmt.Sprintf("ok=%v leader=%d hw=%d", ok, p.LeaderID, p.HighWatermark)
		now := time.Now().UnixMilli()
		for _, rs := range [][]kmsg.DescribeQuorumResponseTopicPartitionReplicaState{p.CurrentVoters, p.Observers} {
			s += " |"
			for _, r := range rs {
				s += fmt.Sprintf(" %d@%d/%v", r.ReplicaID, r.LogEndOffset, now-r.LastFetchTimestamp < 1000)
			}
		}
		if s != last {
			t.Logf("DescribeQuorum: %s", s)
			last = s
		}
	}
}

// voterIDs lists the replica ids of a DescribeQuorum answer's voters.
func voterIDs(p kmsg.DescribeQuorumResponseTopicPartition) []int32 {
	var ids []int32
	for _, v := range p.CurrentVoters {
		ids = append(ids, v.ReplicaID)
	}
	return ids
}
