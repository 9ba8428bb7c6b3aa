package integration

import (
	"context"
	"encoding/base64"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/gofka/gofka/internal/authz"
	"github.com/gofka/gofka/pkg/gofkatest"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

const tokenSecret = "gofka-token-secret"

// tokenAuth authenticates with a delegation token through SCRAM-SHA-512
// (or SCRAM-SHA-256 when sha256), franz-go's token extension on.
func tokenAuth(tok kadm.DelegationToken, sha256 bool) kgo.Opt {
	a := scram.Auth{User: tok.TokenID, Pass: base64.StdEncoding.EncodeToString(tok.HMAC), IsToken: true}
	if sha256 {
		return kgo.SASL(a.AsSha256Mechanism())
	}
	return kgo.SASL(a.AsSha512Mechanism())
}

// pingWith reports whether a new connection with opts authenticates.
func pingWith(addr string, opts ...kgo.Opt) error {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cl, err := kgo.NewClient(append(opts, kgo.SeedBrokers(addr), kgo.RequestRetries(0))...)
	if err != nil {
		return err
	}
	defer cl.Close()
	return cl.Ping(ctx)
}

// waitLoginFails waits until a new login with opts is refused.
func waitLoginFails(t *testing.T, addr string, opts ...kgo.Opt) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := pingWith(addr, opts...)
		if errors.Is(err, kerr.SaslAuthenticationFailed) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("login still accepted (last err %v)", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestDelegationTokens: alice (PLAIN) creates a token; franz-go produces,
// consumes and joins a group with it over SASL_SSL (SCRAM-SHA-512) and
// SASL_PLAINTEXT (SCRAM-SHA-256) as alice; a token connection may not
// create tokens; renew extends the expiry, expire(0) makes new logins
// fail and the sweep removes the token, expire(-1) removes it at once;
// others get DELEGATION_TOKEN_OWNER_MISMATCH, unknown HMACs
// DELEGATION_TOKEN_NOT_FOUND.
func TestDelegationTokens(t *testing.T) {
	e := newSecEnv(t)
	c := saslCluster(t, e, "delegation.token.secret.key", tokenSecret, "delegation.token.expiry.check.interval.ms", "100")
	plainAddr, sslAddr := c.ListenerAddr("SASL_PLAINTEXT"), c.ListenerAddr("SASL_SSL")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	alice := newAdminOpts(t, kgo.SeedBrokers(plainAddr), plainAuth("alice", "alice-secret"))
	tok, err := alice.CreateDelegationToken(ctx, kadm.CreateDelegationToken{Renewers: []kadm.Principal{{Type: "User", Name: "admin"}}})
	if err != nil {
		t.Fatalf("create token: %v", err)
	}
	if tok.Owner.Name != "alice" || tok.TokenRequesterPrincipal.Name != "alice" || len(tok.HMAC) != 64 || !tok.ExpiryTimestamp.After(time.Now()) {
		t.Fatalf("token = %+v", tok)
	}
	tlsOpt := kgo.DialTLSConfig(e.clientTLS(t, ""))
	roundTrip(t, sslAddr, "token-ssl", 200, tlsOpt, tokenAuth(tok, false))
	roundTrip(t, plainAddr, "token-plain", 100, tokenAuth(tok, true))
	consumeGroup(ctx, t, plainAddr, "token-plain", "token-group", tokenAuth(tok, true))

	// A connection authenticated by a token is alice but may not create
	// or renew tokens.
	byToken := newAdminOpts(t, kgo.SeedBrokers(plainAddr), tokenAuth(tok, true))
	if _, err := byToken.CreateDelegationToken(ctx, kadm.CreateDelegationToken{}); !errors.Is(err, kerr.DelegationTokenRequestNotAllowed) {
		t.Errorf("create through a token: %v, want DELEGATION_TOKEN_REQUEST_NOT_ALLOWED", err)
	}
	if _, err := byToken.RenewDelegationToken(ctx, tok.HMAC, time.Hour); !errors.Is(err, kerr.DelegationTokenRequestNotAllowed) {
		t.Errorf("renew through a token: %v, want DELEGATION_TOKEN_REQUEST_NOT_ALLOWED", err)
	}

	checkRenewExpire(ctx, t, plainAddr, alice, tok)

	// A token past its max lifetime stops authenticating and cannot be
	// renewed.
	brief, err := alice.CreateDelegationToken(ctx, kadm.CreateDelegationToken{MaxLifetime: time.Second})
	if err != nil || brief.MaxTimestamp.Sub(brief.IssueTimestamp) != time.Second || !brief.ExpiryTimestamp.Equal(brief.MaxTimestamp) {
		t.Fatalf("create with a one-second lifetime: %+v %v", brief, err)
	}
	waitLoginFails(t, plainAddr, tokenAuth(brief, true))
	if _, err := alice.RenewDelegationToken(ctx, brief.HMAC, time.Hour); !errors.Is(err, kerr.DelegationTokenExpired) && !errors.Is(err, kerr.DelegationTokenNotFound) {
		t.Errorf("renew past the max lifetime: %v, want DELEGATION_TOKEN_EXPIRED (or NOT_FOUND once swept)", err)
	}
}

// checkRenewExpire: renew extends, others may not renew, expire ends.
func checkRenewExpire(ctx context.Context, t *testing.T, addr string, alice *kadm.Client, tok kadm.DelegationToken) {
	t.Helper()
	short, err := alice.ExpireDelegationToken(ctx, tok.HMAC, time.Minute)
	if err != nil || short.After(time.Now().Add(time.Minute)) {
		t.Fatalf("expire in a minute: %v %v", short, err)
	}
	renewed, err := alice.RenewDelegationToken(ctx, tok.HMAC, time.Hour)
	if err != nil || !renewed.After(short.Add(50*time.Minute)) {
		t.Fatalf("renew: %v (was %v), %v", renewed, short, err)
	}
	// admin is a renewer; bob (SCRAM) is not.
	admin := newAdminOpts(t, kgo.SeedBrokers(addr), plainAuth("admin", "admin-secret"))
	if _, err := admin.RenewDelegationToken(ctx, tok.HMAC, time.Hour); err != nil {
		t.Errorf("renew by a renewer: %v", err)
	}
	if _, err := admin.RenewDelegationToken(ctx, []byte("not a token"), time.Hour); !errors.Is(err, kerr.DelegationTokenNotFound) {
		t.Errorf("renew an unknown HMAC: %v, want DELEGATION_TOKEN_NOT_FOUND", err)
	}
	desc, err := alice.DescribeDelegationTokens(ctx)
	if err != nil || len(desc) != 1 || desc[0].TokenID != tok.TokenID || !desc[0].ExpiryTimestamp.After(short) ||
		len(desc[0].Renewers) != 1 || string(desc[0].HMAC) != string(tok.HMAC) {
		t.Fatalf("describe: %+v %v", desc, err)
	}

	// Expiring now stops new logins at once; the sweep then removes it.
	if _, err := alice.ExpireDelegationToken(ctx, tok.HMAC, 0); err != nil {
		t.Fatalf("expire now: %v", err)
	}
	waitLoginFails(t, addr, tokenAuth(tok, true))
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := alice.RenewDelegationToken(ctx, tok.HMAC, time.Hour); errors.Is(err, kerr.DelegationTokenNotFound) {
			break
		} else if !errors.Is(err, kerr.DelegationTokenExpired) || time.Now().After(deadline) {
			t.Fatalf("renew an expired token: %v, want DELEGATION_TOKEN_EXPIRED until the sweep removes it", err)
		}
		time.Sleep(20 * time.Millisecond)
	}

	// Expiring with a negative period removes a token at once.
	tok2, err := alice.CreateDelegationToken(ctx, kadm.CreateDelegationToken{})
	if err != nil {
		t.Fatal(err)
	}
	if err := pingWith(addr, tokenAuth(tok2, false)); err != nil {
		t.Fatalf("login with a new token: %v", err)
	}
	if _, err := admin.ExpireDelegationToken(ctx, tok2.HMAC, -time.Millisecond); !errors.Is(err, kerr.DelegationTokenOwnerMismatch) {
		t.Errorf("expire by another: %v, want DELEGATION_TOKEN_OWNER_MISMATCH", err)
	}
	if _, err := alice.ExpireDelegationToken(ctx, tok2.HMAC, -time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if d, err := alice.DescribeDelegationTokens(ctx); err != nil || len(d) != 0 {
		t.Errorf("describe after expiry: %+v %v", d, err)
	}
	waitLoginFails(t, addr, tokenAuth(tok2, false))
}

// TestDelegationTokensRefused: tokens are disabled without
// delegation.token.secret.key, and refused on PLAINTEXT listeners.
func TestDelegationTokensRefused(t *testing.T) {
	e := newSecEnv(t)
	c := gofkatest.Start(t, e.options("PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0",
		"sasl.enabled.mechanisms", "PLAIN", "sasl.jaas.config", plainJAAS)...)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	plain := newAdminOpts(t, kgo.SeedBrokers(c.ListenerAddr("PLAINTEXT")))
	if _, err := plain.CreateDelegationToken(ctx, kadm.CreateDelegationToken{}); !errors.Is(err, kerr.DelegationTokenRequestNotAllowed) {
		t.Errorf("create on PLAINTEXT: %v, want DELEGATION_TOKEN_REQUEST_NOT_ALLOWED", err)
	}
	saslCl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenerAddr("SASL_PLAINTEXT")), plainAuth("alice", "alice-secret"))
	if err != nil {
		t.Fatal(err)
	}
	defer saslCl.Close()
	sasl := kadm.NewClient(saslCl)
	if _, err := sasl.CreateDelegationToken(ctx, kadm.CreateDelegationToken{}); !errors.Is(err, kerr.DelegationTokenAuthDisabled) {
		t.Errorf("create without a secret key: %v, want DELEGATION_TOKEN_AUTH_DISABLED", err)
	}
	if _, err := sasl.DescribeDelegationTokens(ctx); !errors.Is(err, kerr.DelegationTokenAuthDisabled) {
		t.Errorf("describe without a secret key: %v, want DELEGATION_TOKEN_AUTH_DISABLED", err)
	}
	req := kmsg.NewPtrRenewDelegationTokenRequest()
	req.HMAC = []byte("x")
	resp, err := req.RequestWith(ctx, saslCl)
	if err != nil || resp.ErrorCode != kerr.DelegationTokenAuthDisabled.Code {
		t.Errorf("renew without a secret key: %v %v", resp, err)
	}
}

// tokenJAAS adds bob, a user without rights, to plainJAAS's.
const tokenJAAS = `org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-secret" user_admin="admin-secret" user_alice="alice-secret" user_bob="bob-secret";`

// TestDelegationTokensForwarded: on three combined nodes and on a
// controller with two brokers, the token APIs sent to a node that is not
// the active controller reach it in an Envelope and are decided as the
// client: a token created through one broker is owned by the principal it
// authenticated, replicates, and logs in on every broker; a connection
// that logged in with a token may not create or renew; creating for
// another owner needs CreateTokens on that user
// (DELEGATION_TOKEN_AUTHORIZATION_FAILED before the ACL); a user who is
// neither owner nor renewer may not renew or expire
// (DELEGATION_TOKEN_OWNER_MISMATCH) nor describe without DescribeTokens;
// renew and expire through another broker take effect everywhere.
func TestDelegationTokensForwarded(t *testing.T) {
	for _, topo := range []struct {
		name string
		opts []gofkatest.ClusterOption
	}{
		{"combined", []gofkatest.ClusterOption{gofkatest.Nodes(3)}},
		{"controller", []gofkatest.ClusterOption{gofkatest.Controllers(1), gofkatest.Brokers(2)}},
	} {
		t.Run(topo.name, func(t *testing.T) {
			c := gofkatest.StartCluster(t, append(topo.opts, gofkatest.NodeOptions(
				gofkatest.WithConfig("listener.security.protocol.map", "PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT"),
				gofkatest.WithConfig("sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-512"),
				gofkatest.WithConfig("sasl.jaas.config", tokenJAAS),
				gofkatest.WithConfig("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer"),
				gofkatest.WithConfig("super.users", "User:admin;User:ANONYMOUS"),
				gofkatest.WithConfig("delegation.token.secret.key", tokenSecret)))...)
			var brokers []string // the client listeners of the nodes that are not the active controller
			for id := int32(1); id <= 3; id++ {
				if n := c.Node(id); id != c.Leader() && n.Addr() != "" {
					brokers = append(brokers, n.Addr())
				}
			}
			checkForwardedTokens(t, brokers)
		})
	}
}

// checkForwardedTokens runs TestDelegationTokensForwarded's checks
// through two brokers that are not the active controller.
func checkForwardedTokens(t *testing.T, brokers []string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	a, b := brokers[0], brokers[1]
	alice := newAdminOpts(t, kgo.SeedBrokers(a), plainAuth("alice", "alice-secret"))
	tok, err := alice.CreateDelegationToken(ctx, kadm.CreateDelegationToken{})
	if err != nil || tok.Owner.Name != "alice" || tok.TokenRequesterPrincipal.Name != "alice" {
		t.Fatalf("create through %s: %+v %v", a, tok, err)
	}
	for _, addr := range brokers {
		deadline := time.Now().Add(10 * time.Second)
		for pingWith(addr, tokenAuth(tok, false)) != nil {
			if time.Now().After(deadline) {
				t.Fatalf("the token does not authenticate on %s", addr)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	byToken := newAdminOpts(t, kgo.SeedBrokers(a), tokenAuth(tok, false))
	if _, err := byToken.CreateDelegationToken(ctx, kadm.CreateDelegationToken{}); !errors.Is(err, kerr.DelegationTokenRequestNotAllowed) {
		t.Errorf("create through a token: %v, want DELEGATION_TOKEN_REQUEST_NOT_ALLOWED", err)
	}
	if _, err := byToken.RenewDelegationToken(ctx, tok.HMAC, time.Hour); !errors.Is(err, kerr.DelegationTokenRequestNotAllowed) {
		t.Errorf("renew through a token: %v, want DELEGATION_TOKEN_REQUEST_NOT_ALLOWED", err)
	}

	// The controller authorizes as alice, not as the forwarding broker.
	forBob := kadm.CreateDelegationToken{Owner: &kadm.Principal{Type: "User", Name: "bob"}}
	if _, err := alice.CreateDelegationToken(ctx, forBob); !errors.Is(err, kerr.DelegationTokenAuthorizationFailed) {
		t.Fatalf("create for bob without CreateTokens: %v, want DELEGATION_TOKEN_AUTHORIZATION_FAILED", err)
	}
	admin, err := kgo.NewClient(kgo.SeedBrokers(b), plainAuth("admin", "admin-secret"))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	grantACLs(ctx, t, admin, []authz.Binding{{ResourceType: authz.ResourceUser, ResourceName: "User:bob",
		PatternType: authz.PatternLiteral, Principal: "User:alice", Host: "*", Operation: authz.OpCreateTokens, Permission: authz.PermAllow}})
	bobs, err := alice.CreateDelegationToken(ctx, forBob)
	if err != nil || bobs.Owner.Name != "bob" || bobs.TokenRequesterPrincipal.Name != "alice" {
		t.Fatalf("create for bob with CreateTokens: %+v %v", bobs, err)
	}

	bob := newAdminOpts(t, kgo.SeedBrokers(b), plainAuth("bob", "bob-secret"))
	if _, err := bob.RenewDelegationToken(ctx, tok.HMAC, time.Hour); !errors.Is(err, kerr.DelegationTokenOwnerMismatch) {
		t.Errorf("renew alice's token as bob: %v, want DELEGATION_TOKEN_OWNER_MISMATCH", err)
	}
	if _, err := bob.ExpireDelegationToken(ctx, tok.HMAC, -time.Millisecond); !errors.Is(err, kerr.DelegationTokenOwnerMismatch) {
		t.Errorf("expire alice's token as bob: %v, want DELEGATION_TOKEN_OWNER_MISMATCH", err)
	}
	waitDescribed(ctx, t, bob, bobs.TokenID) // his own only
	grantACLs(ctx, t, admin, []authz.Binding{{ResourceType: authz.ResourceUser, ResourceName: "User:alice",
		PatternType: authz.PatternLiteral, Principal: "User:bob", Host: "*", Operation: authz.OpDescribeTokens, Permission: authz.PermAllow}})
	waitDescribed(ctx, t, bob, bobs.TokenID, tok.TokenID)

	other := newAdminOpts(t, kgo.SeedBrokers(b), plainAuth("alice", "alice-secret"))
	if _, err := other.RenewDelegationToken(ctx, tok.HMAC, time.Hour); err != nil {
		t.Fatalf("renew through %s: %v", b, err)
	}
	if _, err := other.ExpireDelegationToken(ctx, tok.HMAC, -time.Millisecond); err != nil {
		t.Fatalf("expire through %s: %v", b, err)
	}
	for _, addr := range brokers {
		waitLoginFails(t, addr, tokenAuth(tok, false))
	}
}

// waitDescribed waits until adm describes exactly the tokens ids (the
// broker it asks applies the controller's records a little later).
func waitDescribed(ctx context.Context, t *testing.T, adm *kadm.Client, ids ...string) {
	t.Helper()
	slices.Sort(ids)
	deadline := time.Now().Add(10 * time.Second)
	for {
		d, err := adm.DescribeDelegationTokens(ctx)
		if err != nil {
			t.Fatalf("describe tokens: %v", err)
		}
		var got []string
		for _, tok := range d {
			got = append(got, tok.TokenID)
		}
		slices.Sort(got)
		if slices.Equal(got, ids) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("described %v, want %v", got, ids)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// tlsOpt trusts the env's CA.
func tlsOpt(t *testing.T, e *secEnv) kgo.Opt { return kgo.DialTLSConfig(e.clientTLS(t, "")) }
