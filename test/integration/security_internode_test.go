package integration

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509/pkix"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofka/gofka/internal/raft"
	"github.com/gofka/gofka/internal/security/testcerts"
	"github.com/gofka/gofka/internal/wire"
	"github.com/gofka/gofka/pkg/gofkatest"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/twmb/franz-go/pkg/sasl/oauth"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

// docProperties returns the properties of the block after marker in
// docs/security.md, so the documented setup is the one the test runs.
func docProperties(t *testing.T, marker string) map[string]string {
	t.Helper()
	f, err := os.Open("../../docs/security.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	props := map[string]string{}
	state := 0 // 0 before the marker, 1 before the block, 2 inside
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case state == 0 && strings.TrimSpace(line) == "<!-- "+marker+" -->":
			state = 1
		case state == 1 && strings.HasPrefix(line, "```"):
			state = 2
		case state == 2 && strings.HasPrefix(line, "```"):
			return props
		case state == 2:
			k, v, ok := strings.Cut(line, "=")
			if !ok {
				t.Fatalf("docs/security.md %s: %q is not name=value", marker, line)
			}
			props[k] = v
		}
	}
	t.Fatalf("docs/security.md has no properties block after <!-- %s -->", marker)
	return nil
}

// nodeStores makes each node's keystore (CN=node-<id>) from one CA and
// the CA's truststore, as the docs' blocks name them.
type nodeStores struct {
	ca    *testcerts.CA
	dir   string
	trust string
	mu    sync.Mutex
}

func newNodeStores(t *testing.T) *nodeStores {
	t.Helper()
	ca, err := testcerts.NewCA("gofka-internode-ca")
	if err != nil {
		t.Fatal(err)
	}
	s := &nodeStores{ca: ca, dir: t.TempDir()}
	if s.trust, err = testcerts.WriteFile(s.dir, "ca.pem", ca.CertPEM); err != nil {
		t.Fatal(err)
	}
	return s
}

// keystore writes a node keystore for cn issued by ca.
func (s *nodeStores) keystore(t testing.TB, ca *testcerts.CA, cn string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := ca.Node(pkix.Name{CommonName: cn, Organization: []string{"gofka"}})
	if err != nil {
		t.Fatal(err)
	}
	path, err := testcerts.WriteFile(s.dir, cn+"-"+fmt.Sprint(time.Now().UnixNano())+".pem", p.Keystore())
	if err != nil {
		t.Fatal(err)
	}
	return path
}

// clientTLS trusts the CA and presents a certificate for cn ("" for none).
func (s *nodeStores) clientTLS(t *testing.T, cn string) *tls.Config {
	t.Helper()
	cfg := &tls.Config{RootCAs: s.ca.Pool(), ServerName: "localhost", MinVersion: tls.VersionTLS12}
	if cn != "" {
		p, err := s.ca.Client(pkix.Name{CommonName: cn})
		if err != nil {
			t.Fatal(err)
		}
		cfg.Certificates = []tls.Certificate{p.TLS()}
	}
	return cfg
}

// interNodeCluster starts three nodes with the docs' block: the listener
// names and addresses come from gofkatest, the stores from s.
func interNodeCluster(t *testing.T, s *nodeStores, marker string, extra ...gofkatest.ClusterOption) *gofkatest.MultiCluster {
	t.Helper()
	props := docProperties(t, marker)
	var opts []gofkatest.Option
	for k, v := range props {
		switch k {
		case "listeners", "inter.broker.listener.name", "controller.listener.names", "ssl.keystore.location", "ssl.truststore.location":
			continue // set per node by gofkatest and PerNode
		}
		opts = append(opts, gofkatest.WithConfig(k, v))
	}
	opts = append(opts, gofkatest.WithConfig("connection.failed.authentication.delay.ms", "0"))
	return gofkatest.StartCluster(t, append([]gofkatest.ClusterOption{
		gofkatest.NodeOptions(opts...),
		gofkatest.ClientListener("INTERNAL"),
		gofkatest.PerNode(func(id int32) map[string]string {
			return map[string]string{
				"ssl.keystore.location":   s.keystore(t, s.ca, fmt.Sprintf("node-%d", id)),
				"ssl.truststore.location": s.trust,
			}
		}),
	}, extra...)...)
}

// follower is a running node that does not lead the metadata quorum.
func follower(t *testing.T, c *gofkatest.MultiCluster) int32 {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if l := c.Leader(); l > 0 {
			return l%3 + 1
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("no quorum leader")
	return -1
}

// createVia sends CreateTopics to node id (a follower forwards it in an
// Envelope) and returns the topic's error code.
func createVia(t *testing.T, cl *kgo.Client, id int32, topic string) int16 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := kadm.NewClient(cl).BrokerMetadata(ctx); err != nil {
		t.Fatalf("metadata: %v", err)
	}
	req := kmsg.NewPtrCreateTopicsRequest()
	rt := kmsg.NewCreateTopicsRequestTopic()
	rt.Topic, rt.NumPartitions, rt.ReplicationFactor = topic, 1, 1
	req.Topics = append(req.Topics, rt)
	req.TimeoutMillis = 20000
	resp, err := cl.Broker(int(id)).Request(ctx, req)
	if err != nil {
		t.Fatalf("CreateTopics via node %d: %v", id, err)
	}
	return resp.(*kmsg.CreateTopicsResponse).Topics[0].ErrorCode
}

func clientOpts(t *testing.T, opts ...kgo.Opt) *kgo.Client {
	t.Helper()
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return cl
}

// checkForwardedAuthz: alice, with Create on the topic only, creates it
// through a follower (forwarded in an Envelope, authorized on the active
// controller as alice); bob, without it, is refused there.
func checkForwardedAuthz(t *testing.T, c *gofkatest.MultiCluster, admin, alice, bob []kgo.Opt) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	adm := kadm.NewClient(clientOpts(t, append(admin, kgo.SeedBrokers(c.Addrs()...))...))
	mustACL(ctx, t, adm, kadm.NewACLs().Allow("User:alice").Topics("orders").Operations(kadm.OpCreate))
	f := follower(t, c)
	checkInterBroker(t, c, f)
	checkReplicated(t, c, admin)
	if code := createVia(t, clientOpts(t, append(bob, kgo.SeedBrokers(c.Node(f).Addr()))...), f, "orders"); code != kerr.TopicAuthorizationFailed.Code {
		t.Errorf("bob via node %d: %v, want TOPIC_AUTHORIZATION_FAILED", f, kerr.ErrorForCode(code))
	}
	if code := createVia(t, clientOpts(t, append(alice, kgo.SeedBrokers(c.Node(f).Addr()))...), f, "orders"); code != 0 {
		t.Fatalf("alice via node %d: %v", f, kerr.ErrorForCode(code))
	}
	if code := createVia(t, clientOpts(t, append(alice, kgo.SeedBrokers(c.Node(f).Addr()))...), f, "payments"); code != kerr.TopicAuthorizationFailed.Code {
		t.Errorf("alice creating another topic: %v, want TOPIC_AUTHORIZATION_FAILED", kerr.ErrorForCode(code))
	}
}

// checkInterBroker sends Metadata from node from to the active controller's
// node over the inter-broker listener, as replica fetchers will.
func checkInterBroker(t *testing.T, c *gofkatest.MultiCluster, from int32) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	to := c.Leader()
	req := kmsg.NewPtrMetadataRequest()
	req.SetVersion(12)
	resp, err := c.Node(from).InterBrokerRequest(ctx, to, req)
	if err != nil {
		t.Fatalf("node %d to node %d over the inter-broker listener: %v", from, to, err)
	}
	if n := len(resp.(*kmsg.MetadataResponse).Brokers); n != 3 {
		t.Errorf("node %d's inter-broker Metadata lists %d brokers, want 3", to, n)
	}
}

// checkReplicated creates a topic with three replicas and produces to it
// with acks=all: the followers fetch the records over the secured
// inter-broker listener, so every node's log dir holds them.
func checkReplicated(t *testing.T, c *gofkatest.MultiCluster, admin []kgo.Opt) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cl := clientOpts(t, append(admin, kgo.SeedBrokers(c.Addrs()...), kgo.RequiredAcks(kgo.AllISRAcks()))...)
	adm := kadm.NewClient(cl)
	if _, err := adm.CreateTopic(ctx, 1, 3, nil, "replicated"); err != nil {
		t.Fatalf("create a topic of three replicas: %v", err)
	}
	for i := range 20 {
		if err := cl.ProduceSync(ctx, &kgo.Record{Topic: "replicated", Value: []byte(fmt.Sprint(i))}).FirstErr(); err != nil {
			t.Fatalf("produce with acks=all: %v", err)
		}
	}
	for {
		dirs, err := adm.DescribeAllLogDirs(ctx, nil)
		holding := 0
		for _, ds := range dirs {
			if p, ok := ds.LookupPartition("replicated", 0); ok && p.Size > 0 {
				holding++
			}
		}
		if err == nil && holding == 3 {
			return
		}
		if ctx.Err() != nil {
			t.Fatalf("%d of 3 replicas hold the records (%v)", holding, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestInterNodeSASLSSL runs docs/security.md's SASL_SSL block on three
// nodes: PLAIN to the controllers, SCRAM-SHA-256 between brokers with the
// credential made at format, forwarded requests authorized as the client,
// and a node with a wrong password kept out while the cluster serves.
func TestInterNodeSASLSSL(t *testing.T) {
	s := newNodeStores(t)
	// Sessions to the controllers last 2s (KIP-368): the nodes must
	// authenticate anew, never use an expired session.
	var logs gofkatest.LogBuffer
	c := interNodeCluster(t, s, "internode-sasl-ssl", gofkatest.FormatSCRAM(
		"SCRAM-SHA-256=[name=node,password=node-secret]", "SCRAM-SHA-256=[name=admin,password=admin-secret]"),
		gofkatest.NodeOptions(gofkatest.WithConfig("listener.name.controller.connections.max.reauth.ms", "2000"),
			gofkatest.WithLogger(slog.New(slog.NewTextHandler(&logs, nil)))))
	tlsOpt := kgo.DialTLSConfig(s.clientTLS(t, ""))
	as := func(user, pass string) []kgo.Opt {
		return []kgo.Opt{tlsOpt, kgo.SASL(scram.Auth{User: user, Pass: pass}.AsSha256Mechanism())}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// admin exists from format: it makes alice and bob.
	leaderAdm := kadm.NewClient(clientOpts(t, append(as("admin", "admin-secret"), kgo.SeedBrokers(c.Node(c.Leader()).Addr()))...))
	res, err := leaderAdm.AlterUserSCRAMs(ctx, nil, []kadm.UpsertSCRAM{
		{User: "alice", Mechanism: kadm.ScramSha256, Password: "alice-secret"},
		{User: "bob", Mechanism: kadm.ScramSha256, Password: "bob-secret"},
	})
	if err == nil {
		err = res.Error()
	}
	if err != nil {
		t.Fatalf("create users: %v", err)
	}
	checkForwardedAuthz(t, c, as("admin", "admin-secret"), as("alice", "alice-secret"), as("bob", "bob-secret"))

	bad := c.AddBroker(map[string]string{"listener.name.controller.plain.sasl.jaas.config": `org.apache.kafka.common.security.plain.PlainLoginModule required username="node" password="wrong" user_node="wrong";`})
	if err := c.StartNodeWithin(bad, 3*time.Second); err == nil {
		t.Fatal("a node with a wrong password joined")
	} else if strings.Contains(err.Error(), "wrong") {
		t.Errorf("the error leaks the password: %v", err)
	}
	roundTrip(t, c.Addrs()[0], "after-bad-node", 50, as("admin", "admin-secret")...)
	out := logs.String()
	if strings.Contains(out, "re-authentication (KIP-368)") {
		t.Error("a node used an expired SASL session")
	}
	for _, secret := range []string{"node-secret", "admin-secret", `password="wrong"`} {
		if strings.Contains(out, secret) {
			t.Errorf("the logs hold a secret (%s)", secret)
		}
	}
	if !strings.Contains(out, "authentication failed") {
		t.Error("the bad node's failed authentication was not logged")
	}
}

// TestInterNodeMutualTLS runs docs/security.md's mTLS block on three
// nodes, whose certificates name them; a node with a certificate from
// another CA cannot join, and a client (alice, a valid certificate but no
// ClusterAction) is refused every node-only request on the controller
// listener, an Envelope that claims to carry admin's request included.
func TestInterNodeMutualTLS(t *testing.T) {
	s := newNodeStores(t)
	c := interNodeCluster(t, s, "internode-mtls")
	as := func(cn string) []kgo.Opt { return []kgo.Opt{kgo.DialTLSConfig(s.clientTLS(t, cn))} }
	checkForwardedAuthz(t, c, as("admin"), as("alice"), as("bob"))

	// A broker-only node with a certificate of the cluster's CA joins (its
	// CN is not a super user: so it must be granted ClusterAction)...
	good := c.AddBroker(nil)
	mustACL(context.Background(), t, kadm.NewClient(clientOpts(t, append(as("admin"), kgo.SeedBrokers(c.Addrs()...))...)),
		kadm.NewACLs().Allow("User:node-4").Clusters().Operations(kadm.OpClusterAction))
	if err := c.StartNodeWithin(good, time.Minute); err != nil {
		t.Fatalf("a node of the cluster's CA: %v", err)
	}
	// ...one with a certificate from another CA does not.
	other, err := testcerts.NewCA("another-ca")
	if err != nil {
		t.Fatal(err)
	}
	bad := c.AddBroker(map[string]string{"ssl.keystore.location": s.keystore(t, other, "node-5")})
	if err := c.StartNodeWithin(bad, 3*time.Second); err == nil {
		t.Fatal("a node with a certificate from another CA joined")
	}
	checkNodeOnlyAPIs(t, c, s)
	roundTrip(t, c.Addrs()[0], "after-bad-node", 50, as("admin")...)
}

// checkNodeOnlyAPIs sends the node-only APIs to the active controller's
// controller listener as alice.
func checkNodeOnlyAPIs(t *testing.T, c *gofkatest.MultiCluster, s *nodeStores) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cl := wire.NewSecureClient(c.Node(c.Leader()).ControllerAddr(), "alice", wire.ClientSecurity{TLS: s.clientTLS(t, "alice")})
	defer cl.Close()
	inner := kmsg.NewPtrCreateTopicsRequest()
	rt := kmsg.NewCreateTopicsRequestTopic()
	rt.Topic, rt.NumPartitions, rt.ReplicationFactor = "smuggled", 1, 1
	inner.Topics = append(inner.Topics, rt)
	inner.SetVersion(7)
	env := kmsg.NewPtrEnvelopeRequest()
	pd := kmsg.NewDefaultPrincipalData()
	pd.Type, pd.Name = "User", "admin"
	env.RequestData = wire.EncodeRequest(kmsg.StringPtr("alice"), 1, inner)
	env.RequestPrincipal, env.ClientHostAddress = pd.AppendTo(nil), []byte{127, 0, 0, 1}
	reg := kmsg.NewPtrBrokerRegistrationRequest()
	reg.BrokerID, reg.ClusterID = 99, c.ClusterID()
	hb := kmsg.NewPtrBrokerHeartbeatRequest()
	hb.BrokerID = 1
	ap := kmsg.NewPtrAlterPartitionRequest()
	ap.SetVersion(3)
	ap.BrokerID = 1
	fetch := &raft.FetchRequest{ClusterID: c.ClusterID()}
	msg := &raft.MessageRequest{ClusterID: c.ClusterID()}
	// Envelope is listed on the controller listener only, as Kafka lists it.
	av, err := cl.Request(ctx, kmsg.NewPtrApiVersionsRequest())
	if err != nil || !hasKey(av.(*kmsg.ApiVersionsResponse), 58) {
		t.Errorf("the controller listener's ApiVersions lacks Envelope (%v)", err)
	}
	brokerAV, err := kmsg.NewPtrApiVersionsRequest().RequestWith(ctx, clientOpts(t, kgo.SeedBrokers(c.Addrs()...), kgo.DialTLSConfig(s.clientTLS(t, "alice"))))
	if err != nil || hasKey(brokerAV, 58) {
		t.Errorf("a broker listener's ApiVersions lists Envelope (%v)", err)
	}
	for _, req := range []kmsg.Request{env, reg, hb, ap, fetch, msg} {
		resp, err := cl.Request(ctx, req)
		if err != nil {
			t.Fatalf("%T: %v", req, err)
		}
		if code := errorCodeOf(resp); code != kerr.ClusterAuthorizationFailed.Code {
			t.Errorf("%T from alice: %v, want CLUSTER_AUTHORIZATION_FAILED", req, kerr.ErrorForCode(code))
		}
	}
	adm := kadm.NewClient(clientOpts(t, kgo.SeedBrokers(c.Addrs()...), kgo.DialTLSConfig(s.clientTLS(t, "admin"))))
	if td, err := adm.ListTopics(ctx, "smuggled"); err != nil || td.Has("smuggled") {
		t.Errorf("the smuggled topic exists (%v)", err)
	}
}

func hasKey(r *kmsg.ApiVersionsResponse, key int16) bool {
	for _, k := range r.ApiKeys {
		if k.ApiKey == key {
			return true
		}
	}
	return false
}

func errorCodeOf(resp kmsg.Response) int16 {
	switch r := resp.(type) {
	case *kmsg.EnvelopeResponse:
		return r.ErrorCode
	case *kmsg.BrokerRegistrationResponse:
		return r.ErrorCode
	case *kmsg.BrokerHeartbeatResponse:
		return r.ErrorCode
	case *kmsg.AlterPartitionResponse:
		return r.ErrorCode
	case *raft.FetchResponse:
		return r.ErrorCode
	case *raft.MessageResponse:
		return r.ErrorCode
	}
	return -2
}

// TestInterNodeOAuthBearer runs docs/security.md's OAUTHBEARER block:
// the nodes log in to each other with unsecured tokens, topics are
// created through a follower as the client's own principal, and an RF=3
// topic's records reach every node.
func TestInterNodeOAuthBearer(t *testing.T) {
	s := newNodeStores(t)
	c := interNodeCluster(t, s, "internode-oauthbearer")
	tlsOpt := kgo.DialTLSConfig(s.clientTLS(t, ""))
	as := func(user string) []kgo.Opt {
		return []kgo.Opt{tlsOpt, kgo.SASL(oauth.Oauth(func(context.Context) (oauth.Auth, error) {
			return oauth.Auth{Token: unsecuredToken(user, time.Hour)}, nil
		}))}
	}
	checkForwardedAuthz(t, c, as("admin"), as("alice"), as("bob"))
	roundTrip(t, c.Addrs()[0], "oauth-rt", 50, as("admin")...)
}
