package integration

import (
	"context"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gofka/gofka/internal/security/testcerts"
	"github.com/gofka/gofka/internal/wire"
	"github.com/gofka/gofka/pkg/gofkatest"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// ctrlKeystore is the dynamic config of the controller listener's keystore.
const ctrlKeystore = "listener.name.controller.ssl.keystore.location"

// TestControllerDynamicKeystore: a controller-only node (process.roles=
// controller, docs/security.md's mTLS block) takes a new keystore for its
// controller listener through IncrementalAlterConfigs sent to that
// listener, as Kafka's admin client does with --bootstrap-controller
// (KIP-919). New connections to the controller listener get the new
// certificate; a connection opened before keeps the old one and works;
// DescribeConfigs on the controller listener reports the change; the
// broker-only node stays registered and its requests to the controller
// (topic creation, ISR) keep flowing, and once restarted it reaches the
// controller again on new connections. A certificate of another subject
// is refused with Kafka's message (ssl.allow.dn.changes).
func TestControllerDynamicKeystore(t *testing.T) {
	s := newNodeStores(t)
	c := interNodeCluster(t, s, "internode-mtls", gofkatest.Controllers(1), gofkatest.Brokers(1))
	addr := c.Node(1).ControllerAddr()
	before, err := tlsDial(t, addr, s.clientTLS(t, "admin"))
	if err != nil {
		t.Fatal(err)
	}
	oldSerial := peerSerial(before)
	ctrl := wire.NewSecureClient(addr, "admin", wire.ClientSecurity{TLS: s.clientTLS(t, "admin")})
	defer ctrl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	next, path := nodeKeystore(t, s, s.ca, "node-1")
	if err := alterNodeConfig(ctx, ctrl, 1, ctrlKeystore, path); err != nil {
		t.Fatalf("alter the controller listener's keystore: %v", err)
	}
	waitNewCertificate(t, addr, s, next.Cert.SerialNumber.String())
	if peerSerial(before) != oldSerial {
		t.Fatal("the open connection changed certificate")
	}
	if resp := before.request(kmsg.NewPtrApiVersionsRequest(), 3).(*kmsg.ApiVersionsResponse); resp.ErrorCode != 0 {
		t.Fatalf("ApiVersions on the connection opened before the change: %d", resp.ErrorCode)
	}
	if v := describeNodeConfig(ctx, t, ctrl, 1, ctrlKeystore); v != path {
		t.Errorf("DescribeConfigs on the controller listener: %s=%q, want %q", ctrlKeystore, v, path)
	}

	_, impostor := nodeKeystore(t, s, s.ca, "node-9")
	if err := alterNodeConfig(ctx, ctrl, 1, ctrlKeystore, impostor); !errors.Is(err, kerr.InvalidRequest) ||
		!strings.Contains(err.Error(), "Keystore DistinguishedName does not match") {
		t.Fatalf("a certificate of another subject: %v, want INVALID_REQUEST (DistinguishedName)", err)
	}

	roundTrip(t, c.Node(2).Addr(), "after-controller-rotation", 20, adminTLS(t, s.ca))
	c.Stop(2)
	c.Restart(2)
	roundTrip(t, c.Node(2).Addr(), "after-broker-restart", 20, adminTLS(t, s.ca))
}

// TestInterNodeControllerDynamicKeystore: on combined nodes (broker and
// controller) the controller listener follows its dynamic store configs
// too. An admin client changes a follower's controller listener keystore
// through that node's broker listener (kadm.AlterBrokerConfigs, checked
// there and forwarded to the active controller); new connections to its
// controller listener get the new certificate and the quorum serves on.
func TestInterNodeControllerDynamicKeystore(t *testing.T) {
	s := newNodeStores(t)
	c := interNodeCluster(t, s, "internode-mtls")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	f := follower(t, c)
	adm := kadm.NewClient(clientOpts(t, adminTLS(t, s.ca), kgo.SeedBrokers(c.Addrs()...)))
	next, path := nodeKeystore(t, s, s.ca, fmt.Sprintf("node-%d", f))
	if err := alterBrokerConfig(ctx, adm, f, ctrlKeystore, path); err != nil {
		t.Fatalf("alter node %d's controller listener keystore: %v", f, err)
	}
	waitNewCertificate(t, c.Node(f).ControllerAddr(), s, next.Cert.SerialNumber.String())
	checkFullISR(ctx, t, c, "after-controller-rotation", adminTLS(t, s.ca))
}

// nodeKeystore writes a node keystore for cn issued by ca (as
// nodeStores.keystore does) and returns the pair too.
func nodeKeystore(t *testing.T, s *nodeStores, ca *testcerts.CA, cn string) (*testcerts.Pair, string) {
	t.Helper()
	p, err := ca.Node(pkix.Name{CommonName: cn, Organization: []string{"gofka"}})
	if err != nil {
		t.Fatal(err)
	}
	path, err := testcerts.WriteFile(s.dir, fmt.Sprintf("%s-%d.pem", cn, time.Now().UnixNano()), p.Keystore())
	if err != nil {
		t.Fatal(err)
	}
	return p, path
}

// waitNewCertificate waits until a new connection to addr gets the
// certificate of serial.
func waitNewCertificate(t *testing.T, addr string, s *nodeStores, serial string) {
	t.Helper()
	waitFor(t, 20*time.Second, "the new certificate at "+addr, func() bool {
		r, err := tlsDial(t, addr, s.clientTLS(t, "admin"))
		if err != nil {
			return false
		}
		defer r.conn.Close()
		return peerSerial(r) == serial
	})
}

// alterNodeConfig sets one config of node id with IncrementalAlterConfigs
// sent through cl, returning the error with the node's message.
func alterNodeConfig(ctx context.Context, cl *wire.Client, id int32, name, value string) error {
	req := kmsg.NewPtrIncrementalAlterConfigsRequest()
	req.SetVersion(1)
	rr := kmsg.NewIncrementalAlterConfigsRequestResource()
	rr.ResourceType, rr.ResourceName = kmsg.ConfigResourceTypeBroker, fmt.Sprint(id)
	rc := kmsg.NewIncrementalAlterConfigsRequestResourceConfig()
	rc.Name, rc.Op, rc.Value = name, kmsg.IncrementalAlterConfigOpSet, &value
	rr.Configs = append(rr.Configs, rc)
	req.Resources = append(req.Resources, rr)
	resp, err := cl.Request(ctx, req)
	if err != nil {
		return err
	}
	r := resp.(*kmsg.IncrementalAlterConfigsResponse).Resources[0]
	if err := kerr.ErrorForCode(r.ErrorCode); err != nil {
		msg := ""
		if r.ErrorMessage != nil {
			msg = *r.ErrorMessage
		}
		return fmt.Errorf("%w: %s", err, msg)
	}
	return nil
}

// describeNodeConfig returns one config of node id as DescribeConfigs
// sent through cl reports it ("" when it is not listed).
func describeNodeConfig(ctx context.Context, t *testing.T, cl *wire.Client, id int32, name string) string {
	t.Helper()
	req := kmsg.NewPtrDescribeConfigsRequest()
	req.SetVersion(4)
	rr := kmsg.NewDescribeConfigsRequestResource()
	rr.ResourceType, rr.ResourceName, rr.ConfigNames = kmsg.ConfigResourceTypeBroker, fmt.Sprint(id), []string{name}
	req.Resources = append(req.Resources, rr)
	resp, err := cl.Request(ctx, req)
	if err != nil {
		t.Fatalf("DescribeConfigs of node %d: %v", id, err)
	}
	res := resp.(*kmsg.DescribeConfigsResponse).Resources[0]
	if err := kerr.ErrorForCode(res.ErrorCode); err != nil {
		t.Fatalf("DescribeConfigs of node %d: %v", id, err)
	}
	for _, c := range res.Configs {
		if c.Name == name && c.Value != nil {
			return *c.Value
		}
	}
	return ""
}

// TestInterNodeKeystoreHandshake: a dynamic change of the inter-broker
// (or controller) listener's keystore must complete TLS handshakes with
// the stores in use both ways, as Kafka's SslEngineValidator checks the
// inter-broker listener. A keystore of another CA with the node's own
// subject (so ssl.allow.dn.changes passes) is refused with Kafka's error
// on either listener, and an RF=3 topic with min.insync.replicas=3 keeps
// taking writes; a new keystore of the cluster's CA is taken and new
// connections to the listener get it.
func TestInterNodeKeystoreHandshake(t *testing.T) {
	s := newNodeStores(t)
	c := interNodeCluster(t, s, "internode-mtls")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	f := follower(t, c)
	cn := fmt.Sprintf("node-%d", f)
	adm := kadm.NewClient(clientOpts(t, adminTLS(t, s.ca), kgo.SeedBrokers(c.Addrs()...)))
	other, err := testcerts.NewCA("gofka-internode-ca-2")
	if err != nil {
		t.Fatal(err)
	}
	_, foreign := nodeKeystore(t, s, other, cn)
	for _, name := range []string{"listener.name.internal.ssl.keystore.location", ctrlKeystore} {
		err := alterBrokerConfig(ctx, adm, f, name, foreign)
		if !errors.Is(err, kerr.InvalidRequest) || !strings.Contains(err.Error(),
			"Validation of dynamic config update of SSLFactory failed: javax.net.ssl.SSLHandshakeException") {
			t.Fatalf("%s of another CA: %v, want INVALID_REQUEST (SSLHandshakeException)", name, err)
		}
	}
	checkFullISR(ctx, t, c, "after-refused", adminTLS(t, s.ca))

	next, path := nodeKeystore(t, s, s.ca, cn)
	if err := alterBrokerConfig(ctx, adm, f, "listener.name.internal.ssl.keystore.location", path); err != nil {
		t.Fatalf("a keystore of the cluster's CA: %v", err)
	}
	waitNewCertificate(t, c.Node(f).Addr(), s, next.Cert.SerialNumber.String())
	checkFullISR(ctx, t, c, "after-accepted", adminTLS(t, s.ca))
}
