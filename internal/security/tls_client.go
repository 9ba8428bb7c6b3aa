package security

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"time"
)

// ClientTLS is the TLS configuration a node dials other nodes with over a
// listener of these settings: its own keystore as the client certificate
// (for mTLS; none when no keystore is set), its truststore as the CAs it
// trusts (the system's without one). The stores reload as a listener's
// do (storeReloader): each handshake takes the current certificate and
// CAs, so a rotated keystore or CA reaches new connections without a
// restart. Protocols and cipher suites are fixed at start, as Kafka's
// SslFactory rebuilds only for the stores. With
// ssl.endpoint.identification.algorithm empty the peer's chain is
// verified but not its host name, as Kafka does.
type ClientTLS struct {
	*storeReloader
	cfg      *tls.Config
	identify bool // check the peer's host name
}

// NewClientTLS loads the stores of s; check and onReload are as for
// NewServerTLS.
func NewClientTLS(s TLSSettings, check time.Duration, onReload func(error)) (*ClientTLS, error) {
	r, err := newStoreReloader(s, check, onReload, buildClientStores)
	if err != nil {
		return nil, err
	}
	c := &ClientTLS{storeReloader: r, identify: s.EndpointIdentification != ""}
	cfg := &tls.Config{
		// The chain (and the host name, when identified) is checked
		// against the current CAs in verify: RootCAs cannot change.
		InsecureSkipVerify:   true,
		VerifyConnection:     c.verify,
		GetClientCertificate: c.clientCertificate,
	}
	if cfg.MinVersion, cfg.MaxVersion, err = tlsVersions(s.EnabledProtocols); err != nil {
		return nil, err
	}
	if cfg.CipherSuites, err = cipherSuites(s.CipherSuites); err != nil {
		return nil, err
	}
	c.cfg = cfg
	return c, nil
}

// Config is the configuration to dial with (a client copies it per
// connection; ServerName set to the peer's host).
func (c *ClientTLS) Config() *tls.Config { return c.cfg }

// buildClientStores loads the stores into a configuration that only
// carries them: Certificates (none without a keystore) and RootCAs (nil
// for the system's).
func buildClientStores(s TLSSettings) (*tls.Config, error) {
	cfg := &tls.Config{}
	if s.KeystoreLocation != "" || s.KeystoreKey != "" {
		cert, err := loadKeyPair(s)
		if err != nil {
			return nil, err
		}
		cfg.Certificates = []tls.Certificate{*cert}
	}
	pool, err := loadTrustPool(s)
	if err != nil {
		return nil, err
	}
	cfg.RootCAs = pool
	return cfg, nil
}

// clientCertificate is the keystore's certificate, or none.
func (c *ClientTLS) clientCertificate(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
	cur := c.current()
	if len(cur.Certificates) == 0 {
		return &tls.Certificate{}, nil
	}
	return &cur.Certificates[0], nil
}

// verify checks the peer's chain against the current CAs, and its host
// name when endpoint identification is on.
func (c *ClientTLS) verify(cs tls.ConnectionState) error {
	host := ""
	if c.identify {
		host = cs.ServerName
	}
	return verifyChain(cs, c.current().RootCAs, host)
}

// verifyChain checks the peer's chain against roots (the system's when
// nil), and its host name when host is not "".
func verifyChain(cs tls.ConnectionState, roots *x509.CertPool, host string) error {
	if len(cs.PeerCertificates) == 0 {
		return errors.New("security: the peer sent no certificate")
	}
	opts := x509.VerifyOptions{Roots: roots, Intermediates: x509.NewCertPool(), DNSName: host}
	for _, c := range cs.PeerCertificates[1:] {
		opts.Intermediates.AddCert(c)
	}
	if _, err := cs.PeerCertificates[0].Verify(opts); err != nil {
		return fmt.Errorf("security: peer certificate: %w", err)
	}
	return nil
}
