package metrics

import "github.com/prometheus/client_golang/prometheus"

// securitySeries are the authentication and authorization counters.
type securitySeries struct {
	authOK, authFailed *prometheus.CounterVec
	authzDenied        *prometheus.CounterVec
}

func (r *Registry) newSecurityMetrics() {
	s := &r.sec
	s.authOK = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: Namespace, Name: "authentications_total",
		Help: "Successful SASL authentications and re-authentications, by mechanism (kafka.server socket-server-metrics successful-authentication-total).",
	}, []string{"mechanism"})
	s.authFailed = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: Namespace, Name: "authentication_failures_total",
		Help: "Failed SASL authentications, by mechanism (kafka.server socket-server-metrics failed-authentication-total).",
	}, []string{"mechanism"})
	s.authzDenied = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: Namespace, Name: "authorization_denials_total",
		Help: "Authorization checks denied by the ACL authorizer, by API (kafka.server authorizer-metrics authorization-denied-total).",
	}, []string{"request"})
	r.reg.MustRegister(s.authOK, s.authFailed, s.authzDenied)
}

// Authentication counts one SASL authentication outcome for mechanism.
func (r *Registry) Authentication(mechanism string, ok bool) {
	if ok {
		r.sec.authOK.WithLabelValues(mechanism).Inc()
		return
	}
	r.sec.authFailed.WithLabelValues(mechanism).Inc()
}

// AuthorizationDenied counts one denied authorization check in API key.
func (r *Registry) AuthorizationDenied(key int16) {
	r.sec.authzDenied.WithLabelValues(APIName(key)).Inc()
}
