package metrics

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Namespace prefixes every Gofka metric name.
const Namespace = "gofka"

// latencyBuckets are request latency bounds in seconds, from 0.1ms to 10s.
var latencyBuckets = []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// Registry holds every Gofka metric.
type Registry struct {
	reg *prometheus.Registry

	requests       *prometheus.CounterVec
	requestErrors  *prometheus.CounterVec
	requestLatency *prometheus.HistogramVec
	connsOpened    prometheus.Counter
	connsClosed    prometheus.Counter
	conns          prometheus.Gauge

	bytesIn, bytesOut       *prometheus.CounterVec
	messagesIn, messagesOut *prometheus.CounterVec

	apis [kmsg.MaxKey + 1]apiSeries // by API key, filled up front

	topicsMu sync.RWMutex
	topics   map[string]*topicSeries

	sec securitySeries // security.go
}

// apiSeries are one API's pre-resolved series.
type apiSeries struct {
	requests prometheus.Counter
	closed   prometheus.Counter
	latency  prometheus.Observer
}

// topicSeries are one topic's pre-resolved series.
type topicSeries struct {
	bytesIn, bytesOut       prometheus.Counter
	messagesIn, messagesOut prometheus.Counter
}

// New returns a registry with Gofka's metrics and the Go runtime and process
// collectors registered.
func New() *Registry {
	r := &Registry{reg: prometheus.NewRegistry(), topics: map[string]*topicSeries{}}
	r.newRequestMetrics()
	r.newTopicMetrics()
	r.newSecurityMetrics()
	r.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for key := range r.apis {
		r.apis[key] = r.resolveAPI(int16(key))
	}
	return r
}

func (r *Registry) newRequestMetrics() {
	r.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: Namespace, Name: "requests_total",
		Help: "Requests answered, by API (kafka.network RequestMetrics RequestsPerSec).",
	}, []string{"request"})
	r.requestErrors = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: Namespace, Name: "request_errors_total",
		Help: "Error codes in responses, by API and Kafka error name (kafka.network RequestMetrics ErrorsPerSec).",
	}, []string{"request", "error"})
	r.requestLatency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: Namespace, Name: "request_duration_seconds", Buckets: latencyBuckets,
		Help: "Time from a request's arrival to its response written, by API (kafka.network RequestMetrics TotalTimeMs).",
	}, []string{"request"})
	r.connsOpened = prometheus.NewCounter(prometheus.CounterOpts{
		Namespace: Namespace, Name: "connections_opened_total",
		Help: "Client connections accepted (kafka.server socket-server-metrics connection-creation-total).",
	})
	r.connsClosed = prometheus.NewCounter(prometheus.CounterOpts{
		Namespace: Namespace, Name: "connections_closed_total",
		Help: "Client connections closed (kafka.server socket-server-metrics connection-close-total).",
	})
	r.conns = prometheus.NewGauge(prometheus.GaugeOpts{
		Namespace: Namespace, Name: "connections",
		Help: "Open client connections (kafka.server socket-server-metrics connection-count).",
	})
	r.reg.MustRegister(r.requests, r.requestErrors, r.requestLatency, r.connsOpened, r.connsClosed, r.conns)
}

func (r *Registry) newTopicMetrics() {
	counter := func(name, help string) *prometheus.CounterVec {
		c := prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: Namespace, Name: name, Help: help}, []string{"topic"})
		r.reg.MustRegister(c)
		return c
	}
	r.bytesIn = counter("topic_bytes_in_total", "Record batch bytes appended by producers, by topic (kafka.server BrokerTopicMetrics BytesInPerSec).")
	r.bytesOut = counter("topic_bytes_out_total", "Record batch bytes sent to consumers, by topic (kafka.server BrokerTopicMetrics BytesOutPerSec).")
	r.messagesIn = counter("topic_messages_in_total", "Records appended by producers, by topic (kafka.server BrokerTopicMetrics MessagesInPerSec).")
	r.messagesOut = counter("topic_messages_out_total", "Records sent to consumers, by topic (no Kafka equivalent; counted from batch headers).")
}

// resolveAPI creates the series of one API key.
func (r *Registry) resolveAPI(key int16) apiSeries {
	name := APIName(key)
	return apiSeries{
		requests: r.requests.WithLabelValues(name),
		closed:   r.requestErrors.WithLabelValues(name, "CONNECTION_CLOSED"),
		latency:  r.requestLatency.WithLabelValues(name),
	}
}

// APIName is the request label of an API key: kmsg's name (Kafka's
// request name, as in "request=Produce"), or the key number.
func APIName(key int16) string {
	if req := kmsg.RequestForKey(key); req != nil {
		return kmsg.NameForKey(key)
	}
	return strconv.Itoa(int(key))
}

// Prometheus is the underlying registry, for tests and extra collectors.
func (r *Registry) Prometheus() *prometheus.Registry { return r.reg }

// Handler serves the registry in Prometheus' text (or OpenMetrics) format.
func (r *Registry) Handler() http.Handler {
	return promhttp.HandlerFor(r.reg, promhttp.HandlerOpts{Registry: r.reg})
}

// Request records one answered request. closed marks a request whose
// answer was closing the connection.
func (r *Registry) Request(key int16, dur time.Duration, closed bool) {
	if key < 0 || int(key) >= len(r.apis) {
		return
	}
	s := &r.apis[key]
	s.requests.Inc()
	s.latency.Observe(dur.Seconds())
	if closed {
		s.closed.Inc()
	}
}

// RequestError counts one error code in a response to API key.
func (r *Registry) RequestError(key int16, errName string) {
	r.requestErrors.WithLabelValues(APIName(key), errName).Inc()
}

// ConnOpened counts an accepted connection.
func (r *Registry) ConnOpened() { r.connsOpened.Inc(); r.conns.Inc() }

// ConnClosed counts a closed connection.
func (r *Registry) ConnClosed() { r.connsClosed.Inc(); r.conns.Dec() }
