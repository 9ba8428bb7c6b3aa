package broker

import (
	"context"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/gofka/gofka/internal/config"
	"github.com/gofka/gofka/internal/security/oauthtest"
	"github.com/twmb/franz-go/pkg/kmsg"
	"go.uber.org/goleak"
)

const loginHandler = "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginCallbackHandler"

func oauthIdP(t *testing.T) *oauthtest.Server {
	t.Helper()
	idp, err := oauthtest.Start(oauthtest.Options{Clients: map[string]string{"node": "node-secret"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(idp.Close)
	return idp
}

// oauthNodeProps is one node whose inter-broker listener verifies signed
// tokens and which logs in to it by client credentials.
func oauthNodeProps(idp *oauthtest.Server, secret string) map[string]string {
	return map[string]string{
		"listeners": "INTERNAL://127.0.0.1:0", "listener.security.protocol.map": "INTERNAL:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT",
		"inter.broker.listener.name": "INTERNAL", "sasl.enabled.mechanisms": "OAUTHBEARER",
		"sasl.mechanism.inter.broker.protocol":                                   "OAUTHBEARER",
		"listener.name.internal.oauthbearer.sasl.jaas.config":                    `org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required clientId="node" clientSecret="` + secret + `" scope="kafka";`,
		"listener.name.internal.oauthbearer.sasl.login.callback.handler.class":   loginHandler,
		"listener.name.internal.oauthbearer.sasl.oauthbearer.token.endpoint.url": idp.TokenURL(),
		"sasl.oauthbearer.jwks.endpoint.url":                                     idp.JWKSURL(),
		"sasl.oauthbearer.expected.audience":                                     idp.Audience,
		"sasl.oauthbearer.expected.issuer":                                       idp.Issuer,
		"connection.failed.authentication.delay.ms":                              "0",
	}
}

func startNode(t *testing.T, props map[string]string) (*Node, error) {
	t.Helper()
	props["log.dirs"] = t.TempDir()
	cfg, err := config.LoadBroker(props)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return Start(Options{Config: cfg, Logger: slog.New(slog.DiscardHandler), Listener: ln})
}

// TestInterNodeOAuthLogin: a node logs in to its own JWKS-verified
// inter-broker listener with a token from the token endpoint, and its
// refresher stops when it closes.
func TestInterNodeOAuthLogin(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	idp := oauthIdP(t)
	n, err := startNode(t, oauthNodeProps(idp, "node-secret"))
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	if len(n.logins) != 1 || idp.Issued("node") != 1 {
		t.Fatalf("%d logins, %d tokens issued", len(n.logins), idp.Issued("node"))
	}
	cl, err := n.InterBrokerClient(n.nodeID)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	resp, err := cl.Request(ctx, kmsg.NewPtrMetadataRequest())
	if err != nil || len(resp.(*kmsg.MetadataResponse).Brokers) != 1 {
		t.Fatalf("inter-broker Metadata with the signed token: %v", err)
	}
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	idp.Close()
}

// TestInterNodeOAuthLoginRefused: a node whose client secret the token
// endpoint refuses does not start, and says why without the secret.
func TestInterNodeOAuthLoginRefused(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	idp := oauthIdP(t)
	_, err := startNode(t, oauthNodeProps(idp, "bad-secret"))
	if err == nil || !strings.Contains(err.Error(), "401") || !strings.Contains(err.Error(), "INTERNAL") {
		t.Fatalf("start with a wrong client secret: %v", err)
	}
	if strings.Contains(err.Error(), "bad-secret") {
		t.Errorf("the error holds the secret: %v", err)
	}
	idp.Close()
}

// TestInterNodeOAuthConfig: the login is chosen by the login callback
// handler class, and its misconfigurations are reported.
func TestInterNodeOAuthConfig(t *testing.T) {
	idp := oauthIdP(t)
	jaas := `org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required clientId="node" clientSecret="node-secret";`
	base := []string{"sasl.mechanism.controller.protocol", "OAUTHBEARER", "sasl.jaas.config", jaas,
		"sasl.oauthbearer.token.endpoint.url", idp.TokenURL()}
	for _, class := range []string{loginHandler, "org.apache.kafka.common.security.oauthbearer.secured.OAuthBearerLoginCallbackHandler"} {
		c, err := controllerClientSecurity(interNodeConfig(t, append(base, "sasl.login.callback.handler.class", class)...), nil)
		if err != nil {
			t.Fatalf("%s: %v", class, err)
		}
		if lm, ok := c.sec.SASL.(*loginMechanism); !ok || lm.key != "CONTROLLER/OAUTHBEARER" {
			t.Errorf("%s: %T", class, c.sec.SASL)
		}
	}
	for name, kv := range map[string][]string{
		"no handler class": {},
		"unknown class":    {"sasl.login.callback.handler.class", "com.example.Handler"},
		"bad factor":       {"sasl.login.callback.handler.class", loginHandler, "listener.name.controller.oauthbearer.sasl.login.refresh.window.factor", "2"},
		"no client id": {"sasl.login.callback.handler.class", loginHandler,
			"sasl.jaas.config", `org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required clientSecret="node-secret";`},
	} {
		_, err := controllerClientSecurity(interNodeConfig(t, append(base, kv...)...), nil)
		if err == nil || strings.Contains(err.Error(), "node-secret") {
			t.Errorf("%s: %v", name, err)
		}
	}
}
