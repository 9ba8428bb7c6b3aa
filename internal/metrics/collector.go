package metrics

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
)

// PartitionStat is one partition's log, read at scrape time.
type PartitionStat struct {
	Topic       string
	Partition   int32
	SizeBytes   int64
	Segments    int
	StartOffset int64
	EndOffset   int64
	HighWater   int64
}

// GroupStat is one consumer group, read at scrape time.
type GroupStat struct {
	Group   string
	State   string
	Members int
	Lag     []PartitionLag
}

// PartitionLag is a group's committed offset and lag on one partition.
type PartitionLag struct {
	Topic     string
	Partition int32
	Committed int64
	Lag       int64
}

// Source supplies the values read at scrape time. Any function may be nil.
type Source struct {
	Partitions func() []PartitionStat
	Groups     func() []GroupStat
	Quotas     func() []QuotaStat
	// Replication is read once per scrape (nil on a controller only).
	Replication func() ReplicationStat
}

var (
	descLogSize = prometheus.NewDesc(Namespace+"_log_size_bytes",
		"Bytes in a partition's log segments (kafka.log Log Size).", []string{"topic", "partition"}, nil)
	descLogSegments = prometheus.NewDesc(Namespace+"_log_segments",
		"Segments in a partition's log (kafka.log Log NumLogSegments).", []string{"topic", "partition"}, nil)
	descLogStart = prometheus.NewDesc(Namespace+"_log_start_offset",
		"A partition's log start offset (kafka.log Log LogStartOffset).", []string{"topic", "partition"}, nil)
	descLogEnd = prometheus.NewDesc(Namespace+"_log_end_offset",
		"A partition's log end offset (kafka.log Log LogEndOffset).", []string{"topic", "partition"}, nil)
	descHighWater = prometheus.NewDesc(Namespace+"_partition_high_watermark",
		"A partition's high watermark (kafka.cluster Partition, no JMX equivalent).", []string{"topic", "partition"}, nil)
	descPartitions = prometheus.NewDesc(Namespace+"_partitions",
		"Partitions hosted by this node (kafka.server ReplicaManager PartitionCount).", nil, nil)
	descGroups = prometheus.NewDesc(Namespace+"_consumer_groups",
		"Consumer groups by state (kafka.coordinator.group GroupMetadataManager NumGroups*).", []string{"state"}, nil)
	descGroupMembers = prometheus.NewDesc(Namespace+"_consumer_group_members",
		"Members of a consumer group.", []string{"group"}, nil)
	descGroupOffset = prometheus.NewDesc(Namespace+"_consumer_group_committed_offset",
		"A group's committed offset on a partition.", []string{"group", "topic", "partition"}, nil)
	descGroupLag = prometheus.NewDesc(Namespace+"_consumer_group_lag",
		"Records between a group's committed offset and the partition's end (consumer records-lag, computed on the broker).", []string{"group", "topic", "partition"}, nil)
)

// collector turns a Source into metrics at scrape time.
type collector struct{ src Source }

// AddSource registers the values src reads at scrape time.
func (r *Registry) AddSource(src Source) {
	r.reg.MustRegister(collector{src})
}

func (collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descLogSize, descLogSegments, descLogStart, descLogEnd, descHighWater,
		descPartitions, descGroups, descGroupMembers, descGroupOffset, descGroupLag} {
		ch <- d
	}
	for _, d := range quotaDescs {
		ch <- d
	}
	for _, d := range replicationDescs {
		ch <- d
	}
}

func (c collector) Collect(ch chan<- prometheus.Metric) {
	if c.src.Partitions != nil {
		collectPartitions(ch, c.src.Partitions())
	}
	if c.src.Groups != nil {
		collectGroups(ch, c.src.Groups())
	}
	if c.src.Quotas != nil {
		collectQuotas(ch, c.src.Quotas())
	}
	if c.src.Replication != nil {
		collectReplication(ch, c.src.Replication())
	}
}

func collectPartitions(ch chan<- prometheus.Metric, ps []PartitionStat) {
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	for _, p := range ps {
		part := strconv.Itoa(int(p.Partition))
		gauge(descLogSize, float64(p.SizeBytes), p.Topic, part)
		gauge(descLogSegments, float64(p.Segments), p.Topic, part)
		gauge(descLogStart, float64(p.StartOffset), p.Topic, part)
		gauge(descLogEnd, float64(p.EndOffset), p.Topic, part)
		gauge(descHighWater, float64(p.HighWater), p.Topic, part)
	}
	gauge(descPartitions, float64(len(ps)))
}

func collectGroups(ch chan<- prometheus.Metric, gs []GroupStat) {
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	states := map[string]int{}
	for _, g := range gs {
		states[g.State]++
		gauge(descGroupMembers, float64(g.Members), g.Group)
		for _, l := range g.Lag {
			part := strconv.Itoa(int(l.Partition))
			gauge(descGroupOffset, float64(l.Committed), g.Group, l.Topic, part)
			gauge(descGroupLag, float64(l.Lag), g.Group, l.Topic, part)
		}
	}
	for state, n := range states {
		gauge(descGroups, float64(n), state)
	}
}
