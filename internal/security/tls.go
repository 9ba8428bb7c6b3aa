package security

import (
	"crypto/tls"
	"fmt"
	"time"
)

// ServerTLS is the TLS configuration of one listener. Handshakes take the
// current configuration; when the store files change on disk, the next
// handshake after the check interval loads them again, so new connections
// get the new certificate while open connections keep theirs. A failed
// reload keeps the previous configuration.
type ServerTLS struct {
	*storeReloader
}

// NewServerTLS loads the stores of s. check is the reload check interval
// (0 means DefaultReloadCheck, negative never reloads); onReload, when not
// nil, is called after each reload attempt.
func NewServerTLS(s TLSSettings, check time.Duration, onReload func(error)) (*ServerTLS, error) {
	r, err := newStoreReloader(s, check, onReload, buildServerConfig)
	if err != nil {
		return nil, err
	}
	return &ServerTLS{r}, nil
}

// Config returns the *tls.Config to serve with: every handshake asks for
// the current configuration.
func (st *ServerTLS) Config() *tls.Config {
	return &tls.Config{GetConfigForClient: st.forClient}
}

// ValidateHandshakes makes a dynamic change of the stores (Update, Check)
// also pass Kafka's SslEngineValidator check (tls_handshake.go): the new
// stores must complete TLS handshakes with the current ones both ways.
// Kafka runs it on the inter-broker listener; Gofka on the controller
// listener too. Files replaced on disk are not checked so (Kafka does not
// watch them).
func (st *ServerTLS) ValidateHandshakes() {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.handshakes = validateHandshakes
}

// Current returns the configuration handshakes use now.
func (st *ServerTLS) Current() *tls.Config { return st.cur.Load() }

func (st *ServerTLS) forClient(*tls.ClientHelloInfo) (*tls.Config, error) {
	return st.current(), nil
}

// buildServerConfig loads the stores and maps the ssl.* settings.
func buildServerConfig(s TLSSettings) (*tls.Config, error) {
	cert, err := loadKeyPair(s)
	if err != nil {
		return nil, err
	}
	pool, err := loadTrustPool(s)
	if err != nil {
		return nil, err
	}
	auth, err := clientAuthType(s.ClientAuth)
	if err != nil {
		return nil, err
	}
	if auth != tls.NoClientCert && pool == nil {
		return nil, fmt.Errorf("security: ssl.client.auth=%s needs a trust store", s.ClientAuth)
	}
	lo, hi, err := tlsVersions(s.EnabledProtocols)
	if err != nil {
		return nil, err
	}
	suites, err := cipherSuites(s.CipherSuites)
	if err != nil {
		return nil, err
	}
	return &tls.Config{Certificates: []tls.Certificate{*cert}, ClientCAs: pool, ClientAuth: auth,
		MinVersion: lo, MaxVersion: hi, CipherSuites: suites}, nil
}

// PrincipalFromTLS returns the principal of a TLS connection: the mapped
// DN of the client certificate, or Anonymous without one.
func (m *PrincipalMapper) PrincipalFromTLS(cs *tls.ConnectionState) (Principal, error) {
	if cs == nil || len(cs.PeerCertificates) == 0 {
		return Anonymous, nil
	}
	name, err := m.Map(CertificateDN(cs.PeerCertificates[0]))
	if err != nil {
		return Principal{}, err
	}
	return User(name), nil
}
