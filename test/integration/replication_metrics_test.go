package integration

import (
	"context"
	"testing"
	"time"

	"github.com/gofka/gofka/pkg/gofkatest"
	"github.com/twmb/franz-go/pkg/kadm"
)

// startObserved starts three nodes with fast fencing, fast fetch retries
// and metrics on every node, and the properties given as name, value pairs.
func startObserved(t *testing.T, props ...string) *gofkatest.MultiCluster {
	opts := []gofkatest.Option{
		gofkatest.WithConfig("broker.session.timeout.ms", "2000"),
		gofkatest.WithConfig("broker.heartbeat.interval.ms", "200"),
		gofkatest.WithConfig("replica.fetch.backoff.ms", "100"),
		gofkatest.WithConfig("gofka.metrics.listen", "127.0.0.1:0"),
	}
	for i := 0; i+1 < len(props); i += 2 {
		opts = append(opts, gofkatest.WithConfig(props[i], props[i+1]))
	}
	return gofkatest.StartCluster(t, gofkatest.Nodes(3), gofkatest.NodeOptions(opts...))
}

// nodeMetric is one series of node id's metrics, 0 while absent or while
// the node is stopped.
func nodeMetric(t *testing.T, c *gofkatest.MultiCluster, id int32, series string) float64 {
	addr := c.Node(id).MetricsAddr()
	if addr == "" {
		return 0
	}
	v, _ := lookupMetric(t, addr, series)
	return v
}

// sumMetric adds a series over the nodes given.
func sumMetric(t *testing.T, c *gofkatest.MultiCluster, series string, ids ...int32) float64 {
	var sum float64
	for _, id := range ids {
		sum += nodeMetric(t, c, id, series)
	}
	return sum
}

// TestReplicationMetrics: the ReplicaManager gauges and counters move as a
// broker of an RF=3 cluster stops (under-replicated and at-min-ISR
// partitions on the leaders, followers lagging) and comes back (ISR
// expansions, nothing under-replicated).
func TestReplicationMetrics(t *testing.T) {
	c := startObserved(t, "replica.lag.time.max.ms", "3000")
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	adm := clusterAdmin(t, c.Addrs()...)
	if _, err := adm.CreateTopic(ctx, 3, 3, map[string]*string{"min.insync.replicas": kadm.StringPtr("2")}, "rm"); err != nil {
		t.Fatal(err)
	}
	all := []int32{1, 2, 3}
	waitFor(t, 30*time.Second, "three leaders and nothing under-replicated", func() bool {
		return sumMetric(t, c, "gofka_leader_partitions", all...) >= 3 &&
			sumMetric(t, c, "gofka_under_replicated_partitions", all...) == 0
	})
	if v := sumMetric(t, c, "gofka_at_min_isr_partitions", all...); v != 0 {
		t.Errorf("%v partitions at min ISR with every replica in sync", v)
	}

	victim := int32(3)
	live := []int32{1, 2}
	c.Stop(victim)
	waitFor(t, 30*time.Second, "under-replicated partitions on the live nodes", func() bool {
		return sumMetric(t, c, "gofka_under_replicated_partitions", live...) == 3 &&
			sumMetric(t, c, "gofka_at_min_isr_partitions", live...) == 3
	})
	if v := sumMetric(t, c, "gofka_under_min_isr_partitions", live...); v != 0 {
		t.Errorf("%v partitions under min ISR with two of three in sync", v)
	}
	produceValues(t, ctx, clusterClient(t, c.Addrs()...), "rm", "v", 300)
	expands := sumMetric(t, c, "gofka_isr_expands_total", live...)

	c.Restart(victim)
	waitFor(t, 60*time.Second, "nothing under-replicated once the broker is back", func() bool {
		return sumMetric(t, c, "gofka_under_replicated_partitions", all...) == 0 &&
			sumMetric(t, c, "gofka_leader_partitions", all...) >= 3
	})
	if v := sumMetric(t, c, "gofka_isr_expands_total", all...); v <= expands {
		t.Errorf("ISR expansions %v after the broker returned, %v before", v, expands)
	}
	waitFor(t, 30*time.Second, "the returned broker's fetchers caught up", func() bool {
		return nodeMetric(t, c, victim, "gofka_replica_fetcher_max_lag") == 0
	})
}
