package integration

import (
	"testing"
	"time"

	"github.com/gofka/gofka/pkg/gofkatest"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// TestBrokerConfigs: a cluster-wide dynamic default changes what a topic
// without an override reports (and uses), with Kafka's sources and
// synonyms; a per-broker value wins over it; read-only settings are refused.
func TestBrokerConfigs(t *testing.T) {
	c := gofkatest.Start(t)
	ctx := ctxT(t, 30*time.Second)
	adm := newAdmin(t, c.Addr())
	if _, err := adm.CreateTopic(ctx, 1, 1, nil, "inherits"); err != nil {
		t.Fatal(err)
	}
	set := func(broker int32, name, value string) error {
		var resp kadm.AlterConfigsResponses
		var err error
		op := []kadm.AlterConfig{{Op: kadm.SetConfig, Name: name, Value: kadm.StringPtr(value)}}
		if broker < 0 {
			resp, err = adm.AlterBrokerConfigs(ctx, op)
		} else {
			resp, err = adm.AlterBrokerConfigs(ctx, op, broker)
		}
		if err == nil {
			err = resp[0].Err
		}
		return err
	}
	retention := func() (string, string) {
		rcs, err := adm.DescribeTopicConfigs(ctx, "inherits")
		if err != nil {
			t.Fatal(err)
		}
		rc, _ := rcs.On("inherits", nil)
		for _, cfg := range rc.Configs {
			if cfg.Key == "retention.ms" {
				return cfg.MaybeValue(), cfg.Source.String()
			}
		}
		t.Fatal("retention.ms not described")
		return "", ""
	}
	if err := set(-1, "log.retention.ms", "7200000"); err != nil {
		t.Fatalf("cluster-wide log.retention.ms: %v", err)
	}
	if v, src := retention(); v != "7200000" || src != "DYNAMIC_DEFAULT_BROKER_CONFIG" {
		t.Errorf("topic retention.ms after cluster default = %s (%s)", v, src)
	}
	if err := set(1, "log.retention.ms", "3600000"); err != nil {
		t.Fatalf("per-broker log.retention.ms: %v", err)
	}
	if v, src := retention(); v != "3600000" || src != "DYNAMIC_BROKER_CONFIG" {
		t.Errorf("topic retention.ms after per-broker value = %s (%s)", v, src)
	}
	if err := set(1, "node.id", "7"); err == nil {
		t.Error("read-only node.id was altered dynamically")
	}
	bcs, err := adm.DescribeBrokerConfigs(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, cfg := range bcs[0].Configs {
		if cfg.Key == "log.retention.ms" {
			found = cfg.MaybeValue() == "3600000" && cfg.Source.String() == "DYNAMIC_BROKER_CONFIG"
		}
	}
	if !found {
		t.Error("broker describe does not report log.retention.ms=3600000 from DYNAMIC_BROKER_CONFIG")
	}
}

// TestDescribeClusterAndLeaderEpochs: DescribeCluster names this node and
// cluster; OffsetForLeaderEpoch answers the end of epoch 0 and fences a
// stale leader epoch.
func TestDescribeClusterAndLeaderEpochs(t *testing.T) {
	c := gofkatest.Start(t)
	ctx := ctxT(t, 30*time.Second)
	adm := newAdmin(t, c.Addr())
	meta, err := adm.BrokerMetadata(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if meta.Cluster != c.ClusterID() || meta.Controller != 1 || len(meta.Brokers) != 1 {
		t.Fatalf("cluster metadata %+v", meta)
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.Addr()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	dc, err := kmsg.NewPtrDescribeClusterRequest().RequestWith(ctx, cl)
	if err != nil || dc.ClusterID != c.ClusterID() || len(dc.Brokers) != 1 || dc.Brokers[0].NodeID != 1 {
		t.Fatalf("DescribeCluster: %+v %v", dc, err)
	}
	if _, err := adm.CreateTopic(ctx, 1, 1, nil, "epochs"); err != nil {
		t.Fatal(err)
	}
	produceFranz(t, ctx, c.Addr(), "epochs", makeRecs("ep", 25, time.Now()))
	req := kmsg.NewPtrOffsetForLeaderEpochRequest()
	req.ReplicaID = -1
	req.Topics = []kmsg.OffsetForLeaderEpochRequestTopic{{Topic: "epochs", Partitions: []kmsg.OffsetForLeaderEpochRequestTopicPartition{
		{Partition: 0, CurrentLeaderEpoch: 0, LeaderEpoch: 0},
		{Partition: 0, CurrentLeaderEpoch: 5, LeaderEpoch: 0},
	}}}
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		t.Fatal(err)
	}
	ok, ahead := resp.Topics[0].Partitions[0], resp.Topics[0].Partitions[1]
	if ok.ErrorCode != 0 || ok.LeaderEpoch != 0 || ok.EndOffset != 25 {
		t.Errorf("epoch 0: %+v, want end offset 25", ok)
	}
	if ahead.ErrorCode != 75 { // UNKNOWN_LEADER_EPOCH: the client is ahead of us
		t.Errorf("current epoch 5: error %d, want UNKNOWN_LEADER_EPOCH", ahead.ErrorCode)
	}
}
