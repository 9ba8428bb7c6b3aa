package security

import (
	"crypto/tls"
	"crypto/x509/pkix"
	"testing"

	"github.com/gofka/gofka/internal/security/testcerts"
)

// TestValidateHandshakes: with ValidateHandshakes, a dynamic change of a
// listener's stores is taken only when the new stores complete TLS
// handshakes with the current ones both ways, as Kafka's
// SslEngineValidator checks the inter-broker listener: a keystore the
// current truststore does not trust, or a truststore that does not trust
// the current keystore, is refused (ErrHandshake) and the current stores
// stay; the steps of a CA rotation (trust both, new keystores, trust the
// new CA only) are each taken.
func TestValidateHandshakes(t *testing.T) {
	dir := t.TempDir()
	ca, _ := testcerts.NewCA("ca-1")
	next, _ := testcerts.NewCA("ca-2")
	keystore := func(ca *testcerts.CA) string {
		p, err := ca.Node(pkix.Name{CommonName: "node-1", Organization: []string{"gofka"}})
		if err != nil {
			t.Fatal(err)
		}
		path, _ := testcerts.WriteFile(t.TempDir(), "ks.pem", p.Keystore())
		return path
	}
	trust1, _ := testcerts.WriteFile(dir, "ca1.pem", ca.CertPEM)
	trust2, _ := testcerts.WriteFile(dir, "ca2.pem", next.CertPEM)
	both, _ := testcerts.WriteFile(dir, "both.pem", append(append([]byte{}, ca.CertPEM...), next.CertPEM...))
	settings := func(auth, ks, ts string) TLSSettings {
		return TLSSettings{KeystoreType: "PEM", KeystoreLocation: ks, TruststoreType: "PEM", TruststoreLocation: ts, ClientAuth: auth}
	}
	ks1 := keystore(ca)
	for _, tc := range []struct {
		name     string
		cur, new TLSSettings
		want     error
	}{
		{"a new keystore of the same CA", settings("required", ks1, trust1), settings("required", keystore(ca), trust1), nil},
		{"a keystore of another CA, mTLS", settings("required", ks1, trust1), settings("required", keystore(next), trust1), ErrHandshake},
		{"a keystore of another CA, no client auth", settings("none", ks1, trust1), settings("none", keystore(next), trust1), ErrHandshake},
		{"a truststore without the current CA", settings("required", ks1, trust1), settings("required", ks1, trust2), ErrHandshake},
		{"rotation: trust both", settings("required", ks1, trust1), settings("required", ks1, both), nil},
		{"rotation: a keystore of the new CA", settings("required", ks1, both), settings("required", keystore(next), both), nil},
		{"rotation: both at once", settings("required", ks1, trust1), settings("required", keystore(next), trust2), ErrHandshake},
		{"no common protocol", withProtocols(settings("none", ks1, trust1), "TLSv1.2"), withProtocols(settings("none", ks1, trust1), "TLSv1.3"), ErrHandshake},
	} {
		st, err := NewServerTLS(tc.cur, -1, nil)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		st.ValidateHandshakes()
		checkChange(t, tc.name, st, tc.new, tc.want)
	}

	// Without ValidateHandshakes (a client listener) the keystore of
	// another CA, same subject, is taken.
	st, err := NewServerTLS(settings("required", ks1, trust1), -1, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Update(settings("required", keystore(next), trust1)); err != nil {
		t.Fatalf("without the handshake check: %v", err)
	}
}

func withProtocols(s TLSSettings, protos ...string) TLSSettings {
	s.EnabledProtocols = protos
	return s
}

// TestPipeHandshakeErrors: the error names the side that refused, not
// the alert its peer got.
func TestPipeHandshakeErrors(t *testing.T) {
	ca, _ := testcerts.NewCA("ca-1")
	other, _ := testcerts.NewCA("ca-2")
	p, _ := ca.Node(pkix.Name{CommonName: "node-1"})
	q, _ := other.Node(pkix.Name{CommonName: "node-1"})
	server := &tls.Config{Certificates: []tls.Certificate{p.TLS()}, ClientCAs: ca.Pool(), ClientAuth: tls.RequireAndVerifyClientCert}
	if err := pipeHandshake(server, storesClient(server)); err != nil {
		t.Fatalf("the same stores: %v", err)
	}
	client := storesClient(&tls.Config{Certificates: []tls.Certificate{q.TLS()}, ClientCAs: ca.Pool()})
	err := pipeHandshake(server, client)
	if err == nil || isRemoteAlert(err) {
		t.Fatalf("an untrusted client certificate: %v, want the server's reason", err)
	}
	client = storesClient(&tls.Config{Certificates: []tls.Certificate{p.TLS()}, ClientCAs: other.Pool()})
	if err := pipeHandshake(server, client); err == nil || isRemoteAlert(err) {
		t.Fatalf("an untrusted server certificate: %v, want the client's reason", err)
	}
}
