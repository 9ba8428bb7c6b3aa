package metrics

import "github.com/prometheus/client_golang/prometheus"

// ControllerStat is what the active controller reports at scrape time;
// Active is false (and the rest zero) on every other node, as Kafka's
// controller gauges are.
type ControllerStat struct {
	Active                                               bool
	Topics, Partitions, Offline, Imbalanced, Reassigning int
	WithELR, ActiveBrokers, FencedBrokers                int
}

var controllerDescs = []struct {
	desc *prometheus.Desc
	get  func(ControllerStat) int
}{
	{gauge("controller_active", "1 on the active controller (kafka.controller KafkaController ActiveControllerCount)."),
		func(s ControllerStat) int { return boolInt(s.Active) }},
	{gauge("controller_topics", "Topics (KafkaController GlobalTopicCount)."), func(s ControllerStat) int { return s.Topics }},
	{gauge("controller_partitions", "Partitions (KafkaController GlobalPartitionCount)."), func(s ControllerStat) int { return s.Partitions }},
	{gauge("controller_offline_partitions", "Partitions without a leader (KafkaController OfflinePartitionsCount)."),
		func(s ControllerStat) int { return s.Offline }},
	{gauge("controller_preferred_replica_imbalance", "Partitions not led by their first replica (KafkaController PreferredReplicaImbalanceCount)."),
		func(s ControllerStat) int { return s.Imbalanced }},
	{gauge("controller_reassigning_partitions", "Partitions being reassigned (KIP-455)."), func(s ControllerStat) int { return s.Reassigning }},
	{gauge("controller_elr_partitions", "Partitions with eligible leader replicas (KIP-966)."), func(s ControllerStat) int { return s.WithELR }},
	{gauge("controller_active_brokers", "Registered unfenced brokers (KafkaController ActiveBrokerCount)."),
		func(s ControllerStat) int { return s.ActiveBrokers }},
	{gauge("controller_fenced_brokers", "Registered fenced brokers (KafkaController FencedBrokerCount)."),
		func(s ControllerStat) int { return s.FencedBrokers }},
}

func gauge(name, help string) *prometheus.Desc {
	return prometheus.NewDesc(Namespace+"_"+name, help, nil, nil)
}

type controllerCollector struct{ read func() ControllerStat }

// AddController registers the controller gauges, read at scrape time.
func (r *Registry) AddController(read func() ControllerStat) {
	r.reg.MustRegister(controllerCollector{read})
}

func (controllerCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range controllerDescs {
		ch <- d.desc
	}
}

func (c controllerCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.read()
	for _, d := range controllerDescs {
		ch <- prometheus.MustNewConstMetric(d.desc, prometheus.GaugeValue, float64(d.get(s)))
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
