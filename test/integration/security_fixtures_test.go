package integration

import (
	"context"
	"crypto/tls"
	"crypto/x509/pkix"
	"net"
	"testing"
	"time"

	"github.com/gofka/gofka/internal/security/testcerts"
	"github.com/gofka/gofka/pkg/gofkatest"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// secEnv is a test CA, a broker keystore and truststore written as PEM
// files, and the broker options that point at them.
type secEnv struct {
	ca              *testcerts.CA
	keystore, trust string
}

func newSecEnv(t *testing.T) *secEnv {
	t.Helper()
	ca, ks, trust, err := testcerts.Broker(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	e := &secEnv{ca: ca, keystore: ks, trust: trust}
	return e
}

// options serve listeners (e.g. "PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0")
// with the env's stores and the extra properties kv (name, value, ...).
func (e *secEnv) options(listeners string, kv ...string) []gofkatest.Option {
	opts := []gofkatest.Option{
		gofkatest.WithConfig("listeners", listeners),
		gofkatest.WithConfig("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL"),
		gofkatest.WithConfig("ssl.keystore.type", "PEM"),
		gofkatest.WithConfig("ssl.keystore.location", e.keystore),
		gofkatest.WithConfig("ssl.truststore.type", "PEM"),
		gofkatest.WithConfig("ssl.truststore.location", e.trust),
	}
	for i := 0; i+1 < len(kv); i += 2 {
		opts = append(opts, gofkatest.WithConfig(kv[i], kv[i+1]))
	}
	return opts
}

// clientTLS trusts the env's CA and, when cn is not "", presents a client
// certificate with that common name.
func (e *secEnv) clientTLS(t *testing.T, cn string) *tls.Config {
	t.Helper()
	cfg := &tls.Config{RootCAs: e.ca.Pool(), ServerName: "localhost", MinVersion: tls.VersionTLS12}
	if cn != "" {
		p, err := e.ca.Client(pkix.Name{CommonName: cn, Organization: []string{"gofka"}})
		if err != nil {
			t.Fatal(err)
		}
		cfg.Certificates = []tls.Certificate{p.TLS()}
	}
	return cfg
}

// roundTrip creates topic through the client options, produces n records
// and consumes them back.
func roundTrip(t *testing.T, addr, topic string, n int, opts ...kgo.Opt) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	adm := newAdminOpts(t, append(opts, kgo.SeedBrokers(addr))...)
	if _, err := adm.CreateTopic(ctx, 2, 1, nil, topic); err != nil {
		t.Fatalf("create topic: %v", err)
	}
	rs := makeRecs(topic, n, time.Now())
	for i := range rs {
		rs[i].topic = topic
	}
	produceFranz(t, ctx, addr, topic, rs, opts...)
	l := newLedger(rs)
	consumeFranzOpts(t, ctx, topic, l, n, append(opts, kgo.SeedBrokers(addr))...)
	l.check(t)
}

func consumeFranzOpts(t *testing.T, ctx context.Context, topic string, l *ledger, want int, opts ...kgo.Opt) {
	t.Helper()
	opts = append(opts, kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	for l.count() < want {
		fs := cl.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			t.Fatalf("consumed %d of %d: %v", l.count(), want, err)
		}
		fs.EachError(func(topic string, p int32, err error) { t.Fatalf("fetch %s/%d: %v", topic, p, err) })
		fs.EachRecord(func(r *kgo.Record) { l.add(t, fromFranz(r)) })
	}
}

func newAdminOpts(t *testing.T, opts ...kgo.Opt) *kadm.Client {
	t.Helper()
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return kadm.NewClient(cl)
}

// tlsDial opens a raw TLS connection for hand-made requests.
func tlsDial(t *testing.T, addr string, cfg *tls.Config) (*rawConn, error) {
	t.Helper()
	d := &net.Dialer{Timeout: 5 * time.Second}
	c, err := tls.DialWithDialer(d, "tcp", addr, cfg)
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { c.Close() })
	return &rawConn{t: t, conn: c}, nil
}
