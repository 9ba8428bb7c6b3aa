package security

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
)

// NewClientTLS is the TLS configuration a node dials another node with
// over a listener of these settings: its own keystore as the client
// certificate (for mTLS; none when no keystore is set), its truststore as
// the CAs it trusts (the system's without one). With
// ssl.endpoint.identification.algorithm empty (identify false) the peer's
// chain is verified but not its host name, as Kafka does.
func NewClientTLS(s TLSSettings, identify bool) (*tls.Config, error) {
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
	if cfg.MinVersion, cfg.MaxVersion, err = tlsVersions(s.EnabledProtocols); err != nil {
		return nil, err
	}
	if cfg.CipherSuites, err = cipherSuites(s.CipherSuites); err != nil {
		return nil, err
	}
	if !identify {
		cfg.InsecureSkipVerify = true // the chain is checked below, the host name is not
		cfg.VerifyConnection = func(cs tls.ConnectionState) error { return verifyChain(cs, pool) }
	}
	return cfg, nil
}

// verifyChain checks the peer's chain against roots (the system's when
// nil), without a host name.
func verifyChain(cs tls.ConnectionState, roots *x509.CertPool) error {
	if len(cs.PeerCertificates) == 0 {
		return errors.New("security: the peer sent no certificate")
	}
	opts := x509.VerifyOptions{Roots: roots, Intermediates: x509.NewCertPool()}
	for _, c := range cs.PeerCertificates[1:] {
		opts.Intermediates.AddCert(c)
	}
	if _, err := cs.PeerCertificates[0].Verify(opts); err != nil {
		return fmt.Errorf("security: peer certificate: %w", err)
	}
	return nil
}
