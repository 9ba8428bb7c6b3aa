package security

import (
	"crypto/tls"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultReloadCheck is how often, at most, a handshake checks whether the
// key or trust store files changed.
const DefaultReloadCheck = time.Second

// ServerTLS is the TLS configuration of one listener. Handshakes take the
// current configuration; when the store files change on disk, the next
// handshake after the check interval loads them again, so new connections
// get the new certificate while open connections keep theirs. A failed
// reload keeps the previous configuration.
type ServerTLS struct {
	settings TLSSettings
	check    time.Duration
	onReload func(error) // told of each reload attempt (nil error on success)

	cur       atomic.Pointer[tls.Config]
	nextCheck atomic.Int64 // unix nanos
	mu        sync.Mutex   // one reload at a time; guards stamps
	stamps    []fileStamp
}

// fileStamp identifies one version of a store file.
type fileStamp struct {
	path    string
	modTime time.Time
	size    int64
}

// NewServerTLS loads the stores of s. check is the reload check interval
// (0 means DefaultReloadCheck, negative never reloads); onReload, when not
// nil, is called after each reload attempt.
func NewServerTLS(s TLSSettings, check time.Duration, onReload func(error)) (*ServerTLS, error) {
	if check == 0 {
		check = DefaultReloadCheck
	}
	st := &ServerTLS{settings: s, check: check, onReload: onReload}
	st.stamps = st.statFiles()
	cfg, err := buildServerConfig(s)
	if err != nil {
		return nil, err
	}
	st.cur.Store(cfg)
	st.nextCheck.Store(time.Now().Add(check).UnixNano())
	return st, nil
}

// Config returns the *tls.Config to serve with: every handshake asks for
// the current configuration.
func (st *ServerTLS) Config() *tls.Config {
	return &tls.Config{GetConfigForClient: st.forClient}
}

// Current returns the configuration handshakes use now.
func (st *ServerTLS) Current() *tls.Config { return st.cur.Load() }

func (st *ServerTLS) forClient(*tls.ClientHelloInfo) (*tls.Config, error) {
	st.maybeReload()
	return st.cur.Load(), nil
}

// maybeReload reloads the stores when the check interval passed and a
// file's modification time or size changed.
func (st *ServerTLS) maybeReload() {
	if st.check < 0 {
		return
	}
	now := time.Now()
	next := st.nextCheck.Load()
	if now.UnixNano() < next || !st.nextCheck.CompareAndSwap(next, now.Add(st.check).UnixNano()) {
		return
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	stamps := st.statFiles()
	if stampsEqual(stamps, st.stamps) {
		return
	}
	err := st.reloadLocked(stamps)
	if st.onReload != nil {
		st.onReload(err)
	}
}

// Update serves with new settings (a dynamic change of the listener's
// ssl.* configs): the stores are loaded first, and on failure the
// current configuration stays. Open connections keep theirs.
func (st *ServerTLS) Update(s TLSSettings) error {
	cfg, err := buildServerConfig(s)
	if err != nil {
		return fmt.Errorf("security: new TLS stores: %w", err)
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	st.settings = s
	st.stamps = st.statFiles()
	st.cur.Store(cfg)
	return nil
}

// Validate reports whether settings s load, without serving them.
func Validate(s TLSSettings) error {
	_, err := buildServerConfig(s)
	return err
}

// Reload loads the stores again now, whatever the files' stamps.
func (st *ServerTLS) Reload() error {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.reloadLocked(st.statFiles())
}

func (st *ServerTLS) reloadLocked(stamps []fileStamp) error {
	cfg, err := buildServerConfig(st.settings)
	if err != nil {
		return fmt.Errorf("security: reload TLS stores: %w", err)
	}
	st.cur.Store(cfg)
	st.stamps = stamps
	return nil
}

func (st *ServerTLS) statFiles() []fileStamp {
	var out []fileStamp
	for _, p := range []string{st.settings.KeystoreLocation, st.settings.TruststoreLocation} {
		if p == "" {
			continue
		}
		fs := fileStamp{path: p}
		if fi, err := os.Stat(p); err == nil {
			fs.modTime, fs.size = fi.ModTime(), fi.Size()
		}
		out = append(out, fs)
	}
	return out
}

func stampsEqual(a, b []fileStamp) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].path != b[i].path || !a[i].modTime.Equal(b[i].modTime) || a[i].size != b[i].size {
			return false
		}
	}
	return true
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
