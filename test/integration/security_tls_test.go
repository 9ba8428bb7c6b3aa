package integration

import (
	"context"
	"crypto/tls"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gofka/gofka/internal/security/testcerts"
	"github.com/gofka/gofka/pkg/gofkatest"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// TestTLSListeners serves PLAINTEXT and SSL (mTLS required) side by side:
// franz-go produces and consumes over each; the metadata a client gets on
// the SSL listener points at the SSL listener.
func TestTLSListeners(t *testing.T) {
	e := newSecEnv(t)
	c := gofkatest.Start(t, e.options("PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0",
		"ssl.client.auth", "required", "ssl.principal.mapping.rules", "RULE:^CN=([^,]*),.*$/$1/L,DEFAULT")...)
	sslAddr := c.ListenerAddr("SSL")
	tlsOpt := kgo.DialTLSConfig(e.clientTLS(t, "Alice"))
	roundTrip(t, sslAddr, "tls-mutual", 2000, tlsOpt)
	roundTrip(t, c.ListenerAddr("PLAINTEXT"), "tls-plain", 200)

	r, err := tlsDial(t, sslAddr, e.clientTLS(t, "alice"))
	if err != nil {
		t.Fatal(err)
	}
	md := r.request(kmsg.NewPtrMetadataRequest(), 12).(*kmsg.MetadataResponse)
	if len(md.Brokers) != 1 || net.JoinHostPort(md.Brokers[0].Host, itoa(md.Brokers[0].Port)) != sslAddr {
		t.Fatalf("metadata brokers on SSL listener: %+v, want %s", md.Brokers, sslAddr)
	}
}

func itoa(p int32) string { return (&net.TCPAddr{Port: int(p)}).String()[1:] }

// TestTLSBadInput: clients the SSL listener must refuse, and bytes of the
// wrong kind on each listener, close only their own connection.
func TestTLSBadInput(t *testing.T) {
	e := newSecEnv(t)
	c := gofkatest.Start(t, e.options("PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0",
		"ssl.client.auth", "required", "connections.max.idle.ms", "1000")...)
	sslAddr, plainAddr := c.ListenerAddr("SSL"), c.ListenerAddr("PLAINTEXT")

	other, err := testcerts.NewCA("other-ca")
	if err != nil {
		t.Fatal(err)
	}
	foreign := e.clientTLS(t, "")
	p, _ := other.Client(pkix.Name{CommonName: "mallory"})
	foreign.Certificates = []tls.Certificate{p.TLS()}
	if r, err := tlsDial(t, sslAddr, foreign); err == nil {
		r.expectClosed("certificate from another CA")
	}
	if r, err := tlsDial(t, sslAddr, e.clientTLS(t, "")); err == nil {
		r.expectClosed("no client certificate with ssl.client.auth=required")
	}
	// Kafka bytes on the TLS listener, TLS bytes on the plaintext one.
	raw := dialRaw(t, sslAddr)
	raw.writeFrame(kmsg.NewRequestFormatter().AppendRequest(nil, kmsg.NewPtrApiVersionsRequest(), 1))
	raw.expectClosed("plaintext request on the SSL listener")
	if _, err := tlsDial(t, plainAddr, e.clientTLS(t, "alice")); err == nil {
		t.Error("a TLS handshake succeeded on the PLAINTEXT listener")
	}
	// A handshake that never finishes is closed by the handshake bound.
	start := time.Now()
	stalled := dialRaw(t, sslAddr)
	stalled.writeFrame([]byte{0x16, 0x03, 0x01}) // the start of a ClientHello
	stalled.expectClosed("unfinished handshake")
	if d := time.Since(start); d > 8*time.Second {
		t.Errorf("unfinished handshake closed after %v", d)
	}
	roundTrip(t, sslAddr, "tls-after-bad", 50, kgo.DialTLSConfig(e.clientTLS(t, "alice")))
}

// TestTLSCertificateRotation replaces the keystore file while a client
// produces: the producer sees no error, a connection opened before the
// rotation keeps working, and new connections get the new certificate.
func TestTLSCertificateRotation(t *testing.T) {
	e := newSecEnv(t)
	c := gofkatest.Start(t, e.options("SSL://127.0.0.1:0")...)
	addr := c.ListenerAddr("SSL")
	oldConn, err := tlsDial(t, addr, e.clientTLS(t, ""))
	if err != nil {
		t.Fatal(err)
	}
	oldSerial := peerSerial(oldConn)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.DialTLSConfig(e.clientTLS(t, "")), kgo.AllowAutoTopicCreation())
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	var produced atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if err := cl.ProduceSync(ctx, &kgo.Record{Topic: "rotation", Value: []byte("v")}).FirstErr(); err != nil {
				t.Errorf("produce during rotation: %v", err)
				return
			}
			produced.Add(1)
		}
	}()
	waitFor(t, 20*time.Second, "produce before rotation", func() bool { return produced.Load() > 20 })

	next, err := e.ca.Server("broker") // the same subject and names: ssl.allow.dn.changes is false

	if err != nil {
		t.Fatal(err)
	}
	if err := testcerts.ReplaceFile(e.keystore, next.Keystore()); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 20*time.Second, "the rotated certificate", func() bool {
		r, err := tlsDial(t, addr, e.clientTLS(t, ""))
		return err == nil && peerSerial(r) == next.Cert.SerialNumber.String()
	})
	before := produced.Load()
	waitFor(t, 20*time.Second, "produce after rotation", func() bool { return produced.Load() > before+20 })
	close(stop)
	wg.Wait()
	if peerSerial(oldConn) != oldSerial {
		t.Fatal("the open connection changed certificate")
	}
	if resp := oldConn.request(kmsg.NewPtrApiVersionsRequest(), 3).(*kmsg.ApiVersionsResponse); resp.ErrorCode != 0 {
		t.Fatalf("ApiVersions on the connection opened before rotation: %d", resp.ErrorCode)
	}
}

func peerSerial(r *rawConn) string {
	return r.conn.(*tls.Conn).ConnectionState().PeerCertificates[0].SerialNumber.String()
}

// TestTLSDynamicKeystore: an IncrementalAlterConfigs of this broker's
// listener.name.ssl.ssl.keystore.location serves the new certificate to
// new connections while an open connection keeps working; a keystore that
// does not load is INVALID_REQUEST and changes nothing.
func TestTLSDynamicKeystore(t *testing.T) {
	e := newSecEnv(t)
	c := gofkatest.Start(t, e.options("PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0", "gofka.metrics.listen", "127.0.0.1:0")...)
	addr := c.ListenerAddr("SSL")
	oldConn, err := tlsDial(t, addr, e.clientTLS(t, ""))
	if err != nil {
		t.Fatal(err)
	}
	oldSerial := peerSerial(oldConn)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	adm, id := plaintextAdmin(ctx, t, c)
	next, err := e.ca.Server("broker")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "dynamic-keystore.pem")
	if err := os.WriteFile(path, next.Keystore(), 0o600); err != nil {
		t.Fatal(err)
	}
	set := func(v string) error {
		return alterKeystore(ctx, adm, id, v)
	}
	if err := set(path); err != nil {
		t.Fatalf("alter keystore: %v", err)
	}
	waitFor(t, 20*time.Second, "the new certificate", func() bool {
		r, err := tlsDial(t, addr, e.clientTLS(t, ""))
		return err == nil && peerSerial(r) == next.Cert.SerialNumber.String()
	})
	if peerSerial(oldConn) != oldSerial {
		t.Fatal("the open connection changed certificate")
	}
	if resp := oldConn.request(kmsg.NewPtrApiVersionsRequest(), 3).(*kmsg.ApiVersionsResponse); resp.ErrorCode != 0 {
		t.Fatalf("ApiVersions on the connection opened before the change: %d", resp.ErrorCode)
	}
	if err := set(filepath.Join(t.TempDir(), "missing.pem")); !errors.Is(err, kerr.InvalidRequest) {
		t.Fatalf("a keystore that does not load: %v, want INVALID_REQUEST", err)
	}
	// Without ssl.allow.san.changes a certificate must keep every name.
	fewer, err := e.ca.ServerFor("broker", "localhost", "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	fewerPath := filepath.Join(t.TempDir(), "fewer-names.pem")
	if err := os.WriteFile(fewerPath, fewer.Keystore(), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := set(fewerPath); !errors.Is(err, kerr.InvalidRequest) || !strings.Contains(err.Error(), "Keystore SubjectAltNames do not match") {
		t.Fatalf("a certificate without ::1: %v, want INVALID_REQUEST (SubjectAltNames)", err)
	}
	r, err := tlsDial(t, addr, e.clientTLS(t, ""))
	if err != nil || peerSerial(r) != next.Cert.SerialNumber.String() {
		t.Fatalf("after a refused change: %v", err)
	}

	// TLS handshakes count as authentications of mechanism SSL; a client
	// that does not trust the broker fails its handshake.
	if got := metricValue(t, c.MetricsAddr(), `gofka_authentications_total{mechanism="SSL"}`); got < 2 {
		t.Errorf("SSL authentications counted: %v", got)
	}
	if _, err := tlsDial(t, addr, &tls.Config{ServerName: "localhost", MinVersion: tls.VersionTLS12}); err == nil {
		t.Fatal("a client without the CA connected")
	}
	waitFor(t, 10*time.Second, "the failed handshake counted", func() bool {
		v, _ := lookupMetric(t, c.MetricsAddr(), `gofka_authentication_failures_total{mechanism="SSL"}`)
		return v >= 1
	})
}

// alterKeystore sets broker id's listener.name.ssl.ssl.keystore.location,
// returning the error with the broker's message.
func alterKeystore(ctx context.Context, adm *kadm.Client, id int32, path string) error {
	return alterBrokerConfig(ctx, adm, id, "listener.name.ssl.ssl.keystore.location", path)
}

// alterBrokerConfig sets one config of broker id, returning the error
// with the broker's message.
func alterBrokerConfig(ctx context.Context, adm *kadm.Client, id int32, name, value string) error {
	res, err := adm.AlterBrokerConfigs(ctx, []kadm.AlterConfig{{Name: name, Value: &value}}, id)
	if err != nil {
		return err
	}
	if res[0].Err != nil {
		return fmt.Errorf("%w: %s", res[0].Err, res[0].ErrMessage)
	}
	return nil
}

// TestTLSCertificateChangeRefused: with ssl.allow.dn.changes false (the
// default) a keystore whose certificate names another subject is refused,
// as Kafka refuses it: a replaced file is logged with the reason and the
// previous certificate stays in use; an AlterConfigs is INVALID_REQUEST
// with Kafka's message. With ssl.allow.san.changes true a certificate
// with fewer names is taken.
func TestTLSCertificateChangeRefused(t *testing.T) {
	e := newSecEnv(t)
	var logs gofkatest.LogBuffer
	c := gofkatest.Start(t, append(e.options("PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0", "ssl.allow.san.changes", "true"),
		gofkatest.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))...)
	addr := c.ListenerAddr("SSL")
	first, err := tlsDial(t, addr, e.clientTLS(t, ""))
	if err != nil {
		t.Fatal(err)
	}
	serving := peerSerial(first)
	impostor, err := e.ca.Server("impostor")
	if err != nil {
		t.Fatal(err)
	}
	if err := testcerts.ReplaceFile(e.keystore, impostor.Keystore()); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 20*time.Second, "the refused reload logged", func() bool {
		if r, err := tlsDial(t, addr, e.clientTLS(t, "")); err != nil || peerSerial(r) != serving {
			t.Fatalf("after a refused reload: %v", err)
		}
		return strings.Contains(logs.String(), "Keystore DistinguishedName does not match")
	})

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	adm, id := plaintextAdmin(ctx, t, c)
	dir := t.TempDir()
	impostorPath, _ := testcerts.WriteFile(dir, "impostor.pem", impostor.Keystore())
	if err := alterKeystore(ctx, adm, id, impostorPath); !errors.Is(err, kerr.InvalidRequest) ||
		!strings.Contains(err.Error(), "Keystore DistinguishedName does not match:  existing={alias=kafka, DN=CN=broker}") {
		t.Fatalf("a certificate of another subject: %v, want INVALID_REQUEST (DistinguishedName)", err)
	}
	fewer, err := e.ca.ServerFor("broker", "localhost")
	if err != nil {
		t.Fatal(err)
	}
	fewerPath, _ := testcerts.WriteFile(dir, "fewer.pem", fewer.Keystore())
	if err := alterKeystore(ctx, adm, id, fewerPath); err != nil {
		t.Fatalf("fewer names with ssl.allow.san.changes=true: %v", err)
	}
	waitFor(t, 20*time.Second, "the certificate with fewer names", func() bool {
		r, err := tlsDial(t, addr, e.clientTLS(t, ""))
		return err == nil && peerSerial(r) == fewer.Cert.SerialNumber.String()
	})
}

// plaintextAdmin is an admin client of c's PLAINTEXT listener, and the
// broker's id.
func plaintextAdmin(ctx context.Context, t *testing.T, c *gofkatest.Cluster) (*kadm.Client, int32) {
	t.Helper()
	adm := newAdminOpts(t, kgo.SeedBrokers(c.ListenerAddr("PLAINTEXT")))
	meta, err := adm.BrokerMetadata(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return adm, meta.Brokers[0].NodeID
}
