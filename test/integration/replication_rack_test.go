package integration

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/gofka/gofka/pkg/gofkatest"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/twmb/franz-go/pkg/kversion"
)

// startRacked starts three nodes in racks rack-1..rack-3 with the
// rack-aware replica selector and metrics on every node.
func startRacked(t *testing.T, opts ...gofkatest.ClusterOption) *gofkatest.MultiCluster {
	opts = append(opts, gofkatest.Nodes(3), gofkatest.NodeOptions(
		gofkatest.WithConfig("replica.selector.class", "org.apache.kafka.common.replica.RackAwareReplicaSelector"),
		gofkatest.WithConfig("gofka.metrics.listen", "127.0.0.1:0"),
		gofkatest.WithConfig("replica.fetch.backoff.ms", "100")))
	for id := int32(1); id <= 3; id++ {
		opts = append(opts, gofkatest.NodeConfig(id, "broker.rack", fmt.Sprint("rack-", id)))
	}
	return gofkatest.StartCluster(t, opts...)
}

// rackTopic creates an RF=3 topic of one partition, writes n records to
// it with acks=all and names its leader's partition detail and a follower.
func rackTopic(t *testing.T, ctx context.Context, c *gofkatest.MultiCluster, topic string, n int) (*kgo.Client, kadm.PartitionDetail, int32) {
	t.Helper()
	adm := clusterAdmin(t, c.Addrs()...)
	if _, err := adm.CreateTopic(ctx, 1, 3, nil, topic); err != nil {
		t.Fatal(err)
	}
	cl := clusterClient(t, c.Addrs()...)
	produceValues(t, ctx, cl, topic, "v", n)
	pd, follower := leaderAndFollower(t, ctx, adm, topic)
	return cl, pd, follower
}

// leaderAndFollower waits until every broker's metadata has partition 0
// of an RF=3 topic with a leader, and names it and one follower.
func leaderAndFollower(t *testing.T, ctx context.Context, adm *kadm.Client, topic string) (kadm.PartitionDetail, int32) {
	t.Helper()
	var pd kadm.PartitionDetail
	waitFor(t, 30*time.Second, topic+" placed with a leader", func() bool {
		pd = partitionLeaders(t, ctx, adm, topic)[0]
		return len(pd.Replicas) == 3 && pd.Leader >= 0
	})
	follower := pd.Replicas[0]
	if follower == pd.Leader {
		follower = pd.Replicas[1]
	}
	return pd, follower
}

// bytesOut is what a node's fetch responses carried of topic's records.
func bytesOut(t *testing.T, c *gofkatest.MultiCluster, id int32, topic string) float64 {
	v, _ := lookupMetric(t, c.Node(id).MetricsAddr(), fmt.Sprintf(`gofka_topic_bytes_out_total{topic=%q}`, topic))
	return v
}

// consumeWith reads topic from the start with the client options given
// until it has n records.
func consumeWith(t *testing.T, ctx context.Context, addrs []string, topic string, n int, opts ...kgo.Opt) {
	t.Helper()
	opts = append(opts, kgo.SeedBrokers(addrs...), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	for got := 0; got < n; {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("consumed %d of %d records: %v", got, n, ctx.Err())
		}
		got += fs.NumRecords()
	}
}

// TestFetchFromFollowerRack (KIP-392): a franz-go consumer whose client.rack
// is a follower's rack is sent there by the leader (PreferredReadReplica)
// and reads every record from that follower; a consumer without a rack
// stays on the leader.
func TestFetchFromFollowerRack(t *testing.T) {
	c := startRacked(t)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	_, pd, follower := rackTopic(t, ctx, c, "near", 300)
	consumeWith(t, ctx, c.Addrs(), "near", 300)
	if b := bytesOut(t, c, follower, "near"); b != 0 {
		t.Fatalf("follower %d served %v bytes to a consumer without a rack", follower, b)
	}
	leaderBefore := bytesOut(t, c, pd.Leader, "near")

	consumeWith(t, ctx, c.Addrs(), "near", 300, kgo.Rack(fmt.Sprint("rack-", follower)))
	size := metricValue(t, c.Node(follower).MetricsAddr(), `gofka_log_size_bytes{partition="0",topic="near"}`)
	if b := bytesOut(t, c, follower, "near"); b < size {
		t.Fatalf("follower %d (leader %d) served %v bytes of its %v to a consumer in its rack", follower, pd.Leader, b, size)
	}
	t.Logf("follower %d served %v bytes; the leader %d served %v more (replication included)",
		follower, bytesOut(t, c, follower, "near"), pd.Leader, bytesOut(t, c, pd.Leader, "near")-leaderBefore)
}

// followerFetch sends one consumer Fetch for topic's partition 0 at offset
// to broker id and returns the partition's answer.
func followerFetch(t *testing.T, ctx context.Context, cl *kgo.Client, id int32, version int16, topic string, offset int64) kmsg.FetchResponseTopicPartition {
	t.Helper()
	req := kmsg.NewPtrFetchRequest()
	req.SetVersion(version)
	req.ReplicaID, req.MaxBytes, req.SessionEpoch = -1, 1<<20, -1
	req.Rack = "rack-x"
	rt := kmsg.NewFetchRequestTopic()
	rt.Topic = topic
	rp := kmsg.NewFetchRequestTopicPartition()
	rp.FetchOffset, rp.PartitionMaxBytes, rp.CurrentLeaderEpoch, rp.LogStartOffset = offset, 1<<20, -1, -1
	rt.Partitions = append(rt.Partitions, rp)
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(ctx, versionClient(t, cl, 1, version).Broker(int(id)))
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Topics) != 1 || len(resp.Topics[0].Partitions) != 1 {
		t.Fatalf("fetch v%d from %d: %+v", version, id, resp)
	}
	return resp.Topics[0].Partitions[0]
}

// TestFollowerServesConsumers: a follower answers a v11+ consumer fetch
// from its log up to its high watermark, with no records at its high
// watermark and OFFSET_OUT_OF_RANGE past its log end, as Kafka's replicas
// do; before v11 only the leader serves consumers.
func TestFollowerServesConsumers(t *testing.T) {
	c := startRacked(t)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cl, pd, follower := rackTopic(t, ctx, c, "fol", 10)
	var p kmsg.FetchResponseTopicPartition
	for p = followerFetch(t, ctx, cl, follower, 12, "fol", 0); p.HighWatermark < 10; p = followerFetch(t, ctx, cl, follower, 12, "fol", 0) {
		if time.Now().Add(time.Second).After(deadline(ctx)) {
			t.Fatalf("follower %d: error %d, high watermark %d, want 10", follower, p.ErrorCode, p.HighWatermark)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if p.ErrorCode != 0 || len(p.RecordBatches) == 0 || p.PreferredReadReplica != -1 {
		t.Errorf("follower fetch at 0: error %d, %d bytes, preferred %d", p.ErrorCode, len(p.RecordBatches), p.PreferredReadReplica)
	}
	if p := followerFetch(t, ctx, cl, follower, 12, "fol", 10); p.ErrorCode != 0 || len(p.RecordBatches) != 0 {
		t.Errorf("follower fetch at its high watermark: error %d, %d bytes", p.ErrorCode, len(p.RecordBatches))
	}
	if p := followerFetch(t, ctx, cl, follower, 12, "fol", 1000); p.ErrorCode != kerr.OffsetOutOfRange.Code {
		t.Errorf("follower fetch past its log end: error %d, want OFFSET_OUT_OF_RANGE", p.ErrorCode)
	}
	if p := followerFetch(t, ctx, cl, follower, 10, "fol", 0); p.ErrorCode != kerr.NotLeaderForPartition.Code {
		t.Errorf("v10 consumer fetch from a follower: error %d, want NOT_LEADER_OR_FOLLOWER", p.ErrorCode)
	}
	// rack-x has no replica: the leader keeps the consumer.
	if p := followerFetch(t, ctx, cl, pd.Leader, 12, "fol", 0); p.PreferredReadReplica != -1 || len(p.RecordBatches) == 0 {
		t.Errorf("leader fetch from an unknown rack: preferred %d, %d bytes", p.PreferredReadReplica, len(p.RecordBatches))
	}
}

func deadline(ctx context.Context) time.Time {
	d, _ := ctx.Deadline()
	return d
}

// versionClient is a client of cl's brokers that sends API key at most at
// version.
func versionClient(t *testing.T, cl *kgo.Client, key, version int16) *kgo.Client {
	t.Helper()
	v := kversion.Stable()
	v.SetMaxKeyVersion(key, version)
	out, err := kgo.NewClient(kgo.SeedBrokers(cl.OptValue(kgo.SeedBrokers).([]string)...), kgo.MaxVersions(v))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(out.Close)
	return out
}
