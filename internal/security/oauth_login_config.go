package security

// An OAUTHBEARER login from Kafka's properties: the login callback
// handler (sasl.login.callback.handler.class) selects it, the token
// endpoint (sasl.oauthbearer.token.endpoint.url) says where tokens come
// from, and the JAAS options of OAuthBearerLoginModule carry clientId,
// clientSecret and scope (and ssl.* options for an https endpoint, as
// Kafka's JaasOptionsUtils reads them).

import (
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// OAuthLoginHandlers are Kafka's class names of the login callback
// handler that retrieves signed tokens (the second is the name before
// Kafka 3.4).
var OAuthLoginHandlers = []string{
	"org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginCallbackHandler",
	"org.apache.kafka.common.security.oauthbearer.secured.OAuthBearerLoginCallbackHandler",
}

// IsOAuthLoginHandler reports whether class names Kafka's signed-token
// login callback handler.
func IsOAuthLoginHandler(class string) bool {
	return slices.Contains(OAuthLoginHandlers, strings.TrimSpace(class))
}

// NewOAuthLoginFrom builds a login (not started) from the properties get
// returns (with the listener and mechanism prefixes applied, defaults
// filled) and the JAAS options j. Errors name the property, never a
// secret.
func NewOAuthLoginFrom(get func(string) string, j *JAAS, log *slog.Logger) (*OAuthLogin, error) {
	p := propReader{get: get}
	refresh := RefreshConfig{
		WindowFactor: p.float("sasl.login.refresh.window.factor", DefaultRefresh.WindowFactor, 0.5, 1),
		WindowJitter: p.float("sasl.login.refresh.window.jitter", DefaultRefresh.WindowJitter, 0, 0.25),
		MinPeriod:    p.dur("sasl.login.refresh.min.period.seconds", time.Second, DefaultRefresh.MinPeriod, 0, 900),
		Buffer:       p.dur("sasl.login.refresh.buffer.seconds", time.Second, DefaultRefresh.Buffer, 0, 3600),
	}
	r, err := newRetriever(&p, j)
	if p.err != nil {
		return nil, p.err
	}
	if err != nil {
		return nil, err
	}
	return NewOAuthLogin(OAuthLoginConfig{Retriever: r, Refresh: refresh, SubClaim: get("sasl.oauthbearer.sub.claim.name"), Logger: log}), nil
}

// newRetriever reads the token endpoint: a file: URL or an http(s) one.
func newRetriever(p *propReader, j *JAAS) (TokenRetriever, error) {
	endpoint := strings.TrimSpace(p.get("sasl.oauthbearer.token.endpoint.url"))
	if endpoint == "" {
		return nil, fmt.Errorf("security: the OAUTHBEARER login callback handler needs sasl.oauthbearer.token.endpoint.url")
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return nil, fmt.Errorf("security: sasl.oauthbearer.token.endpoint.url %q does not parse", endpoint)
	}
	if u.Scheme == "file" {
		return FileTokenRetriever{Path: cmp(u.Path, u.Opaque)}, nil
	}
	c := ClientCredentials{TokenURL: endpoint, ClientID: j.Options["clientId"], ClientSecret: j.Options["clientSecret"],
		Scope:           j.Options["scope"],
		URLEncodeHeader: p.bool("sasl.oauthbearer.header.urlencode"),
		ConnectTimeout:  p.dur("sasl.login.connect.timeout.ms", time.Millisecond, 0, 0, 1<<31-1),
		ReadTimeout:     p.dur("sasl.login.read.timeout.ms", time.Millisecond, 0, 0, 1<<31-1),
		RetryBackoff:    p.dur("sasl.login.retry.backoff.ms", time.Millisecond, 100*time.Millisecond, 0, 1<<40),
		RetryBackoffMax: p.dur("sasl.login.retry.backoff.max.ms", time.Millisecond, 10*time.Second, 0, 1<<40),
	}
	if u.Scheme == "https" && hasSSLOptions(j) {
		s := TLSSettingsFrom(func(n string) string { return j.Options[n] })
		if !hasOption(j, "ssl.endpoint.identification.algorithm") {
			s.EndpointIdentification = "https" // Kafka's default
		}
		tc, err := NewClientTLS(s, -1, nil)
		if err != nil {
			return nil, fmt.Errorf("security: TLS to the token endpoint from the sasl.jaas.config ssl options: %w", err)
		}
		c.TLS = tc.Config()
	}
	return NewHTTPTokenRetriever(c)
}

func hasSSLOptions(j *JAAS) bool {
	for k := range j.Options {
		if strings.HasPrefix(k, "ssl.") {
			return true
		}
	}
	return false
}

func hasOption(j *JAAS, name string) bool {
	_, ok := j.Options[name]
	return ok
}

// propReader parses properties, keeping the first error.
type propReader struct {
	get func(string) string
	err error
}

func (p *propReader) fail(name, v, want string) {
	if p.err == nil {
		p.err = fmt.Errorf("security: %s=%q: %s", name, v, want)
	}
}

// dur reads an integer property in [lo, hi] as a duration of unit (def
// when unset).
func (p *propReader) dur(name string, unit, def time.Duration, lo, hi int64) time.Duration {
	v := strings.TrimSpace(p.get(name))
	if v == "" {
		return def
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < lo || n > hi {
		p.fail(name, v, fmt.Sprintf("must be an integer from %d to %d", lo, hi))
		return 0
	}
	return time.Duration(n) * unit
}

// float reads a double property in [lo, hi] (def when unset).
func (p *propReader) float(name string, def, lo, hi float64) float64 {
	v := strings.TrimSpace(p.get(name))
	if v == "" {
		return def
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < lo || f > hi {
		p.fail(name, v, fmt.Sprintf("must be a number from %v to %v", lo, hi))
	}
	return f
}

// bool reads a boolean property (unset: false).
func (p *propReader) bool(name string) bool {
	v := strings.TrimSpace(p.get(name))
	if v == "" {
		return false
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		p.fail(name, v, "must be true or false")
	}
	return b
}
