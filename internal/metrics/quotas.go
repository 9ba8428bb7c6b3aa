package metrics

import "github.com/prometheus/client_golang/prometheus"

// QuotaStat is one client quota's measurement, read at scrape time: Kafka's
// kafka.server:type=<Type>,user=<User>,client-id=<ClientID> group.
type QuotaStat struct {
	// Type is Kafka's quota type: Produce, Fetch, Request or
	// ControllerMutation.
	Type           string
	User, ClientID string
	// Rate is byte-rate (Produce, Fetch), request-time (Request, percent of
	// a thread) or mutation-rate (ControllerMutation, partitions/s).
	Rate float64
	// Bound is the quota in force.
	Bound float64
	// ThrottleMs is throttle-time: the average throttle of the window's
	// responses, in milliseconds.
	ThrottleMs float64
}

var (
	descQuotaByteRate = prometheus.NewDesc(Namespace+"_quota_byte_rate",
		"Bytes per second of a quota entity (kafka.server type=Produce|Fetch byte-rate).", []string{"type", "user", "client_id"}, nil)
	descQuotaRequestTime = prometheus.NewDesc(Namespace+"_quota_request_time",
		"Handler time of a quota entity, in percent of one thread (kafka.server type=Request request-time).", []string{"user", "client_id"}, nil)
	descQuotaMutationRate = prometheus.NewDesc(Namespace+"_quota_mutation_rate",
		"Partition mutations per second of a quota entity (kafka.server type=ControllerMutation mutation-rate).", []string{"user", "client_id"}, nil)
	descQuotaThrottle = prometheus.NewDesc(Namespace+"_quota_throttle_time_ms",
		"Average throttle time of a quota entity's responses in the quota window (kafka.server type=<type> throttle-time).", []string{"type", "user", "client_id"}, nil)
	descQuotaBound = prometheus.NewDesc(Namespace+"_quota_limit",
		"The quota in force for a quota entity, in the unit of its rate (no JMX equivalent).", []string{"type", "user", "client_id"}, nil)
)

var quotaDescs = []*prometheus.Desc{descQuotaByteRate, descQuotaRequestTime, descQuotaMutationRate, descQuotaThrottle, descQuotaBound}

func collectQuotas(ch chan<- prometheus.Metric, qs []QuotaStat) {
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	for _, q := range qs {
		switch q.Type {
		case "Request":
			gauge(descQuotaRequestTime, q.Rate, q.User, q.ClientID)
		case "ControllerMutation":
			gauge(descQuotaMutationRate, q.Rate, q.User, q.ClientID)
		default:
			gauge(descQuotaByteRate, q.Rate, q.Type, q.User, q.ClientID)
		}
		gauge(descQuotaThrottle, q.ThrottleMs, q.Type, q.User, q.ClientID)
		gauge(descQuotaBound, q.Bound, q.Type, q.User, q.ClientID)
	}
}
