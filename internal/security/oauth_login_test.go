package security

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gofka/gofka/internal/security/oauthtest"
	"go.uber.org/goleak"
)

func startIdP(t *testing.T, o oauthtest.Options) *oauthtest.Server {
	t.Helper()
	s, err := oauthtest.Start(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func retriever(t *testing.T, s *oauthtest.Server, c ClientCredentials) *HTTPTokenRetriever {
	t.Helper()
	c.TokenURL = s.TokenURL()
	if c.RetryBackoffMax == 0 {
		c.RetryBackoff, c.RetryBackoffMax = 10*time.Millisecond, 5*time.Second
	}
	r, err := NewHTTPTokenRetriever(c)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func retrieve(t *testing.T, r TokenRetriever) (*LoginToken, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	raw, err := r.Retrieve(ctx)
	if err != nil {
		return nil, err
	}
	return ParseLoginToken(raw, "", time.Now())
}

// TestTokenRetrieverGrants: the client-credentials grant with the scope,
// plain and url-encoded Basic auth, and a token the validator accepts.
func TestTokenRetrieverGrants(t *testing.T) {
	secret := "s3cr:t&+ü"
	s := startIdP(t, oauthtest.Options{Clients: map[string]string{"node-1": secret}})
	for _, enc := range []bool{false, true} {
		tok, err := retrieve(t, retriever(t, s, ClientCredentials{ClientID: "node-1", ClientSecret: secret, Scope: " kafka admin ", URLEncodeHeader: enc}))
		if err != nil {
			t.Fatalf("urlencode=%v: %v", enc, err)
		}
		if tok.Subject != "node-1" || time.Until(tok.Expiry) <= 0 || tok.IssuedAt.IsZero() {
			t.Errorf("urlencode=%v: %s", enc, tok)
		}
		if strings.Contains(tok.String(), tok.Value) {
			t.Error("the token's String holds its value")
		}
		keys, err := NewJWKS(s.JWKSURL(), time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		v := &JWTValidator{Keys: keys, Audience: []string{s.Audience}, Issuer: s.Issuer}
		if p, _, err := v.Validate(tok.Value); err != nil || p.Name != "node-1" {
			t.Errorf("the broker's validator: %v %v", p, err)
		}
	}
	if sc := s.Scopes(); len(sc) != 2 || sc[0] != "kafka admin" {
		t.Errorf("scopes sent: %q", sc)
	}
}

// TestTokenRetrieverWrongSecret: a refused client is reported at once
// (no retry), with the OAuth error and without the secret.
func TestTokenRetrieverWrongSecret(t *testing.T) {
	s := startIdP(t, oauthtest.Options{Clients: map[string]string{"node-1": "right"}})
	_, err := retrieve(t, retriever(t, s, ClientCredentials{ClientID: "node-1", ClientSecret: "wrong-secret-value"}))
	if !errors.Is(err, ErrTokenEndpoint) || !strings.Contains(err.Error(), "401") || !strings.Contains(err.Error(), "invalid_client") {
		t.Fatalf("wrong secret: %v", err)
	}
	if strings.Contains(err.Error(), "wrong-secret-value") {
		t.Errorf("the error holds the secret: %v", err)
	}
	if n := s.Requests(); n != 1 {
		t.Errorf("%d requests for a refused client, want 1 (401 is not retried)", n)
	}
}

// TestTokenRetrieverRetries: 5xx answers are retried with backoff until
// one succeeds; when they last past the backoff maximum the first error
// is returned.
func TestTokenRetrieverRetries(t *testing.T) {
	s := startIdP(t, oauthtest.Options{Clients: map[string]string{"node-1": "pw"}})
	s.FailNext(503, 500)
	if _, err := retrieve(t, retriever(t, s, ClientCredentials{ClientID: "node-1", ClientSecret: "pw"})); err != nil {
		t.Fatalf("after two 5xx: %v", err)
	}
	if n := s.Requests(); n != 3 {
		t.Errorf("%d requests, want 3", n)
	}
	s.FailNext(503, 503, 503, 503, 503, 503, 503, 503, 503, 503, 503, 503, 503, 503, 503, 503, 503, 503, 503, 503)
	_, err := retrieve(t, retriever(t, s, ClientCredentials{ClientID: "node-1", ClientSecret: "pw",
		RetryBackoff: time.Millisecond, RetryBackoffMax: 50 * time.Millisecond}))
	if !errors.Is(err, ErrTokenEndpoint) || !strings.Contains(err.Error(), "503") {
		t.Errorf("lasting 503: %v", err)
	}
}

// TestTokenRetrieverReadTimeout: a token endpoint that does not answer
// fails the request after sasl.login.read.timeout.ms.
func TestTokenRetrieverReadTimeout(t *testing.T) {
	s := startIdP(t, oauthtest.Options{Clients: map[string]string{"node-1": "pw"}})
	s.Stall(time.Minute)
	defer s.Stall(0)
	start := time.Now()
	_, err := retrieve(t, retriever(t, s, ClientCredentials{ClientID: "node-1", ClientSecret: "pw",
		ReadTimeout: 200 * time.Millisecond, RetryBackoffMax: time.Nanosecond}))
	if !errors.Is(err, ErrTokenEndpoint) || !strings.Contains(err.Error(), "timeout") {
		t.Fatalf("stalled endpoint: %v", err)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("the read timeout took %v", d)
	}
}

func TestTokenRetrieverConfig(t *testing.T) {
	for name, c := range map[string]ClientCredentials{
		"no client id": {TokenURL: "http://127.0.0.1/token", ClientSecret: "x"},
		"no secret":    {TokenURL: "http://127.0.0.1/token", ClientID: "x"},
		"bad url":      {TokenURL: "ftp://127.0.0.1/token", ClientID: "x", ClientSecret: "x"},
		"backoff":      {TokenURL: "http://127.0.0.1/token", ClientID: "x", ClientSecret: "x", RetryBackoff: 2, RetryBackoffMax: 1},
	} {
		if _, err := NewHTTPTokenRetriever(c); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestParseLoginToken: the checks Kafka's LoginAccessTokenValidator makes,
// and an expiry in the future.
func TestParseLoginToken(t *testing.T) {
	s := startIdP(t, oauthtest.Options{})
	now := time.Now()
	ok := s.SignClaims(map[string]any{"sub": "n", "principal": "p", "exp": now.Add(time.Minute).Unix()})
	if tok, err := ParseLoginToken(ok, "", now); err != nil || tok.Subject != "n" || !tok.IssuedAt.IsZero() {
		t.Errorf("valid: %v %v", tok, err)
	}
	if tok, err := ParseLoginToken(ok, "principal", now); err != nil || tok.Subject != "p" {
		t.Errorf("sub.claim.name=principal: %v %v", tok, err)
	}
	for name, tok := range map[string]string{
		"expired":   s.SignClaims(map[string]any{"sub": "n", "exp": now.Add(-time.Second).Unix()}),
		"no exp":    s.SignClaims(map[string]any{"sub": "n"}),
		"no sub":    s.SignClaims(map[string]any{"exp": now.Add(time.Minute).Unix()}),
		"blank sub": s.SignClaims(map[string]any{"sub": " ", "exp": now.Add(time.Minute).Unix()}),
		"bad iat":   s.SignClaims(map[string]any{"sub": "n", "iat": "x", "exp": now.Add(time.Minute).Unix()}),
		"two parts": "a.b",
		"not json":  "eyJhbGciOiJub25lIn0.bm90IGpzb24.",
	} {
		if _, err := ParseLoginToken(tok, "", now); !errors.Is(err, ErrBadLoginToken) {
			t.Errorf("%s: %v", name, err)
		} else if strings.Contains(err.Error(), tok) {
			t.Errorf("%s: the error holds the token", name)
		}
	}
}

// TestRefreshAt: Kafka's refresh time rules.
func TestRefreshAt(t *testing.T) {
	now := time.Unix(1_000_000, 0)
	for _, c := range []struct {
		name       string
		start, exp time.Duration // from now
		r          float64
		cfg        RefreshConfig
		want       time.Duration
	}{
		{"one hour, factor 0.8", 0, time.Hour, 0, DefaultRefresh, 48 * time.Minute},
		{"jitter", 0, time.Hour, 1, DefaultRefresh, 51 * time.Minute},
		{"from iat", -30 * time.Minute, time.Hour, 0, DefaultRefresh, 42 * time.Minute},
		{"buffer before expiry", 0, time.Hour, 0, RefreshConfig{WindowFactor: 1, Buffer: 300 * time.Second, MinPeriod: time.Minute}, 55 * time.Minute},
		{"min period", -time.Hour, time.Hour, 0, RefreshConfig{WindowFactor: 0.5, Buffer: time.Second, MinPeriod: 10 * time.Minute}, 10 * time.Minute},
		{"shorter than min period + buffer", 0, 15 * time.Second, 0, DefaultRefresh, 12 * time.Second},
	} {
		got := refreshAt(c.cfg, now.Add(c.start), now.Add(c.exp), now, c.r).Sub(now)
		if got != c.want {
			t.Errorf("%s: refresh in %v, want %v", c.name, got, c.want)
		}
	}
}

// TestOAuthLoginRefreshes: a login with 10s tokens refreshes before the
// first expires (at 80-85% of its lifetime, at least 1.5s before), keeps
// its token through a failed refresh and tries again, and Close stops the
// refresher.
func TestOAuthLoginRefreshes(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	s := startIdP(t, oauthtest.Options{Clients: map[string]string{"node-1": "pw"}, Lifetime: 10 * time.Second})
	defer s.Close()
	l := NewOAuthLogin(OAuthLoginConfig{Retriever: retriever(t, s, ClientCredentials{ClientID: "node-1", ClientSecret: "pw"}), Refresh: DefaultRefresh})
	l.retry = 100 * time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := l.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	s.FailNext(401) // the first refresh fails; the next one 100ms later succeeds
	seen := map[string]bool{}
	for len(seen) < 2 {
		tok := l.valid()
		if tok == nil {
			t.Fatal("the login let its token expire")
		}
		seen[tok.Value] = true
		if ctx.Err() != nil {
			t.Fatalf("%d tokens in a minute", len(seen))
		}
		time.Sleep(20 * time.Millisecond)
	}
	if s.Requests() < 3 {
		t.Errorf("%d token requests, want the failed one too", s.Requests())
	}
	l.Close()
	n := s.Requests()
	time.Sleep(100 * time.Millisecond)
	if s.Requests() != n {
		t.Error("a closed login still refreshes")
	}
}

// TestOAuthLoginStartFails: a refused login starts no refresher, and its
// error names the endpoint's answer, not the secret.
func TestOAuthLoginStartFails(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	s := startIdP(t, oauthtest.Options{Clients: map[string]string{"node-1": "pw"}})
	defer s.Close()
	l := NewOAuthLogin(OAuthLoginConfig{Retriever: retriever(t, s, ClientCredentials{ClientID: "node-1", ClientSecret: "not-the-secret"})})
	err := l.Start(context.Background())
	if err == nil || strings.Contains(err.Error(), "not-the-secret") {
		t.Fatalf("Start: %v", err)
	}
	l.Close()
}

// TestOAuthLoginFile: a file: token endpoint is a file holding the token,
// read again at each retrieval.
func TestOAuthLoginFile(t *testing.T) {
	s := startIdP(t, oauthtest.Options{})
	path := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(path, []byte(s.Sign("node-1", time.Hour)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	l := NewOAuthLogin(OAuthLoginConfig{Retriever: FileTokenRetriever{Path: path}})
	tok, err := l.Token(context.Background())
	if err != nil || tok.Subject != "node-1" {
		t.Fatalf("file token: %v %v", tok, err)
	}
	if err := os.WriteFile(path, []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := l.fetch(context.Background(), true); !errors.Is(err, ErrBadLoginToken) {
		t.Errorf("a garbage token file: %v", err)
	}
	if tok, err := l.Token(context.Background()); err != nil || tok.Subject != "node-1" {
		t.Errorf("the valid token is kept after a bad one: %v %v", tok, err)
	}
}

// TestOAuthLoginFrom: the login from Kafka's properties and JAAS options:
// an https endpoint trusted through the JAAS ssl options (not without
// them), a file: URL, and bad values named.
func TestOAuthLoginFrom(t *testing.T) {
	s := startIdP(t, oauthtest.Options{Clients: map[string]string{"node-1": "pw"}, TLS: true})
	props := map[string]string{"sasl.oauthbearer.token.endpoint.url": s.TokenURL(), "sasl.login.retry.backoff.ms": "0", "sasl.login.retry.backoff.max.ms": "0"}
	get := func(n string) string { return props[n] }
	jaas := func(extra string) *JAAS {
		j, err := ParseJAAS(`org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required clientId="node-1" clientSecret="pw" ` + extra + `;`)
		if err != nil {
			t.Fatal(err)
		}
		return j
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	trusted := jaas(`ssl.truststore.type="PEM" ssl.truststore.certificates="` + string(s.CertPEM()) + `"`)
	for name, c := range map[string]struct {
		j  *JAAS
		ok bool
	}{"JAAS ssl options": {trusted, true}, "system roots": {jaas(""), false}} {
		l, err := NewOAuthLoginFrom(get, c.j, nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if tok, err := l.Token(ctx); (err == nil) != c.ok || (c.ok && tok.Subject != "node-1") {
			t.Errorf("%s: %v %v", name, tok, err)
		}
	}
	path := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(path, []byte(s.Sign("file-node", time.Hour)), 0o600); err != nil {
		t.Fatal(err)
	}
	props["sasl.oauthbearer.token.endpoint.url"] = "file://" + path
	if l, err := NewOAuthLoginFrom(get, jaas(""), nil); err != nil {
		t.Fatal(err)
	} else if tok, err := l.Token(ctx); err != nil || tok.Subject != "file-node" {
		t.Errorf("file: URL: %v %v", tok, err)
	}
	for name, kv := range map[string][2]string{
		"factor":   {"sasl.login.refresh.window.factor", "0.1"},
		"jitter":   {"sasl.login.refresh.window.jitter", "x"},
		"buffer":   {"sasl.login.refresh.buffer.seconds", "3601"},
		"timeout":  {"sasl.login.read.timeout.ms", "-1"},
		"urlenc":   {"sasl.oauthbearer.header.urlencode", "maybe"},
		"endpoint": {"sasl.oauthbearer.token.endpoint.url", ""},
	} {
		props := map[string]string{"sasl.oauthbearer.token.endpoint.url": s.TokenURL(), kv[0]: kv[1]}
		if _, err := NewOAuthLoginFrom(func(n string) string { return props[n] }, jaas(""), nil); err == nil || !strings.Contains(err.Error(), kv[0]) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
