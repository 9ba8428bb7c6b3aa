package security

import (
	"crypto/tls"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/gofka/gofka/internal/security/testcerts"
)

type tlsFixture struct {
	ca     *testcerts.CA
	server *testcerts.Pair
	dir    string
	s      TLSSettings
}

func newTLSFixture(t *testing.T) *tlsFixture {
	t.Helper()
	ca, err := testcerts.NewCA("test-ca")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := ca.Server("broker")
	if err != nil {
		t.Fatal(err)
	}
	f := &tlsFixture{ca: ca, server: srv, dir: t.TempDir()}
	ks, _ := testcerts.WriteFile(f.dir, "ks.pem", srv.Keystore())
	ts, _ := testcerts.WriteFile(f.dir, "ts.pem", ca.CertPEM)
	f.s = TLSSettings{KeystoreType: "PEM", KeystoreLocation: ks, TruststoreType: "PEM", TruststoreLocation: ts, ClientAuth: "required"}
	return f
}

// handshake runs one TLS handshake against cfg and returns the server's
// view of it and the certificate the client saw.
func handshake(t *testing.T, cfg *tls.Config, client *tls.Config) (*tls.ConnectionState, *tls.ConnectionState, error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	type result struct {
		st  tls.ConnectionState
		err error
	}
	done := make(chan result, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			done <- result{err: err}
			return
		}
		defer c.Close()
		srv := tls.Server(c, cfg)
		_ = srv.SetDeadline(time.Now().Add(5 * time.Second))
		err = srv.Handshake()
		done <- result{srv.ConnectionState(), err}
	}()
	nc, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	cl := tls.Client(nc, client)
	_ = cl.SetDeadline(time.Now().Add(5 * time.Second))
	cerr := cl.Handshake() // TLS 1.3: a refused client certificate fails only the server side
	r := <-done
	cs := cl.ConnectionState()
	return &r.st, &cs, errors.Join(cerr, r.err)
}

func TestServerTLSMutual(t *testing.T) {
	f := newTLSFixture(t)
	st, err := NewServerTLS(f.s, -1, nil)
	if err != nil {
		t.Fatal(err)
	}
	alice, _ := f.ca.Client(pkix.Name{CommonName: "alice", Organization: []string{"acme"}})
	cli := &tls.Config{RootCAs: f.ca.Pool(), ServerName: "localhost", Certificates: []tls.Certificate{alice.TLS()}}
	ss, _, err := handshake(t, st.Config(), cli)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := ParseMappingRules("RULE:^CN=([^,]*),.*$/$1/L,DEFAULT")
	p, err := m.PrincipalFromTLS(ss)
	if err != nil || p != User("alice") {
		t.Fatalf("principal %v %v", p, err)
	}

	other, _ := testcerts.NewCA("other-ca")
	mallory, _ := other.Client(pkix.Name{CommonName: "mallory"})
	cli.Certificates = []tls.Certificate{mallory.TLS()}
	if _, _, err := handshake(t, st.Config(), cli); err == nil {
		t.Fatal("a certificate from another CA was accepted")
	}
	cli.Certificates = nil
	if _, _, err := handshake(t, st.Config(), cli); err == nil {
		t.Fatal("no client certificate was accepted with ssl.client.auth=required")
	}
}

func TestServerTLSRequestedAnonymous(t *testing.T) {
	f := newTLSFixture(t)
	f.s.ClientAuth = "requested"
	st, err := NewServerTLS(f.s, -1, nil)
	if err != nil {
		t.Fatal(err)
	}
	ss, _, err := handshake(t, st.Config(), &tls.Config{RootCAs: f.ca.Pool(), ServerName: "localhost"})
	if err != nil {
		t.Fatal(err)
	}
	m, _ := ParseMappingRules("")
	if p, _ := m.PrincipalFromTLS(ss); p != Anonymous {
		t.Fatalf("principal %v, want anonymous", p)
	}
}

// reloadingServer serves the fixture's stores, checking the files every
// millisecond and telling reloaded of each attempt; cli trusts the CA.
func reloadingServer(t *testing.T) (*tlsFixture, *ServerTLS, chan error, *tls.Config) {
	t.Helper()
	f := newTLSFixture(t)
	f.s.ClientAuth = "none"
	reloaded := make(chan error, 4)
	st, err := NewServerTLS(f.s, time.Millisecond, func(err error) { reloaded <- err })
	if err != nil {
		t.Fatal(err)
	}
	return f, st, reloaded, &tls.Config{RootCAs: f.ca.Pool(), ServerName: "localhost"}
}

func TestServerTLSReload(t *testing.T) {
	f, st, reloaded, cli := reloadingServer(t)
	_, cs, err := handshake(t, st.Config(), cli)
	if err != nil {
		t.Fatal(err)
	}
	first := cs.PeerCertificates[0].SerialNumber
	next, _ := f.ca.Server("broker")
	if err := testcerts.ReplaceFile(f.s.KeystoreLocation, next.Keystore()); err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Millisecond)
	_, cs, err = handshake(t, st.Config(), cli)
	if err != nil {
		t.Fatal(err)
	}
	if err := <-reloaded; err != nil {
		t.Fatal(err)
	}
	if got := cs.PeerCertificates[0].SerialNumber; got.Cmp(next.Cert.SerialNumber) != 0 || got.Cmp(first) == 0 {
		t.Fatalf("served serial %v after rotation, want %v", got, next.Cert.SerialNumber)
	}
	// A broken file keeps the previous certificate.
	if err := testcerts.ReplaceFile(f.s.KeystoreLocation, []byte("garbage")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Millisecond)
	if _, cs, err = handshake(t, st.Config(), cli); err != nil {
		t.Fatal(err)
	}
	if err := <-reloaded; err == nil {
		t.Fatal("reload of a garbage keystore succeeded")
	}
	if cs.PeerCertificates[0].SerialNumber.Cmp(next.Cert.SerialNumber) != 0 {
		t.Fatal("a failed reload replaced the certificate")
	}
}

func TestServerTLSSettingsErrors(t *testing.T) {
	f := newTLSFixture(t)
	for name, mut := range map[string]func(*TLSSettings){
		"no keystore":     func(s *TLSSettings) { s.KeystoreLocation = "" },
		"jks":             func(s *TLSSettings) { s.KeystoreType = "PKCS12"; s.KeystoreLocation = s.TruststoreLocation + ".none" },
		"bad client auth": func(s *TLSSettings) { s.ClientAuth = "sometimes" },
		"no truststore":   func(s *TLSSettings) { s.TruststoreLocation = "" },
		"bad protocol":    func(s *TLSSettings) { s.EnabledProtocols = []string{"SSLv3"} },
		"bad suite":       func(s *TLSSettings) { s.CipherSuites = []string{"TLS_NOPE"} },
		"encrypted key": func(s *TLSSettings) {
			s.KeystoreLocation = ""
			s.KeystoreKey = "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n"
			s.KeystoreCertChain = string(f.server.CertPEM)
		},
	} {
		s := f.s
		mut(&s)
		if _, err := NewServerTLS(s, -1, nil); err == nil {
			t.Errorf("%s: no error", name)
		} else if strings.Contains(err.Error(), "PRIVATE KEY-----") {
			t.Errorf("%s: error leaks key material: %v", name, err)
		}
	}
	s := f.s
	s.KeystoreLocation, s.KeystoreKey, s.KeystoreCertChain = "", string(f.server.KeyPEM), string(f.server.CertPEM)
	s.EnabledProtocols, s.CipherSuites = []string{"TLSv1.2"}, []string{"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"}
	st, err := NewServerTLS(s, -1, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c := st.Current(); c.MaxVersion != tls.VersionTLS12 || len(c.CipherSuites) != 1 {
		t.Fatalf("config %+v", c)
	}
}

// TestNormalizePEM: a PEM block whose lines a properties file joined with
// spaces reads as the original.
func TestNormalizePEM(t *testing.T) {
	der := make([]byte, 200)
	for i := range der {
		der[i] = byte(i)
	}
	orig := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	joined := strings.Join(strings.Fields(string(orig)), " ")
	joined = strings.ReplaceAll(joined, "BEGIN CERTIFICATE-----", "BEGIN CERTIFICATE----- ")
	if got := NormalizePEM(joined + " " + joined); string(got) != string(orig)+string(orig) {
		t.Fatalf("normalized:\n%s\nwant twice:\n%s", got, orig)
	}
	if got := NormalizePEM(string(orig)); string(got) != string(orig) {
		t.Fatalf("standard PEM changed:\n%s", got)
	}
}

// TestClientTLSReload: a node's client stores reload like a listener's.
// After its keystore and truststore files are replaced by ones of a new
// CA, the next handshake presents the new certificate and trusts only the
// new CA; a truststore that does not load keeps the previous stores.
func TestClientTLSReload(t *testing.T) {
	f := newTLSFixture(t)
	node := func(ca *testcerts.CA) *testcerts.Pair {
		p, err := ca.Node(pkix.Name{CommonName: "node-1"})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	if err := testcerts.ReplaceFile(f.s.KeystoreLocation, node(f.ca).Keystore()); err != nil {
		t.Fatal(err)
	}
	reloaded := make(chan error, 4)
	ct, err := NewClientTLS(f.s, time.Millisecond, func(err error) { reloaded <- err })
	if err != nil {
		t.Fatal(err)
	}
	serve := func(ca *testcerts.CA, srv *testcerts.Pair) *tls.Config {
		return &tls.Config{Certificates: []tls.Certificate{srv.TLS()}, ClientCAs: ca.Pool(), ClientAuth: tls.RequireAndVerifyClientCert}
	}
	ss, _, err := handshake(t, serve(f.ca, f.server), ct.Config())
	if err != nil {
		t.Fatal(err)
	}
	if ss.PeerCertificates[0].Issuer.CommonName != "test-ca" {
		t.Fatalf("client certificate issued by %s", ss.PeerCertificates[0].Issuer.CommonName)
	}

	next, _ := testcerts.NewCA("next-ca")
	nextSrv := node(next)
	if err := testcerts.ReplaceFile(f.s.KeystoreLocation, nextSrv.Keystore()); err != nil {
		t.Fatal(err)
	}
	if err := testcerts.ReplaceFile(f.s.TruststoreLocation, next.CertPEM); err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Millisecond)
	if _, _, err := handshake(t, serve(f.ca, f.server), ct.Config()); err == nil {
		t.Fatal("a server of the old CA is still trusted")
	}
	if err := <-reloaded; err != nil {
		t.Fatal(err)
	}
	ss, _, err = handshake(t, serve(next, nextSrv), ct.Config())
	if err != nil {
		t.Fatalf("a server of the new CA: %v", err)
	}
	if got := ss.PeerCertificates[0].SerialNumber; got.Cmp(nextSrv.Cert.SerialNumber) != 0 {
		t.Fatalf("client certificate serial %v, want the new %v", got, nextSrv.Cert.SerialNumber)
	}

	if err := testcerts.ReplaceFile(f.s.TruststoreLocation, []byte("garbage")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Millisecond)
	if _, _, err := handshake(t, serve(next, nextSrv), ct.Config()); err != nil {
		t.Fatalf("after a truststore that does not load: %v", err)
	}
	if err := <-reloaded; err == nil {
		t.Fatal("reload of a garbage truststore succeeded")
	}
}

// TestClientTLSUpdate: a dynamic change of the store settings takes
// effect at the next handshake; settings that do not load are refused by
// Check and Update and change nothing; host names are checked only with
// endpoint identification on.
func TestClientTLSUpdate(t *testing.T) {
	f := newTLSFixture(t)
	ct, err := NewClientTLS(f.s, -1, nil)
	if err != nil {
		t.Fatal(err)
	}
	next, _ := testcerts.NewCA("next-ca")
	nextSrv, _ := next.Server("broker")
	ts, _ := testcerts.WriteFile(f.dir, "next-ts.pem", next.CertPEM)
	s := f.s
	s.TruststoreLocation = ts
	bad := s
	bad.TruststoreLocation = ts + ".missing"
	if ct.Check(bad) == nil || ct.Update(bad) == nil {
		t.Fatal("a missing truststore was accepted")
	}
	srv := &tls.Config{Certificates: []tls.Certificate{nextSrv.TLS()}}
	if _, _, err := handshake(t, srv, ct.Config()); err == nil {
		t.Fatal("the new CA is trusted before the update")
	}
	if err := ct.Check(s); err != nil {
		t.Fatal(err)
	}
	if err := ct.Update(s); err != nil {
		t.Fatal(err)
	}
	if _, _, err := handshake(t, srv, ct.Config()); err != nil {
		t.Fatalf("after the update: %v", err)
	}
	s.EndpointIdentification = "https"
	named, err := NewClientTLS(s, -1, nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg := named.Config().Clone()
	cfg.ServerName = "elsewhere.example"
	if _, _, err := handshake(t, srv, cfg); err == nil {
		t.Fatal("a certificate for another host was accepted with endpoint identification on")
	}
	cfg.ServerName = "localhost"
	if _, _, err := handshake(t, srv, cfg); err != nil {
		t.Fatalf("endpoint identification for localhost: %v", err)
	}
}

// TestStoreCompatibility: new stores keep the subject DN and every
// subject alternative name of the certificate in use unless
// ssl.allow.dn.changes or ssl.allow.san.changes, as Kafka's SslFactory;
// new names may be added; a keystore is never removed nor a truststore
// added. Reset (the dynamic configs found at start) checks nothing.
func TestStoreCompatibility(t *testing.T) {
	f := newTLSFixture(t) // CN=broker for localhost, 127.0.0.1 and ::1
	keystore := func(cn string, hosts ...string) TLSSettings {
		p, err := f.ca.ServerFor(cn, hosts...)
		if err != nil {
			t.Fatal(err)
		}
		path, _ := testcerts.WriteFile(t.TempDir(), "ks.pem", p.Keystore())
		s := f.s
		s.KeystoreLocation = path
		return s
	}
	all := []string{"localhost", "127.0.0.1", "::1"}
	for _, tc := range []struct {
		name string
		s    TLSSettings
		want error
	}{
		{"same names", keystore("broker", all...), nil},
		{"a name added", keystore("broker", append(all, "broker.example")...), nil},
		{"another subject", keystore("broker-2", all...), ErrDNChanged},
		{"another subject allowed", allowDN(keystore("broker-2", all...)), nil},
		{"a name dropped", keystore("broker", "localhost", "127.0.0.1"), ErrSANChanged},
		{"a name dropped allowed", allowSAN(keystore("broker", "localhost")), nil},
		{"both allowed", allowSAN(allowDN(keystore("other", "elsewhere.example"))), nil},
	} {
		st, err := NewServerTLS(f.s, -1, nil)
		if err != nil {
			t.Fatal(err)
		}
		err = checkChange(t, tc.name, st, tc.s, tc.want)
		if err != nil && !strings.Contains(err.Error(), "existing={alias=kafka") {
			t.Errorf("%s: %v does not name the certificates as Kafka does", tc.name, err)
		}
		if err := st.Reset(tc.s); err != nil {
			t.Errorf("%s: Reset = %v", tc.name, err)
		}
	}

	noTrust := f.s
	noTrust.TruststoreLocation, noTrust.ClientAuth = "", "none"
	st, err := NewServerTLS(noTrust, -1, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Check(f.s); !errors.Is(err, ErrStoreAdded) {
		t.Errorf("a truststore added: %v, want ErrStoreAdded", err)
	}
	ct, err := NewClientTLS(f.s, -1, nil)
	if err != nil {
		t.Fatal(err)
	}
	noKeystore := f.s
	noKeystore.KeystoreLocation = ""
	if err := ct.Check(noKeystore); !errors.Is(err, ErrStoreRemoved) {
		t.Errorf("a keystore removed: %v, want ErrStoreRemoved", err)
	}
}

// checkChange checks that Check and Update of s on st refuse it with want
// and keep the current stores, or (want nil) take it; it returns Check's
// error.
func checkChange(t *testing.T, name string, st *ServerTLS, s TLSSettings, want error) error {
	t.Helper()
	before := st.Current()
	err := st.Check(s)
	if !errors.Is(err, want) || (want == nil) != (err == nil) {
		t.Errorf("%s: Check = %v, want %v", name, err, want)
	}
	if uerr := st.Update(s); (uerr == nil) != (err == nil) {
		t.Errorf("%s: Update = %v, Check = %v", name, uerr, err)
	}
	if (st.Current() == before) != (want != nil) {
		t.Errorf("%s: stores replaced %v", name, st.Current() != before)
	}
	return err
}

func allowDN(s TLSSettings) TLSSettings  { s.AllowDNChanges = true; return s }
func allowSAN(s TLSSettings) TLSSettings { s.AllowSANChanges = true; return s }

// TestServerTLSReloadRefused: a replaced keystore file whose certificate
// names another subject is refused: the previous certificate stays and
// the refusal is told once, with the reason; a later file that keeps the
// subject is taken.
func TestServerTLSReloadRefused(t *testing.T) {
	f, st, reloaded, cli := reloadingServer(t)
	other, _ := f.ca.Server("impostor")
	if err := testcerts.ReplaceFile(f.s.KeystoreLocation, other.Keystore()); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		time.Sleep(5 * time.Millisecond)
		_, cs, err := handshake(t, st.Config(), cli)
		if err != nil {
			t.Fatal(err)
		}
		if cs.PeerCertificates[0].Subject.CommonName != "broker" {
			t.Fatalf("served %s after a refused reload", cs.PeerCertificates[0].Subject.CommonName)
		}
	}
	if err := <-reloaded; !errors.Is(err, ErrDNChanged) {
		t.Fatalf("reload: %v, want ErrDNChanged", err)
	}
	select {
	case err := <-reloaded:
		t.Fatalf("the same refused file was told of again: %v", err)
	default:
	}
	same, _ := f.ca.Server("broker")
	if err := testcerts.ReplaceFile(f.s.KeystoreLocation, same.Keystore()); err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Millisecond)
	_, cs, err := handshake(t, st.Config(), cli)
	if err != nil || cs.PeerCertificates[0].SerialNumber.Cmp(same.Cert.SerialNumber) != 0 {
		t.Fatalf("a certificate of the same subject was not taken: %v", err)
	}
	if err := <-reloaded; err != nil {
		t.Fatal(err)
	}
}
