package metrics

import "github.com/prometheus/client_golang/prometheus"

// securitySeries are the authentication and authorization counters.
type securitySeries struct {
	authOK, authFailed     *prometheus.CounterVec
	reauthOK, reauthFailed *prometheus.CounterVec
	authzDenied            *prometheus.CounterVec
}

func (r *Registry) newSecurityMetrics() {
	s := &r.sec
	s.authOK = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: Namespace, Name: "authentications_total",
		Help: "Successful authentications, by mechanism: the SASL mechanism, or SSL for a TLS handshake with a client certificate on an SSL listener; re-authentications included (kafka.server socket-server-metrics successful-authentication-total).",
	}, []string{"mechanism"})
	s.authFailed = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: Namespace, Name: "authentication_failures_total",
		Help: "Failed authentications, by mechanism: the SASL mechanism, or SSL for a failed TLS handshake (kafka.server socket-server-metrics failed-authentication-total).",
	}, []string{"mechanism"})
	s.reauthOK = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: Namespace, Name: "reauthentications_total",
		Help: "Successful SASL re-authentications (KIP-368), by mechanism (kafka.server socket-server-metrics successful-reauthentication-total).",
	}, []string{"mechanism"})
	s.reauthFailed = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: Namespace, Name: "reauthentication_failures_total",
		Help: "Failed SASL re-authentications (KIP-368), by mechanism (kafka.server socket-server-metrics failed-reauthentication-total).",
	}, []string{"mechanism"})
	s.authzDenied = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: Namespace, Name: "authorization_denials_total",
		Help: "Authorization checks denied by the ACL authorizer, by API (kafka.server authorizer-metrics authorization-denied-total).",
	}, []string{"request"})
	r.reg.MustRegister(s.authOK, s.authFailed, s.reauthOK, s.reauthFailed, s.authzDenied)
}

// Authentication counts one authentication outcome for mechanism.
func (r *Registry) Authentication(mechanism string, ok bool) {
	if ok {
		r.sec.authOK.WithLabelValues(mechanism).Inc()
		return
	}
	r.sec.authFailed.WithLabelValues(mechanism).Inc()
}

// Reauthentication counts one re-authentication outcome for mechanism
// (counted as an authentication too).
func (r *Registry) Reauthentication(mechanism string, ok bool) {
	r.Authentication(mechanism, ok)
	if ok {
		r.sec.reauthOK.WithLabelValues(mechanism).Inc()
		return
	}
	r.sec.reauthFailed.WithLabelValues(mechanism).Inc()
}

// AuthorizationDenied counts one denied authorization check in API key.
func (r *Registry) AuthorizationDenied(key int16) {
	r.sec.authzDenied.WithLabelValues(APIName(key)).Inc()
}

// ACLCount reports the number of ACLs the authorizer holds, read from
// count at each scrape.
func (r *Registry) ACLCount(count func() int64) {
	r.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Namespace: Namespace, Name: "acls",
		Help: "ACLs the authorizer holds (kafka.server authorizer-metrics acls-total-count).",
	}, func() float64 { return float64(count()) }))
}
