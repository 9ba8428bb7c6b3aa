package broker

// Connection security: each listener's protocol decides how a connection
// gets its principal. PLAINTEXT connections are User:ANONYMOUS; SSL ones
// take the principal from the client certificate through
// ssl.principal.mapping.rules (ANONYMOUS without one); SASL_PLAINTEXT and
// SASL_SSL ones must authenticate with SaslHandshake and SaslAuthenticate
// before any other request but ApiVersions (sasl.go).

import (
	"crypto/tls"
	"fmt"
	"strings"
	"time"

	"github.com/gofka/gofka/internal/config"
	"github.com/gofka/gofka/internal/security"
	"github.com/gofka/gofka/internal/wire"
)

// listenerSecurity is the security of one listener.
type listenerSecurity struct {
	name     string
	protocol string
	tls      *security.ServerTLS // SSL and SASL_SSL
	mapper   *security.PrincipalMapper
	sasl     *saslConfig // SASL_PLAINTEXT and SASL_SSL (sasl.go)
	dyn      dynamicTLS  // dynamic store configs served (security_dynamic.go)
}

// connSession is a connection's security state, kept in
// wire.ConnInfo.Session; it is replaced, never changed in place.
type connSession struct {
	principal security.Principal
	// authenticated is false on a SASL listener until SaslAuthenticate
	// succeeded.
	authenticated bool
	// SASL state (sasl.go): the mechanism and exchange of the last
	// SaslHandshake, the session expiry (KIP-368) and whether an
	// authentication failed.
	mech     string
	exchange security.Exchange
	expiry   time.Time
	failed   bool
	// tokenAuth marks a connection authenticated by a delegation token
	// (tokens.go): it may not create, renew, expire or describe tokens.
	tokenAuth bool
	// enveloped marks the connection of a request a broker forwarded in
	// an Envelope (envelope.go): it is never forwarded again.
	enveloped bool
}

// newListenerSecurity builds the security of listener l from the
// listener.name.<l>. overrides and the broker-wide ssl.* and sasl.*
// properties.
func (n *Node) newListenerSecurity(l config.Listener) (*listenerSecurity, error) {
	get := listenerGetter(n.cfg, l.Name)
	ls := &listenerSecurity{name: l.Name, protocol: l.SecurityProtocol}
	var err error
	if ls.mapper, err = security.ParseMappingRules(get("ssl.principal.mapping.rules")); err != nil {
		return nil, fmt.Errorf("broker: listener %s: %w", l.Name, err)
	}
	if strings.HasSuffix(l.SecurityProtocol, "SSL") {
		ls.tls, err = security.NewServerTLS(security.TLSSettingsFrom(get), 0, func(err error) {
			n.logTLSReload("listener", l.Name, err)
		})
		if err != nil {
			return nil, fmt.Errorf("broker: listener %s: %w", l.Name, err)
		}
		if n.internodeListener(l.Name) {
			ls.tls.ValidateHandshakes()
		}
	}
	if strings.HasPrefix(l.SecurityProtocol, "SASL_") {
		if ls.sasl, err = n.newSASLConfig(l.Name, get); err != nil {
			return nil, fmt.Errorf("broker: listener %s: %w", l.Name, err)
		}
	}
	return ls, nil
}

// internodeListener reports the listeners other nodes reach this one on:
// the inter-broker listener (of a broker) and the controller listener.
// Their stores may change dynamically only to stores that complete TLS
// handshakes with the current ones both ways, as Kafka checks the
// inter-broker listener's (SslFactory's SslEngineValidator), so that a
// change cannot cut the node off from the nodes that did not change.
func (n *Node) internodeListener(name string) bool {
	return (n.cfg.HasRole("broker") && name == n.cfg.InterBrokerListenerName) || contains(n.cfg.ControllerListenerNames, name)
}

// logTLSReload tells of a reload of what's stores (a listener's, or this
// node's clients' of a listener) after their files changed.
func (n *Node) logTLSReload(what, listener string, err error) {
	if err != nil {
		n.log.Error("TLS stores changed but do not load; keeping the previous certificate", "stores", what, "listener", listener, "err", err)
		return
	}
	n.log.Info("TLS stores reloaded", "stores", what, "listener", listener)
}

// listenerGetter returns a property's value for a listener:
// listener.name.<listener>.<name> when set, else the broker-wide value,
// else "".
func listenerGetter(cfg *config.Broker, listener string) func(string) string {
	prefix := "listener.name." + strings.ToLower(listener) + "."
	return func(name string) string {
		if v, ok := cfg.Raw[prefix+name]; ok {
			return v
		}
		if v := cfg.Get(name); v != nil {
			return *v
		}
		return ""
	}
}

func (ls *listenerSecurity) tlsConfig() *tls.Config {
	if ls.tls == nil {
		return nil
	}
	return ls.tls.Config()
}

// onConnect sets the session of a new connection once its TLS handshake
// finished.
func (ls *listenerSecurity) onConnect(ci *wire.ConnInfo) error {
	s := &connSession{principal: security.Anonymous, authenticated: ls.sasl == nil}
	if ls.protocol == "SSL" {
		p, err := ls.mapper.PrincipalFromTLS(ci.TLS)
		if err != nil {
			return err
		}
		s.principal = p
	}
	ci.Session.Store(s)
	return nil
}

// tlsHandshakeMetric counts TLS handshakes as authentications of
// mechanism SSL, as Kafka counts them: every failure, and the successes
// of SSL listeners (where the certificate is the credential).
func (n *Node) tlsHandshakeMetric(protocol string) func(*wire.ConnInfo, error) {
	return func(_ *wire.ConnInfo, err error) {
		reg := n.observe.reg
		if reg == nil || (err == nil && protocol != "SSL") {
			return
		}
		reg.Authentication("SSL", err == nil)
	}
}

// securityAPIs are the authentication and security admin APIs.
func securityAPIs() []api {
	return []api{
		{key: saslHandshakeKey, min: 0, max: 1, handle: (*Node).handleSaslHandshake},
		{key: saslAuthenticateKey, min: 0, max: 2, handle: (*Node).handleSaslAuthenticate},
		{key: 50, min: 0, max: 0, handle: (*Node).handleDescribeUserScramCredentials},
		{key: 51, min: 0, max: 0, handle: (*Node).handleAlterUserScramCredentials},
	}
}
