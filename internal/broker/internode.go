package broker

// Inter-node security: the clients a node talks to other nodes with
// secure their connections as the listener they reach asks. Raft
// messages, observer metadata fetches, broker registrations and
// heartbeats and forwarded requests go to the controller listener
// (controller.listener.names[0]) with sasl.mechanism.controller.protocol;
// broker-to-broker requests (replica fetchers) go to the inter-broker
// listener (inter.broker.listener.name) with
// sasl.mechanism.inter.broker.protocol. TLS uses the node's own keystore
// (the client certificate, for ssl.client.auth=required) and truststore;
// SASL takes the username and password of the listener's JAAS line, as
// Kafka's clients do (listener.name.<l>.<mechanism>.sasl.jaas.config,
// then sasl.jaas.config); OAUTHBEARER logs in with unsecured tokens, or
// with signed ones from the token endpoint (KIP-768) when the listener's
// sasl.login.callback.handler.class is Kafka's
// OAuthBearerLoginCallbackHandler: the node keeps the token, refreshes it
// before it expires, and closes the refresher when it stops.

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofka/gofka/internal/config"
	"github.com/gofka/gofka/internal/security"
	"github.com/gofka/gofka/internal/wire"
	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/oauth"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

// ErrControllerSCRAM refuses SCRAM from a controller to the other
// controllers (broker-only nodes may use it): the credentials
// live in the metadata log, which the controllers cannot read before they
// formed the quorum (Kafka has the same limit; use PLAIN or mTLS there).
var ErrControllerSCRAM = errors.New("broker: sasl.mechanism.controller.protocol cannot be SCRAM: " +
	"SCRAM credentials are metadata the controllers need the quorum to read; use PLAIN, or SSL with ssl.client.auth=required, on the controller listener")

// interNodeClient is how a node secures its connections to one listener
// of the other nodes. Its TLS stores (nil without TLS) reload as the
// listener's own do: when their files change, and when the listener's
// dynamic ssl configs change (security_dynamic.go).
type interNodeClient struct {
	listener string
	sec      wire.ClientSecurity
	tls      *security.ClientTLS
	dyn      dynamicTLS
}

// interNodeSecurity keeps a client security that could not be built as
// an error for when it is used (a single node never uses it; a broker of
// several logs it at every attempt), but stops start-up for SCRAM from a
// controller, which can never work.
func (n *Node) interNodeSecurity(c *interNodeClient, err error) (*interNodeClient, error) {
	switch {
	case errors.Is(err, ErrControllerSCRAM):
		return nil, err
	case err != nil:
		n.log.Warn("connections to other nodes will fail", "err", err)
		return &interNodeClient{sec: wire.ClientSecurity{Err: err}}, nil
	}
	if c.tls != nil {
		n.clientTLS = append(n.clientTLS, c)
	}
	sec, err := n.startLogin(c.sec)
	if err != nil {
		return nil, err
	}
	c.sec = sec
	return c, nil
}

// controllerListenerName is the listener nodes reach controllers on.
func controllerListenerName(cfg *config.Broker) string {
	if len(cfg.ControllerListenerNames) > 0 {
		return cfg.ControllerListenerNames[0]
	}
	return "CONTROLLER"
}

// reloadLogger tells of a file-triggered reload of stores; nil in tests.
type reloadLogger func(what, listener string, err error)

// controllerClientSecurity secures the connections to controllers.
func controllerClientSecurity(cfg *config.Broker, logReload reloadLogger) (*interNodeClient, error) {
	mech := strings.ToUpper(cfg.SASLMechanismController)
	if strings.HasPrefix(mech, "SCRAM-") && cfg.HasRole("controller") && usesSASL(cfg, controllerListenerName(cfg)) {
		return nil, ErrControllerSCRAM
	}
	return clientSecurity(cfg, controllerListenerName(cfg), mech, "sasl.mechanism.controller.protocol", logReload)
}

// interBrokerClientSecurity secures the connections to other brokers'
// inter-broker listeners.
func interBrokerClientSecurity(cfg *config.Broker, logReload reloadLogger) (*interNodeClient, error) {
	return clientSecurity(cfg, cfg.InterBrokerListenerName, strings.ToUpper(cfg.SASLMechanismInterBroker),
		"sasl.mechanism.inter.broker.protocol", logReload)
}

func usesSASL(cfg *config.Broker, listener string) bool {
	return strings.HasPrefix(cfg.ListenerSecurityProtocolMap[listener], "SASL_")
}

// clientSecurity builds the client side of listener's security protocol.
func clientSecurity(cfg *config.Broker, listener, mech, mechProp string, logReload reloadLogger) (*interNodeClient, error) {
	c := &interNodeClient{listener: listener}
	// A listener the map does not name is one no node serves (a single
	// node without a controller listener): nothing is sent to it.
	protocol := cfg.ListenerSecurityProtocolMap[listener]
	get := listenerGetter(cfg, listener)
	if strings.HasSuffix(protocol, "SSL") {
		var onReload func(error)
		if logReload != nil {
			onReload = func(err error) { logReload("inter-node client", listener, err) }
		}
		tc, err := security.NewClientTLS(security.TLSSettingsFrom(get), 0, onReload)
		if err != nil {
			return nil, fmt.Errorf("broker: client TLS for listener %s: %w", listener, err)
		}
		c.tls, c.sec.TLS = tc, tc.Config()
	}
	if strings.HasPrefix(protocol, "SASL_") {
		m, err := clientMechanism(mech, mechanismGetter(cfg, listener, mech, get))
		if err != nil {
			return nil, fmt.Errorf("broker: %s=%s for listener %s: %w", mechProp, mech, listener, err)
		}
		if lm, ok := m.(*loginMechanism); ok {
			lm.listener, lm.key = listener, listener+"/"+mech
		}
		c.sec.SASL = m
	}
	return c, nil
}

// clientMechanism is the client side of mechanism with the username and
// password of the JAAS line, or for OAUTHBEARER its login: signed tokens
// when sasl.login.callback.handler.class is Kafka's
// OAuthBearerLoginCallbackHandler, unsecured ones otherwise (Kafka's
// OAuthBearerLoginModule: unsecuredLoginStringClaim_sub).
func clientMechanism(mech string, get func(string) string) (sasl.Mechanism, error) {
	j, err := security.ParseJAAS(get("sasl.jaas.config"))
	if err != nil {
		return nil, fmt.Errorf("needs a sasl.jaas.config with username and password: %w", err)
	}
	if mech == "OAUTHBEARER" {
		return oauthMechanism(get, j)
	}
	user, pass := j.Options["username"], j.Options["password"]
	if user == "" {
		return nil, errors.New("the sasl.jaas.config has no username option")
	}
	switch mech {
	case "PLAIN":
		return plain.Auth{User: user, Pass: pass}.AsMechanism(), nil
	case "SCRAM-SHA-256":
		return scram.Auth{User: user, Pass: pass}.AsSha256Mechanism(), nil
	case "SCRAM-SHA-512":
		return scram.Auth{User: user, Pass: pass}.AsSha512Mechanism(), nil
	}
	return nil, errors.New("not supported between nodes (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 and OAUTHBEARER are)")
}

// oauthMechanism picks the OAUTHBEARER login by the login callback
// handler class.
func oauthMechanism(get func(string) string, j *security.JAAS) (sasl.Mechanism, error) {
	switch class := strings.TrimSpace(get("sasl.login.callback.handler.class")); {
	case class == "":
		return unsecuredOAuth(j, get("sasl.oauthbearer.token.endpoint.url") != "")
	case security.IsOAuthLoginHandler(class):
		login, err := security.NewOAuthLoginFrom(get, j, nil)
		if err != nil {
			return nil, err
		}
		return newLoginMechanism(login), nil
	default:
		return nil, fmt.Errorf("sasl.login.callback.handler.class %s is not supported (%s is)", class, security.OAuthLoginHandlers[0])
	}
}

// unsecuredOAuth logs in with a fresh unsecured JWT (alg none) for each
// authentication, as Kafka's OAuthBearerUnsecuredLoginCallbackHandler:
// subject unsecuredLoginStringClaim_sub, lifetime
// unsecuredLoginLifetimeSeconds (default 3600).
func unsecuredOAuth(j *security.JAAS, hasEndpoint bool) (sasl.Mechanism, error) {
	sub := j.Options["unsecuredLoginStringClaim_sub"]
	switch {
	case sub == "" && hasEndpoint:
		return nil, fmt.Errorf("sasl.oauthbearer.token.endpoint.url is set but sasl.login.callback.handler.class is not: set it to %s to log in with signed tokens", security.OAuthLoginHandlers[0])
	case sub == "":
		return nil, errors.New("OAUTHBEARER between nodes needs unsecuredLoginStringClaim_sub in the sasl.jaas.config, or sasl.login.callback.handler.class and sasl.oauthbearer.token.endpoint.url for signed tokens")
	}
	life := 3600 * time.Second
	if v := j.Options["unsecuredLoginLifetimeSeconds"]; v != "" {
		secs, err := strconv.Atoi(v)
		if err != nil || secs <= 0 {
			return nil, fmt.Errorf("unsecuredLoginLifetimeSeconds %q is not a positive number", v)
		}
		life = time.Duration(secs) * time.Second
	}
	return oauth.Oauth(func(context.Context) (oauth.Auth, error) {
		return oauth.Auth{Token: security.UnsecuredJWT(sub, time.Now(), life)}, nil
	}), nil
}

// loginMechanism is OAUTHBEARER with the current token of a login, which
// the node starts when it builds its clients and closes when it stops
// (startLogin, closeLogins).
type loginMechanism struct {
	sasl.Mechanism
	login    *security.OAuthLogin
	listener string
	key      string // listener/mechanism: one login serves both kinds of clients
}

func newLoginMechanism(login *security.OAuthLogin) *loginMechanism {
	return &loginMechanism{login: login, Mechanism: oauth.Oauth(func(ctx context.Context) (oauth.Auth, error) {
		tok, err := login.Token(ctx)
		if err != nil {
			return oauth.Auth{}, err
		}
		return oauth.Auth{Token: tok.Value}, nil
	})}
}

// loginStartTimeout bounds a node's first token retrieval.
const loginStartTimeout = time.Minute

// startLogin starts the login of sec's mechanism, if it has one, or
// reuses the one already started for the same listener and mechanism. A
// login that fails stops the node's start, as in Kafka.
func (n *Node) startLogin(sec wire.ClientSecurity) (wire.ClientSecurity, error) {
	lm, ok := sec.SASL.(*loginMechanism)
	if !ok {
		return sec, nil
	}
	if started, ok := n.logins[lm.key]; ok {
		sec.SASL = started
		return sec, nil
	}
	lm.login.SetLogger(n.log.With("login", lm.key))
	ctx, cancel := context.WithTimeout(context.Background(), loginStartTimeout)
	defer cancel()
	if err := lm.login.Start(ctx); err != nil {
		return sec, fmt.Errorf("broker: OAUTHBEARER login to listener %s: %w", lm.listener, err)
	}
	if n.logins == nil {
		n.logins = map[string]*loginMechanism{}
	}
	n.logins[lm.key] = lm
	return sec, nil
}

// closeLogins stops the token refreshers.
func (n *Node) closeLogins() {
	for _, lm := range n.logins {
		lm.login.Close()
	}
}

// InterBrokerClient returns the client of broker id's inter-broker
// listener, as its registration names it, secured as that listener asks
// (as replica fetchers' clients are: replicaTransport.Dial).
func (n *Node) InterBrokerClient(id int32) (*wire.Client, error) {
	if n.brokerPeer == nil {
		return nil, errors.New("broker: a controller-only node has no inter-broker client")
	}
	addr, err := n.brokerAddr(id)
	if err != nil {
		return nil, err
	}
	return n.brokerPeer.client(addr), nil
}
