package integration

import (
	"context"
	"crypto/tls"
	"crypto/x509/pkix"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/gofka/gofka/internal/security"
	"github.com/gofka/gofka/internal/security/testcerts"
	"github.com/gofka/gofka/pkg/gofkatest"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// TestInterNodeCARotation rotates the certificates of three nodes talking
// mutual TLS (docs/security.md's mTLS block) to a new CA, as an operator
// would, without restarting them: every truststore trusts both CAs, then
// every keystore is replaced by one of the new CA (same names), then the
// truststores trust the new CA only. A node restarted afterwards (it
// loads only the new stores) takes part again: the others reach it, and
// it them, on new connections, so their own clients (raft, replica
// fetchers) use the rotated stores; an RF=3 topic with
// min.insync.replicas=3 takes writes on every partition.
func TestInterNodeCARotation(t *testing.T) {
	s := newNodeStores(t)
	keystores := map[int32]string{}
	c := interNodeCluster(t, s, "internode-mtls", gofkatest.PerNode(func(id int32) map[string]string {
		keystores[id] = s.keystore(t, s.ca, fmt.Sprintf("node-%d", id))
		return map[string]string{"ssl.keystore.location": keystores[id], "ssl.truststore.location": s.trust}
	}))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	checkFullISR(ctx, t, c, "before-rotation", adminTLS(t, s.ca))

	next, err := testcerts.NewCA("gofka-internode-ca-2")
	if err != nil {
		t.Fatal(err)
	}
	step := func(what string, write func() error) {
		t.Helper()
		if err := write(); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		// Past the reload check, so that the next handshake anywhere sees
		// this step (a lower bound: a slower machine only waits longer).
		time.Sleep(security.DefaultReloadCheck + 100*time.Millisecond)
	}
	step("trust both CAs", func() error {
		return testcerts.ReplaceFile(s.trust, append(append([]byte{}, s.ca.CertPEM...), next.CertPEM...))
	})
	step("keystores of the new CA", func() error {
		for id, path := range keystores {
			p, err := next.Node(pkix.Name{CommonName: fmt.Sprintf("node-%d", id), Organization: []string{"gofka"}})
			if err != nil {
				return err
			}
			if err := testcerts.ReplaceFile(path, p.Keystore()); err != nil {
				return err
			}
		}
		return nil
	})
	step("trust the new CA only", func() error { return testcerts.ReplaceFile(s.trust, next.CertPEM) })

	// A client of the old CA is refused; one of the new CA is served.
	if err := pingWith(c.Addrs()[0], kgo.DialTLSConfig(adminTLSConfig(t, s.ca))); err == nil {
		t.Error("a client certificate of the old CA is still accepted")
	}
	restarted := follower(t, c)
	c.Stop(restarted)
	c.Restart(restarted)
	checkFullISR(ctx, t, c, "after-rotation", adminTLS(t, next))
}

// adminTLSConfig trusts ca and presents admin's certificate from it.
func adminTLSConfig(t *testing.T, ca *testcerts.CA) *tls.Config {
	t.Helper()
	p, err := ca.Client(pkix.Name{CommonName: "admin"})
	if err != nil {
		t.Fatal(err)
	}
	return &tls.Config{RootCAs: ca.Pool(), ServerName: "localhost", MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{p.TLS()}}
}

func adminTLS(t *testing.T, ca *testcerts.CA) kgo.Opt {
	return kgo.DialTLSConfig(adminTLSConfig(t, ca))
}

// checkFullISR creates topic (3 partitions, RF=3, min.insync.replicas=3),
// writes to every partition with acks=all and waits until every partition
// has all three nodes in its ISR: every node fetches from every leader.
func checkFullISR(ctx context.Context, t *testing.T, c *gofkatest.MultiCluster, topic string, tlsOpt kgo.Opt) {
	t.Helper()
	cl := clientOpts(t, tlsOpt, kgo.SeedBrokers(c.Addrs()...), kgo.RequiredAcks(kgo.AllISRAcks()),
		kgo.RecordPartitioner(kgo.ManualPartitioner()),
		kgo.RecordDeliveryTimeout(time.Minute)) // kgo retries NOT_ENOUGH_REPLICAS without end otherwise
	adm := kadm.NewClient(cl)
	minISR := "3"
	if _, err := adm.CreateTopic(ctx, 3, 3, map[string]*string{"min.insync.replicas": &minISR}, topic); err != nil {
		t.Fatalf("create %s: %v", topic, err)
	}
	for p := int32(0); p < 3; p++ {
		if err := cl.ProduceSync(ctx, &kgo.Record{Topic: topic, Partition: p, Value: []byte("v")}).FirstErr(); err != nil {
			t.Fatalf("produce to %s/%d with acks=all and min.insync.replicas=3: %v", topic, p, err)
		}
	}
	waitFor(t, time.Minute, topic+" with every node in every ISR", func() bool {
		td, err := adm.ListTopics(ctx, topic)
		if err != nil || td[topic].Err != nil || len(td[topic].Partitions) != 3 {
			return false
		}
		for _, p := range td[topic].Partitions {
			if isr := slices.Sorted(slices.Values(p.ISR)); !slices.Equal(isr, []int32{1, 2, 3}) {
				return false
			}
		}
		return true
	})
}

// TestInterNodeDynamicTruststore: a node's clients of the inter-broker
// listener follow that listener's dynamic ssl configs. Every node is
// given, by IncrementalAlterConfigs, an inter-broker truststore that
// trusts a second CA too; node 2 then comes back with an inter-broker
// keystore of that CA. The others' replica fetchers reach it on new
// connections (they trust it only through the dynamic config), so an
// RF=3 topic with min.insync.replicas=3 takes writes on every partition.
func TestInterNodeDynamicTruststore(t *testing.T) {
	s := newNodeStores(t)
	internal := map[int32]string{}
	c := interNodeCluster(t, s, "internode-mtls", gofkatest.PerNode(func(id int32) map[string]string {
		internal[id] = s.keystore(t, s.ca, fmt.Sprintf("node-%d", id))
		return map[string]string{"ssl.keystore.location": s.keystore(t, s.ca, fmt.Sprintf("node-%d", id)),
			"listener.name.internal.ssl.keystore.location": internal[id], "ssl.truststore.location": s.trust}
	}))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	next, err := testcerts.NewCA("gofka-internode-ca-2")
	if err != nil {
		t.Fatal(err)
	}
	both, err := testcerts.WriteFile(t.TempDir(), "both.pem", append(append([]byte{}, s.ca.CertPEM...), next.CertPEM...))
	if err != nil {
		t.Fatal(err)
	}
	adm := kadm.NewClient(clientOpts(t, adminTLS(t, s.ca), kgo.SeedBrokers(c.Addrs()...)))
	for id := int32(1); id <= 3; id++ {
		res, err := adm.AlterBrokerConfigs(ctx, []kadm.AlterConfig{{Name: "listener.name.internal.ssl.truststore.location", Value: &both}}, id)
		if err == nil {
			err = res[0].Err
		}
		if err != nil {
			t.Fatalf("node %d: %v", id, err)
		}
	}
	for id := int32(1); id <= 3; id++ {
		waitFor(t, 20*time.Second, fmt.Sprintf("node %d's dynamic truststore", id), func() bool {
			rc, err := adm.DescribeBrokerConfigs(ctx, id)
			if err != nil || len(rc) != 1 {
				return false
			}
			for _, cfg := range rc[0].Configs {
				if cfg.Key == "listener.name.internal.ssl.truststore.location" {
					return cfg.MaybeValue() == both
				}
			}
			return false
		})
	}
	c.Stop(2)
	p, err := next.Node(pkix.Name{CommonName: "node-2", Organization: []string{"gofka"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := testcerts.ReplaceFile(internal[2], p.Keystore()); err != nil {
		t.Fatal(err)
	}
	c.Restart(2)
	cfg := adminTLSConfig(t, s.ca)
	cfg.RootCAs.AddCert(next.Cert) // node 2's client listener now presents the second CA's certificate
	checkFullISR(ctx, t, c, "dynamic-truststore", kgo.DialTLSConfig(cfg))
}
