package integration

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/gofka/gofka/internal/storage/checkpoint"
	"github.com/gofka/gofka/pkg/gofkatest"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// observerTimeout is the observer session timeout of the observer tests:
// short, so that a stopped observer leaves DescribeQuorum within the test.
const observerTimeout = "3000"

// TestClusterObservers: the broker-only nodes of a cluster with separate
// roles are the metadata quorum's observers in DescribeQuorum, as Kafka
// lists them: each with its directory id, a log end offset that follows
// the log, and fetch and caught-up times; v2's Nodes lists the voters
// only. A stopped broker leaves the list after the observer session
// timeout; restarted, it is back.
func TestClusterObservers(t *testing.T) {
	c := gofkatest.StartCluster(t, gofkatest.Controllers(3), gofkatest.Brokers(2), gofkatest.NodeOptions(
		gofkatest.WithConfig("gofka.controller.quorum.observer.session.timeout.ms", observerTimeout)))
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	// DescribeQuorum goes to broker 4, which runs throughout (a client
	// could pick broker 5 once it stopped, whose proxy holds requests).
	kcl := clusterClient(t, c.Node(4).Addr())
	pinned := kcl.SeedBrokers()[0]
	dirID := func(id int32) [16]byte {
		mp, err := checkpoint.ReadMetaProperties(filepath.Join(c.Node(id).Dir(), "meta.properties"))
		if err != nil {
			t.Fatal(err)
		}
		return [16]byte(mp.DirectoryID)
	}
	observers := func(p kmsg.DescribeQuorumResponseTopicPartition) map[int32]kmsg.DescribeQuorumResponseTopicPartitionReplicaState {
		out := map[int32]kmsg.DescribeQuorumResponseTopicPartitionReplicaState{}
		for _, o := range p.Observers {
			out[o.ReplicaID] = o
		}
		return out
	}
	caughtUp := func(p kmsg.DescribeQuorumResponseTopicPartition, id int32) bool {
		o, ok := observers(p)[id]
		return ok && o.LogEndOffset == p.HighWatermark && o.LastFetchTimestamp > 0 &&
			o.LastCaughtUpTimestamp > 0 && o.ReplicaDirectoryID == dirID(id)
	}

	var first kmsg.DescribeQuorumResponseTopicPartition
	waitFor(t, 30*time.Second, "brokers 4 and 5 as caught-up observers", func() bool {
		p, ok := describeQuorum(ctx, pinned)
		first = p
		return ok && len(p.Observers) == 2 && caughtUp(p, 4) && caughtUp(p, 5)
	})
	if got := voterIDs(first); !slices.Equal(got, []int32{1, 2, 3}) {
		t.Fatalf("voters %v, want 1 2 3", got)
	}
	checkNodes(t, ctx, pinned, []int32{1, 2, 3})

	adm := clusterAdmin(t, c.Node(4).Addr())
	if _, err := adm.CreateTopic(ctx, 1, 2, nil, "observed"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "the observers' log end offsets to follow the topic's creation", func() bool {
		p, ok := describeQuorum(ctx, pinned)
		before := observers(first)
		return ok && p.HighWatermark > first.HighWatermark && caughtUp(p, 4) && caughtUp(p, 5) &&
			observers(p)[4].LogEndOffset > before[4].LogEndOffset &&
			observers(p)[4].LastFetchTimestamp > before[4].LastFetchTimestamp
	})

	c.Stop(5)
	t0 := time.Now()
	seen := quorumLog(t)
	waitFor(t, 60*time.Second, "the stopped broker 5 to leave the observers", func() bool {
		p, ok := describeQuorum(ctx, pinned)
		seen(p, ok)
		_, listed := observers(p)[5]
		return ok && !listed && caughtUp(p, 4)
	})
	t.Logf("broker 5 left the observers %v after it stopped", time.Since(t0))
	c.Restart(5)
	waitFor(t, 30*time.Second, "the restarted broker 5 back as a caught-up observer", func() bool {
		p, ok := describeQuorum(ctx, pinned)
		seen(p, ok)
		return ok && caughtUp(p, 5)
	})
}

// checkNodes checks DescribeQuorum v2's Nodes: the voters, each with its
// controller listener, as Kafka lists them.
func checkNodes(t *testing.T, ctx context.Context, cl kmsg.Requestor, want []int32) {
	t.Helper()
	req := kmsg.NewPtrDescribeQuorumRequest()
	rt := kmsg.NewDescribeQuorumRequestTopic()
	rt.Topic, rt.Partitions = "__cluster_metadata", []kmsg.DescribeQuorumRequestTopicPartition{{Partition: 0}}
	req.Topics = append(req.Topics, rt)
	resp, err := cl.Request(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	r := resp.(*kmsg.DescribeQuorumResponse)
	if r.Version < 2 {
		t.Fatalf("DescribeQuorum v%d, want v2", r.Version)
	}
	var got []int32
	for _, n := range r.Nodes {
		if len(n.Listeners) != 1 || n.Listeners[0].Name != "CONTROLLER" || n.Listeners[0].Port == 0 {
			t.Fatalf("node %d listeners %+v", n.NodeID, n.Listeners)
		}
		got = append(got, n.NodeID)
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("DescribeQuorum nodes %v, want the voters %v", got, want)
	}
}
