package metrics

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
)

// ReplicationStat is the node's replication state, read at scrape time:
// Kafka's kafka.server:type=ReplicaManager gauges and meters,
// type=FetcherLagMetrics and the replication throttles.
type ReplicationStat struct {
	// Leaders counts the partitions this node leads (LeaderCount).
	Leaders int
	// UnderReplicated counts led partitions whose ISR is smaller than
	// their replicas (UnderReplicatedPartitions).
	UnderReplicated int
	// UnderMinISR and AtMinISR count led partitions whose ISR is below or
	// at min.insync.replicas (UnderMinIsrPartitionCount, AtMinIsrPartitionCount).
	UnderMinISR, AtMinISR int
	// Offline counts replicas on a failed log dir (OfflineReplicaCount).
	Offline int
	// ISRShrinks and ISRExpands count the ISR changes this node proposed
	// as leader (IsrShrinksPerSec, IsrExpandsPerSec).
	ISRShrinks, ISRExpands int64
	// FetcherLag is each followed partition's lag behind its leader's high
	// watermark, in records (FetcherLagMetrics ConsumerLag).
	FetcherLag []FetcherLag
	// Throttles are the leader and follower replication throttles.
	Throttles []ThrottleStat
}

// FetcherLag is one followed partition's lag.
type FetcherLag struct {
	Topic     string
	Partition int32
	Lag       int64
}

// ThrottleStat is one replication throttle (Side "leader" or "follower"):
// its byte rate and bound (+Inf when unlimited).
type ThrottleStat struct {
	Side        string
	Rate, Bound float64
}

var (
	descLeaders = prometheus.NewDesc(Namespace+"_leader_partitions",
		"Partitions this node leads (kafka.server ReplicaManager LeaderCount).", nil, nil)
	descUnderReplicated = prometheus.NewDesc(Namespace+"_under_replicated_partitions",
		"Led partitions whose ISR is smaller than their replicas (kafka.server ReplicaManager UnderReplicatedPartitions).", nil, nil)
	descUnderMinISR = prometheus.NewDesc(Namespace+"_under_min_isr_partitions",
		"Led partitions whose ISR is below min.insync.replicas (kafka.server ReplicaManager UnderMinIsrPartitionCount).", nil, nil)
	descAtMinISR = prometheus.NewDesc(Namespace+"_at_min_isr_partitions",
		"Led partitions whose ISR is at min.insync.replicas (kafka.server ReplicaManager AtMinIsrPartitionCount).", nil, nil)
	descOffline = prometheus.NewDesc(Namespace+"_offline_replicas",
		"Replicas on a failed log dir (kafka.server ReplicaManager OfflineReplicaCount).", nil, nil)
	descISRShrinks = prometheus.NewDesc(Namespace+"_isr_shrinks_total",
		"ISR shrinks this node proposed as leader (kafka.server ReplicaManager IsrShrinksPerSec).", nil, nil)
	descISRExpands = prometheus.NewDesc(Namespace+"_isr_expands_total",
		"ISR expansions this node proposed as leader (kafka.server ReplicaManager IsrExpandsPerSec).", nil, nil)
	descFetcherLag = prometheus.NewDesc(Namespace+"_replica_fetcher_lag",
		"Records a followed partition is behind its leader's high watermark (kafka.server FetcherLagMetrics ConsumerLag).", []string{"topic", "partition"}, nil)
	descFetcherMaxLag = prometheus.NewDesc(Namespace+"_replica_fetcher_max_lag",
		"The largest lag of the partitions this node follows (kafka.server ReplicaFetcherManager MaxLag).", nil, nil)
	descThrottleRate = prometheus.NewDesc(Namespace+"_replication_throttle_byte_rate",
		"Bytes per second of throttled replicas (kafka.server type=LeaderReplication|FollowerReplication byte-rate).", []string{"side"}, nil)
	descThrottleLimit = prometheus.NewDesc(Namespace+"_replication_throttle_limit",
		"leader.replication.throttled.rate or follower.replication.throttled.rate in force, +Inf when unlimited.", []string{"side"}, nil)
)

var replicationDescs = []*prometheus.Desc{descLeaders, descUnderReplicated, descUnderMinISR, descAtMinISR,
	descOffline, descISRShrinks, descISRExpands, descFetcherLag, descFetcherMaxLag, descThrottleRate, descThrottleLimit}

func collectReplication(ch chan<- prometheus.Metric, s ReplicationStat) {
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	gauge(descLeaders, float64(s.Leaders))
	gauge(descUnderReplicated, float64(s.UnderReplicated))
	gauge(descUnderMinISR, float64(s.UnderMinISR))
	gauge(descAtMinISR, float64(s.AtMinISR))
	gauge(descOffline, float64(s.Offline))
	ch <- prometheus.MustNewConstMetric(descISRShrinks, prometheus.CounterValue, float64(s.ISRShrinks))
	ch <- prometheus.MustNewConstMetric(descISRExpands, prometheus.CounterValue, float64(s.ISRExpands))
	var maxLag int64
	for _, l := range s.FetcherLag {
		gauge(descFetcherLag, float64(l.Lag), l.Topic, strconv.Itoa(int(l.Partition)))
		maxLag = max(maxLag, l.Lag)
	}
	gauge(descFetcherMaxLag, float64(maxLag))
	for _, t := range s.Throttles {
		gauge(descThrottleRate, t.Rate, t.Side)
		gauge(descThrottleLimit, t.Bound, t.Side)
	}
}
