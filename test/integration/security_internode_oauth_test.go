package integration

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/gofka/gofka/internal/security/oauthtest"
	"github.com/gofka/gofka/pkg/gofkatest"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl/oauth"
)

// TestInterNodeOAuthBearerJWKS runs docs/security.md's signed-token block
// on three nodes against a test identity provider: the controller and
// inter-broker listeners verify JWTs with its JWKS, the nodes log in by
// client credentials with 15s tokens and 5s sessions, so every node
// refreshes its tokens and authenticates anew while a franz-go client
// (signed tokens too) produces to an RF=3 topic with acks=all; everything
// is read back, no session outlives its token, a node with a wrong client
// secret fails to start and the cluster serves on.
func TestInterNodeOAuthBearerJWKS(t *testing.T) {
	const marker = "internode-oauthbearer-jwks"
	props := docProperties(t, marker)
	idp, err := oauthtest.Start(oauthtest.Options{Issuer: props["sasl.oauthbearer.expected.issuer"],
		Audience: props["sasl.oauthbearer.expected.audience"], Clients: map[string]string{"node": "node-secret"},
		Lifetime: 15 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(idp.Close)
	s := newNodeStores(t)
	var logs gofkatest.LogBuffer
	c := interNodeCluster(t, s, marker, gofkatest.NodeOptions(
		gofkatest.WithConfig("sasl.oauthbearer.jwks.endpoint.url", idp.JWKSURL()),
		gofkatest.WithConfig("sasl.oauthbearer.token.endpoint.url", idp.TokenURL()),
		gofkatest.WithConfig("connections.max.reauth.ms", "5000"),
		gofkatest.WithLogger(slog.New(slog.NewTextHandler(&logs, nil)))))
	admin := []kgo.Opt{kgo.DialTLSConfig(s.clientTLS(t, "")), kgo.SASL(oauth.Oauth(func(context.Context) (oauth.Auth, error) {
		return oauth.Auth{Token: idp.Sign("admin", 15*time.Second)}, nil
	}))}
	// Two logins a node (the controller and the inter-broker listener):
	// six tokens at start, six more at each refresh.
	produceWhileRefreshing(t, c, idp, admin, 6*3)
	checkInterBroker(t, c, follower(t, c))
	out := logs.String()
	for _, bad := range []string{"authentication failed", "node-secret", "eyJ"} {
		if strings.Contains(out, bad) {
			t.Errorf("the nodes' logs hold %q", bad)
		}
	}
	checkNodeSessionsRenewed(t, out)

	bad := c.AddBroker(map[string]string{"listener.name.controller.oauthbearer.sasl.jaas.config": strings.Replace(
		props["listener.name.controller.oauthbearer.sasl.jaas.config"], `"node-secret"`, `"wrong-node-secret"`, 1)})
	if err := c.StartNodeWithin(bad, 3*time.Second); err == nil {
		t.Fatal("a node with a wrong client secret joined")
	} else if !strings.Contains(err.Error(), "401") || strings.Contains(err.Error(), "wrong-node-secret") {
		t.Errorf("the wrong client secret's error: %v", err)
	} else {
		t.Logf("refused as it should be: %v", err)
	}
	roundTrip(t, c.Addrs()[0], "after-bad-node", 50, admin...)
}

// produceWhileRefreshing produces to an RF=3 topic with acks=all until the
// identity provider issued tokens tokens to the nodes, then reads every
// record back.
func produceWhileRefreshing(t *testing.T, c *gofkatest.MultiCluster, idp *oauthtest.Server, admin []kgo.Opt, tokens int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cl := clientOpts(t, append(admin, kgo.SeedBrokers(c.Addrs()...), kgo.RequiredAcks(kgo.AllISRAcks()))...)
	if _, err := kadm.NewClient(cl).CreateTopic(ctx, 3, 3, map[string]*string{"min.insync.replicas": kadm.StringPtr("3")}, "signed"); err != nil {
		t.Fatalf("create a topic of three replicas: %v", err)
	}
	sent := 0
	for ; idp.Issued("node") < tokens || sent < 50; sent++ {
		if err := cl.ProduceSync(ctx, &kgo.Record{Topic: "signed", Value: fmt.Appendf(nil, "v-%d", sent)}).FirstErr(); err != nil {
			t.Fatalf("produce %d with acks=all (%d tokens issued): %v", sent, idp.Issued("node"), err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("%d records produced while the nodes took %d tokens", sent, idp.Issued("node"))
	got := map[string]bool{}
	cons := clientOpts(t, append(admin, kgo.SeedBrokers(c.Addrs()...), kgo.ConsumeTopics("signed"),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))...)
	for len(got) < sent {
		fs := cons.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("read %d of %d records back", len(got), sent)
		}
		fs.EachError(func(topic string, p int32, err error) { t.Logf("fetch %s/%d: %v", topic, p, err) })
		fs.EachRecord(func(r *kgo.Record) { got[string(r.Value)] = true })
	}
	for i := range sent {
		if !got[fmt.Sprintf("v-%d", i)] {
			t.Errorf("record v-%d was not read back", i)
		}
	}
}

// checkNodeSessionsRenewed fails when a node's own connection (principal
// User:node) was closed for a session that ended without
// re-authentication: the nodes must log in anew before it ends. The
// franz-go admin client renews 1 s before the end of its 5 s sessions, so
// on a loaded machine a request it wrote in time can be read after the end
// (a connection's requests are read one at a time); those are logged only.
func checkNodeSessionsRenewed(t *testing.T, logs string) {
	t.Helper()
	for _, line := range strings.Split(logs, "\n") {
		if !strings.Contains(line, "re-authentication (KIP-368)") {
			continue
		}
		if strings.Contains(line, "principal=User:node") {
			t.Errorf("a node's session ended without re-authentication: %s", line)
		} else {
			t.Logf("a client's session ended: %s", line)
		}
	}
}
