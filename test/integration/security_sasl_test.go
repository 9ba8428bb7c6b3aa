package integration

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofka/gofka/pkg/gofkatest"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/twmb/franz-go/pkg/sasl/oauth"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

const plainJAAS = `org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-secret" user_admin="admin-secret" user_alice="alice-secret";`

// saslCluster serves SASL_PLAINTEXT and SASL_SSL with every mechanism.
func saslCluster(t *testing.T, e *secEnv, kv ...string) *gofkatest.Cluster {
	t.Helper()
	return gofkatest.Start(t, saslOptions(e, kv...)...)
}

func saslOptions(e *secEnv, kv ...string) []gofkatest.Option {
	kv = append([]string{
		"sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512,OAUTHBEARER",
		"listener.name.sasl_plaintext.plain.sasl.jaas.config", plainJAAS,
		"listener.name.sasl_ssl.plain.sasl.jaas.config", plainJAAS,
		"connection.failed.authentication.delay.ms", "0",
	}, kv...)
	return e.options("SASL_PLAINTEXT://127.0.0.1:0,SASL_SSL://127.0.0.1:0", kv...)
}

func plainAuth(user, pass string) kgo.Opt {
	return kgo.SASL(plain.Auth{User: user, Pass: pass}.AsMechanism())
}

// unsecuredToken is an alg-none JWT for sub, expiring after ttl.
func unsecuredToken(sub string, ttl time.Duration) string {
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	return enc(map[string]string{"alg": "none"}) + "." + enc(map[string]any{"sub": sub, "exp": time.Now().Add(ttl).Unix(), "iat": time.Now().Unix()}) + "."
}

// TestSASLMechanisms produces and consumes with franz-go over
// SASL_PLAINTEXT and SASL_SSL with PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 and
// OAUTHBEARER; SCRAM credentials are created through
// AlterUserScramCredentials and described back.
func TestSASLMechanisms(t *testing.T) {
	e := newSecEnv(t)
	c := saslCluster(t, e)
	plainAddr, sslAddr := c.ListenerAddr("SASL_PLAINTEXT"), c.ListenerAddr("SASL_SSL")
	tlsOpt := kgo.DialTLSConfig(e.clientTLS(t, ""))
	roundTrip(t, plainAddr, "sasl-plain", 300, plainAuth("alice", "alice-secret"))

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	adm := newAdminOpts(t, kgo.SeedBrokers(plainAddr), plainAuth("admin", "admin-secret"))
	res, err := adm.AlterUserSCRAMs(ctx, nil, []kadm.UpsertSCRAM{
		{User: "bob", Mechanism: kadm.ScramSha256, Iterations: 4096, Password: "bob-256"},
		{User: "bob", Mechanism: kadm.ScramSha512, Iterations: 8192, Password: "bob-512"},
	})
	if err != nil || res.Error() != nil {
		t.Fatalf("alter SCRAM: %v %v", err, res.Error())
	}
	desc, err := adm.DescribeUserSCRAMs(ctx)
	if err != nil || desc.Error() != nil || len(desc["bob"].CredInfos) != 2 {
		t.Fatalf("describe SCRAM: %+v %v", desc, err)
	}
	roundTrip(t, sslAddr, "sasl-scram256", 300, tlsOpt, kgo.SASL(scram.Auth{User: "bob", Pass: "bob-256"}.AsSha256Mechanism()))
	roundTrip(t, sslAddr, "sasl-scram512", 300, tlsOpt, kgo.SASL(scram.Auth{User: "bob", Pass: "bob-512"}.AsSha512Mechanism()))
	roundTrip(t, sslAddr, "sasl-oauth", 300, tlsOpt, kgo.SASL(oauth.Auth{Token: unsecuredToken("carol", time.Hour)}.AsMechanism()))

	// A deleted credential no longer authenticates.
	if res, err := adm.AlterUserSCRAMs(ctx, []kadm.DeleteSCRAM{{User: "bob", Mechanism: kadm.ScramSha256}}, nil); err != nil || res.Error() != nil {
		t.Fatalf("delete SCRAM: %v %v", err, res.Error())
	}
	expectAuthFailure(t, plainAddr, kgo.SASL(scram.Auth{User: "bob", Pass: "bob-256"}.AsSha256Mechanism()))
}

// expectAuthFailure checks that a client with opts is refused with
// SASL_AUTHENTICATION_FAILED.
func expectAuthFailure(t *testing.T, addr string, opts ...kgo.Opt) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cl, err := kgo.NewClient(append(opts, kgo.SeedBrokers(addr), kgo.RequestRetries(0))...)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	err = cl.Ping(ctx)
	if !errors.Is(err, kerr.SaslAuthenticationFailed) {
		t.Errorf("err = %v, want SASL_AUTHENTICATION_FAILED", err)
	}
	if err != nil && strings.Contains(err.Error(), "secret") {
		t.Errorf("error leaks a password: %v", err)
	}
}

// TestSASLBadInput: wrong passwords, unknown users, expired tokens,
// requests before authentication and many failed logins in a row each get
// Kafka's error or a closed connection, and the broker serves on.
func TestSASLBadInput(t *testing.T) {
	e := newSecEnv(t)
	var logs gofkatest.LogBuffer
	c := gofkatest.Start(t, append(saslOptions(e, "gofka.metrics.listen", "127.0.0.1:0"),
		gofkatest.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))...)
	addr := c.ListenerAddr("SASL_PLAINTEXT")
	expectAuthFailure(t, addr, plainAuth("alice", "wrong-secret"))
	expectAuthFailure(t, addr, plainAuth("mallory", "alice-secret"))
	expectAuthFailure(t, addr, kgo.SASL(scram.Auth{User: "nobody", Pass: "x"}.AsSha512Mechanism()))
	expectAuthFailure(t, addr, kgo.SASL(oauth.Auth{Token: unsecuredToken("carol", -time.Hour)}.AsMechanism()))
	expectAuthFailure(t, addr, kgo.SASL(oauth.Auth{Token: "not.a.jwt"}.AsMechanism()))

	r := dialRaw(t, addr)
	r.writeFrame(kmsg.NewRequestFormatter().AppendRequest(nil, kmsg.NewPtrMetadataRequest(), 1))
	r.expectClosed("Metadata before authentication")

	r = dialRaw(t, addr)
	hs := kmsg.NewPtrSASLHandshakeRequest()
	hs.Mechanism = "GSSAPI"
	if resp := r.request(hs, 1).(*kmsg.SASLHandshakeResponse); resp.ErrorCode != kerr.UnsupportedSaslMechanism.Code || len(resp.SupportedMechanisms) != 4 {
		t.Errorf("GSSAPI handshake: %+v", resp)
	}
	failedLogins(t, addr, 10_000)
	roundTrip(t, addr, "sasl-after-bad", 50, plainAuth("alice", "alice-secret"))
	if got := metricValue(t, c.MetricsAddr(), `gofka_authentication_failures_total{mechanism="PLAIN"}`); got < 2 {
		t.Errorf("PLAIN authentication failures counted: %v", got)
	}
	out := logs.String()
	if !strings.Contains(out, "authentication failed") {
		t.Error("failed authentications were not logged")
	}
	for _, secret := range []string{"wrong-secret", "alice-secret", "guess", "admin-secret"} {
		if strings.Contains(out, secret) {
			t.Errorf("logs contain the password %q", secret)
		}
	}
}

// failedLogins runs n PLAIN logins with a wrong password on 4 parallel
// connections' worth of sequential attempts; each must get
// SASL_AUTHENTICATION_FAILED.
func failedLogins(t *testing.T, addr string, n int) {
	t.Helper()
	if testing.Short() {
		n /= 10
	}
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < n/4; i++ {
				if code := rawPlainLogin(t, addr, "alice", "guess"); code != kerr.SaslAuthenticationFailed.Code {
					t.Errorf("login %d: error code %d", i, code)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// rawPlainLogin authenticates with PLAIN by hand and returns the
// SaslAuthenticate error code.
func rawPlainLogin(t *testing.T, addr, user, pass string) int16 {
	r := dialRaw(t, addr)
	defer r.conn.Close()
	hs := kmsg.NewPtrSASLHandshakeRequest()
	hs.Mechanism = "PLAIN"
	r.request(hs, 1)
	au := kmsg.NewPtrSASLAuthenticateRequest()
	au.SASLAuthBytes = []byte("\x00" + user + "\x00" + pass)
	return r.request(au, 2).(*kmsg.SASLAuthenticateResponse).ErrorCode
}

// TestSASLReauthentication (KIP-368): with connections.max.reauth.ms the
// broker reports a session lifetime; franz-go re-authenticates and keeps
// producing, and a connection that does not is closed on its next request.
func TestSASLReauthentication(t *testing.T) {
	e := newSecEnv(t)
	c := saslCluster(t, e, "connections.max.reauth.ms", "1500", "gofka.metrics.listen", "127.0.0.1:0")
	addr := c.ListenerAddr("SASL_PLAINTEXT")

	r := dialRaw(t, addr)
	hs := kmsg.NewPtrSASLHandshakeRequest()
	hs.Mechanism = "PLAIN"
	r.request(hs, 1)
	au := kmsg.NewPtrSASLAuthenticateRequest()
	au.SASLAuthBytes = []byte("\x00alice\x00alice-secret")
	resp := r.request(au, 2).(*kmsg.SASLAuthenticateResponse)
	if resp.ErrorCode != 0 || resp.SessionLifetimeMillis <= 0 || resp.SessionLifetimeMillis > 1500 {
		t.Fatalf("SaslAuthenticate: code %d lifetime %d", resp.ErrorCode, resp.SessionLifetimeMillis)
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), plainAuth("alice", "alice-secret"), kgo.AllowAutoTopicCreation())
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	deadline := time.Now().Add(4 * time.Second)
	for time.Now().Before(deadline) {
		if err := cl.ProduceSync(ctx, &kgo.Record{Topic: "reauth", Value: []byte("v")}).FirstErr(); err != nil {
			t.Fatalf("produce across re-authentications: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	r.writeFrame(kmsg.NewRequestFormatter().AppendRequest(nil, kmsg.NewPtrMetadataRequest(), 9))
	r.expectClosed("Metadata on an expired session")
	// Re-authentication keeps connections: more authentications than
	// connections means franz-go re-authenticated rather than reconnected.
	auths := metricValue(t, c.MetricsAddr(), `gofka_authentications_total{mechanism="PLAIN"}`)
	conns := metricValue(t, c.MetricsAddr(), "gofka_connections_opened_total")
	if auths <= conns {
		t.Errorf("%v authentications on %v connections: no re-authentication", auths, conns)
	}
	if got := metricValue(t, c.MetricsAddr(), `gofka_reauthentications_total{mechanism="PLAIN"}`); got < 1 {
		t.Errorf("re-authentications counted: %v", got)
	}
}

// metricValue scrapes one series from the node's /metrics.
func metricValue(t *testing.T, addr, series string) float64 {
	t.Helper()
	v, ok := lookupMetric(t, addr, series)
	if !ok {
		t.Fatalf("no metric %s", series)
	}
	return v
}

// lookupMetric scrapes one series from the node's /metrics and reports
// whether it is there.
func lookupMetric(t *testing.T, addr, series string) (float64, bool) {
	t.Helper()
	res, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("metric %s: %v", series, err)
			}
			return f, true
		}
	}
	return 0, false
}
