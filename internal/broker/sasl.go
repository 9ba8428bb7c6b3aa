package broker

// SaslHandshake (17) v1 and SaslAuthenticate (36) v0-2: Kafka's SASL
// authentication in Kafka requests (KIP-152), with re-authentication
// (KIP-368). On a SASL listener a connection may send only ApiVersions,
// SaslHandshake and SaslAuthenticate until it authenticated; a failed
// authentication, or any other request before it, closes the connection.
// With connections.max.reauth.ms set, SaslAuthenticate reports the session
// lifetime (bounded by an OAuth token's expiry) and a connection that uses
// an expired session for anything but re-authenticating is closed. A
// re-authentication may not change the principal. After a SaslHandshake
// v0 the tokens come as bare size-prefixed frames (rawSASL), as
// kafka-python sends them.

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofka/gofka/internal/config"
	"github.com/gofka/gofka/internal/security"
	"github.com/gofka/gofka/internal/wire"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

const (
	saslHandshakeKey    = 17
	saslAuthenticateKey = 36
	apiVersionsKey      = 18
)

// Close reasons of the SASL gate.
var (
	errNotAuthenticated = errors.New("broker: request before SASL authentication")
	errSessionExpired   = errors.New("broker: SASL session expired without re-authentication (KIP-368)")
	errAuthFailedClose  = errors.New("broker: request after a failed SASL authentication")
)

// saslConfig is the SASL configuration of one listener.
type saslConfig struct {
	names  []string // sasl.enabled.mechanisms, in order
	mechs  map[string]security.Mechanism
	reauth map[string]time.Duration // connections.max.reauth.ms by mechanism
}

// newSASLConfig builds the mechanisms enabled on listener.
func (n *Node) newSASLConfig(listener string, get func(string) string) (*saslConfig, error) {
	sc := &saslConfig{mechs: map[string]security.Mechanism{}, reauth: map[string]time.Duration{}}
	for _, name := range splitList(get("sasl.enabled.mechanisms")) {
		name = strings.ToUpper(name)
		mget := mechanismGetter(n.cfg, listener, name, get)
		m, err := n.newMechanism(name, mget)
		if err != nil {
			return nil, err
		}
		sc.names = append(sc.names, name)
		sc.mechs[name] = m
		if ms, err := parseInt(mget("connections.max.reauth.ms")); err == nil && ms > 0 {
			sc.reauth[name] = time.Duration(ms) * time.Millisecond
		}
	}
	if len(sc.names) == 0 {
		return nil, errors.New("sasl.enabled.mechanisms is empty")
	}
	return sc, nil
}

// mechanismGetter looks a property up with the listener and mechanism
// prefix (listener.name.<l>.<mechanism>.<name>) first.
func mechanismGetter(cfg *config.Broker, listener, mech string, get func(string) string) func(string) string {
	prefix := "listener.name." + strings.ToLower(listener) + "." + strings.ToLower(mech) + "."
	return func(name string) string {
		if v, ok := cfg.Raw[prefix+name]; ok {
			return v
		}
		return get(name)
	}
}

// newMechanism builds one server mechanism from its properties.
func (n *Node) newMechanism(name string, get func(string) string) (security.Mechanism, error) {
	switch name {
	case "PLAIN":
		return n.newPlain(get)
	case "SCRAM-SHA-256":
		return n.newScram(security.ScramSHA256)
	case "SCRAM-SHA-512":
		return n.newScram(security.ScramSHA512)
	case "OAUTHBEARER":
		v, err := newJWTValidator(get)
		if err != nil {
			return nil, err
		}
		return security.NewOAuthBearer(v), nil
	case "GSSAPI":
		return nil, errors.New("GSSAPI (Kerberos) is not supported: set sasl.enabled.mechanisms to PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER")
	}
	return nil, fmt.Errorf("unknown SASL mechanism %q", name)
}

// newPlain serves PLAIN with the users of sasl.jaas.config and of
// gofka.sasl.plain.users.file (either may be missing, not both).
func (n *Node) newPlain(get func(string) string) (security.Mechanism, error) {
	path, jaas := get("gofka.sasl.plain.users.file"), get("sasl.jaas.config")
	users := map[string]string{}
	if path == "" || jaas != "" {
		j, err := security.ParseJAAS(jaas)
		if err != nil {
			return nil, fmt.Errorf("PLAIN needs <listener>.plain.sasl.jaas.config with user_<name>=\"<password>\" options, or gofka.sasl.plain.users.file: %w", err)
		}
		users = j.PlainUsers()
	}
	if path == "" {
		return security.NewPlain(users), nil
	}
	f, err := security.NewUsersFile(path, 0, func(err error) {
		if err != nil {
			n.log.Error("PLAIN users file changed but does not read; keeping the previous users", "file", path, "err", err)
			return
		}
		n.log.Info("PLAIN users file reloaded", "file", path)
	})
	if err != nil {
		return nil, err
	}
	return security.NewPlainFile(users, f), nil
}

// newScram serves a SCRAM mechanism with the users' credentials and,
// when delegation.token.secret.key is set, delegation tokens.
func (n *Node) newScram(mech int8) (security.Mechanism, error) {
	s, err := security.NewScram(mech, n.scramLookup(mech))
	if err != nil || n.cfg.DelegationTokenSecretKey == "" {
		return s, err
	}
	return s.WithTokens(n.tokenLookup(mech))
}

// scramLookup reads SCRAM credentials from the current metadata image.
func (n *Node) scramLookup(mech int8) security.ScramLookup {
	return func(user string) (security.ScramCredential, bool) {
		c, ok := n.meta.Current().Scram(user, mech)
		return security.ScramCredential{Salt: c.Salt, StoredKey: c.StoredKey, ServerKey: c.ServerKey, Iterations: int(c.Iterations)}, ok
	}
}

// newJWTValidator reads the KIP-768 properties: signed tokens against the
// JWKS when sasl.oauthbearer.jwks.endpoint.url is set, unsecured otherwise.
func newJWTValidator(get func(string) string) (*security.JWTValidator, error) {
	skew, _ := parseInt(get("sasl.oauthbearer.clock.skew.seconds"))
	v := &security.JWTValidator{Audience: splitList(get("sasl.oauthbearer.expected.audience")),
		Issuer: get("sasl.oauthbearer.expected.issuer"), ClockSkew: time.Duration(skew) * time.Second,
		SubClaim: get("sasl.oauthbearer.sub.claim.name"), ScopeClaim: get("sasl.oauthbearer.scope.claim.name")}
	if url := get("sasl.oauthbearer.jwks.endpoint.url"); url != "" {
		refresh, _ := parseInt(get("sasl.oauthbearer.jwks.endpoint.refresh.ms"))
		keys, err := security.NewJWKS(url, time.Duration(refresh)*time.Millisecond)
		if err != nil {
			return nil, err
		}
		v.Keys = keys
	}
	return v, nil
}

// admitSASL lets a request through the SASL gate, or closes the connection.
func (n *Node) admitSASL(req *wire.Request, reply wire.Reply) bool {
	s := sessionOf(req.Conn)
	var reason error
	switch {
	case s.failed:
		reason = errAuthFailedClose
	case req.Key == saslHandshakeKey || req.Key == saslAuthenticateKey:
		return true
	case !s.authenticated && req.Key != apiVersionsKey:
		reason = errNotAuthenticated
	case s.authenticated && !s.expiry.IsZero() && n.now().After(s.expiry):
		reason = errSessionExpired
	default:
		return true
	}
	n.log.Info("closing connection", "listener", req.Conn.Listener, "remote", req.Conn.Remote.String(),
		"principal", s.principal.String(), "api", kmsg.NameForKey(req.Key), "reason", reason)
	reply.Close(reason)
	return false
}

// sessionOf returns the connection's session; a connection without one
// (tests that drive handlers directly) is an authenticated ANONYMOUS.
func sessionOf(ci *wire.ConnInfo) *connSession {
	if ci != nil {
		if s, ok := ci.Session.Load().(*connSession); ok {
			return s
		}
	}
	return &connSession{principal: security.Anonymous, authenticated: true}
}

// setSession replaces the connection's session.
func setSession(ci *wire.ConnInfo, s *connSession) {
	if ci != nil {
		ci.Session.Store(s)
	}
}

func (n *Node) handleSaslHandshake(req *wire.Request, reply wire.Reply) {
	r := req.Msg.(*kmsg.SASLHandshakeRequest)
	resp := r.ResponseKind().(*kmsg.SASLHandshakeResponse)
	sc := n.saslOf(req.Conn)
	s := *sessionOf(req.Conn)
	switch {
	case sc == nil || s.exchange != nil:
		resp.ErrorCode = kerr.IllegalSaslState.Code
	case sc.mechs[r.Mechanism] == nil:
		resp.ErrorCode = kerr.UnsupportedSaslMechanism.Code
		resp.SupportedMechanisms = sc.names
		s.failed = true
		n.authFailed(req, r.Mechanism, "mechanism not enabled")
	default:
		resp.SupportedMechanisms = sc.names
		s.mech, s.exchange = r.Mechanism, sc.mechs[r.Mechanism].Start()
		if req.Version == 0 {
			req.Conn.ServeRaw(n.rawSASL(req))
		}
	}
	setSession(req.Conn, &s)
	reply.Send(resp)
}

// rawSASL serves the tokens that follow a SaslHandshake v0 (KIP-43, as
// kafka-python sends them): bare size-prefixed SASL messages, answered the
// same way, until the exchange ends. A failure closes the connection, as
// Kafka does.
func (n *Node) rawSASL(req *wire.Request) wire.RawFrameFunc {
	ci := req.Conn
	return func(tok []byte) ([]byte, error) {
		s := *sessionOf(ci)
		out, done, err := s.exchange.Step(tok)
		if err == nil && done {
			err = n.finishAuth(req, &s, kmsg.NewPtrSASLAuthenticateResponse())
		}
		if err != nil {
			s.failed, s.exchange = true, nil
			setSession(ci, &s)
			n.authFailed(req, s.mech, err.Error())
			ci.ServeRaw(nil)
			return nil, err
		}
		if done {
			ci.ServeRaw(nil)
		}
		setSession(ci, &s)
		return out, nil
	}
}

// saslOf returns the SASL configuration of the connection's listener, nil
// on a listener without SASL.
func (n *Node) saslOf(ci *wire.ConnInfo) *saslConfig {
	if ci != nil && n.ctrlSec != nil && ci.Listener == n.ctrlSec.name {
		return n.ctrlSec.sasl
	}
	for _, sl := range n.listeners {
		if ci != nil && sl.cfg.Name == ci.Listener {
			return sl.sec.sasl
		}
	}
	return nil
}

func (n *Node) handleSaslAuthenticate(req *wire.Request, reply wire.Reply) {
	r := req.Msg.(*kmsg.SASLAuthenticateRequest)
	resp := r.ResponseKind().(*kmsg.SASLAuthenticateResponse)
	s := *sessionOf(req.Conn)
	if s.exchange == nil {
		resp.ErrorCode = kerr.IllegalSaslState.Code
		s.failed = true
		setSession(req.Conn, &s)
		reply.Send(resp)
		return
	}
	out, done, err := s.exchange.Step(r.SASLAuthBytes)
	if err == nil && done {
		err = n.finishAuth(req, &s, resp)
	}
	if err != nil {
		resp.ErrorCode = kerr.SaslAuthenticationFailed.Code
		resp.ErrorMessage = kmsg.StringPtr(fmt.Sprintf("Authentication failed during authentication due to invalid credentials with SASL mechanism %s", s.mech))
		s.failed, s.exchange = true, nil
		n.authFailed(req, s.mech, err.Error())
		setSession(req.Conn, &s)
		n.sendDelayed(reply, resp, time.Duration(n.cfg.FailedAuthenticationDelayMs)*time.Millisecond)
		return
	}
	resp.SASLAuthBytes = out
	setSession(req.Conn, &s)
	reply.Send(resp)
}

// sendDelayed answers a failed authentication after
// connection.failed.authentication.delay.ms, as Kafka does to slow down
// password guessing; the connection reads nothing more meanwhile that it
// would serve.
func (n *Node) sendDelayed(reply wire.Reply, resp kmsg.Response, d time.Duration) {
	if d <= 0 {
		reply.Send(resp)
		return
	}
	time.AfterFunc(d, func() { reply.Send(resp) })
}

// finishAuth completes a successful exchange: it sets the principal and
// the session lifetime, refusing a re-authentication as someone else.
func (n *Node) finishAuth(req *wire.Request, s *connSession, resp *kmsg.SASLAuthenticateResponse) error {
	p := s.exchange.Principal()
	if s.authenticated && p != s.principal {
		return fmt.Errorf("re-authentication as %s on a connection of %s", p, s.principal)
	}
	reauth := s.authenticated
	lifetime := n.sessionLifetime(n.saslOf(req.Conn), s.mech, s.exchange.Expiry())
	s.principal, s.authenticated, s.expiry = p, true, time.Time{}
	if ta, ok := s.exchange.(security.TokenAuthenticated); ok {
		s.tokenAuth = ta.TokenAuthenticated()
	}
	if lifetime > 0 {
		s.expiry = n.now().Add(lifetime)
		resp.SessionLifetimeMillis = lifetime.Milliseconds()
	}
	s.exchange = nil
	if reg := n.observe.reg; reg != nil {
		if reauth {
			reg.Reauthentication(s.mech, true)
		} else {
			reg.Authentication(s.mech, true)
		}
	}
	return nil
}

// sessionLifetime is connections.max.reauth.ms bounded by the credential's
// expiry; 0 (no re-authentication) when connections.max.reauth.ms is 0,
// as in Kafka.
func (n *Node) sessionLifetime(sc *saslConfig, mech string, expiry time.Time) time.Duration {
	if sc == nil || sc.reauth[mech] <= 0 {
		return 0
	}
	life := sc.reauth[mech]
	if !expiry.IsZero() {
		life = min(life, max(expiry.Sub(n.now()), time.Millisecond))
	}
	return life
}

// authFailed logs and counts a failed authentication; the reason never
// holds a secret (security errors do not quote credentials).
func (n *Node) authFailed(req *wire.Request, mech, reason string) {
	n.log.Info("authentication failed", "listener", req.Conn.Listener, "remote", req.Conn.Remote.String(),
		"mechanism", mech, "reason", reason)
	if reg := n.observe.reg; reg != nil {
		if sessionOf(req.Conn).authenticated {
			reg.Reauthentication(mech, false)
		} else {
			reg.Authentication(mech, false)
		}
	}
}

func splitList(s string) []string {
	var out []string
	for _, e := range strings.Split(s, ",") {
		if e = strings.TrimSpace(e); e != "" {
			out = append(out, e)
		}
	}
	return out
}

func parseInt(s string) (int64, error) {
	return strconv.ParseInt(strings.TrimSpace(s), 10, 64)
}
