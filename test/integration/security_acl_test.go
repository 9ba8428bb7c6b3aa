package integration

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gofka/gofka/pkg/gofkatest"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// aclCluster serves SASL_PLAINTEXT with PLAIN users admin (a super user)
// and alice, and the StandardAuthorizer on.
func aclCluster(t *testing.T) *gofkatest.Cluster {
	t.Helper()
	e := newSecEnv(t)
	c := gofkatest.Start(t, e.options("SASL_PLAINTEXT://127.0.0.1:0",
		"sasl.enabled.mechanisms", "PLAIN",
		"listener.name.sasl_plaintext.plain.sasl.jaas.config", plainJAAS,
		"authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
		"super.users", "User:admin", "gofka.metrics.listen", "127.0.0.1:0")...)
	return c
}

// TestACLClients: franz-go as alice is refused until ACLs allow it;
// prefixed ACLs, a DENY over an ALLOW, host filters and authorized
// operations (KIP-430) behave as in Kafka. ACLs are managed with kadm.
func TestACLClients(t *testing.T) {
	c := aclCluster(t)
	addr := c.ListenerAddr("SASL_PLAINTEXT")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	adm := newAdminOpts(t, kgo.SeedBrokers(addr), plainAuth("admin", "admin-secret"))
	for _, topic := range []string{"app-orders", "app-secret", "other"} {
		if _, err := adm.CreateTopic(ctx, 1, 1, nil, topic); err != nil {
			t.Fatal(err)
		}
	}
	aliceOpt := plainAuth("alice", "alice-secret")
	if err := produceOnce(ctx, addr, "app-orders", aliceOpt); !errors.Is(err, kerr.TopicAuthorizationFailed) {
		t.Fatalf("produce without ACL: %v", err)
	}
	mustACL(ctx, t, adm, kadm.NewACLs().Allow("User:alice").Topics("app-").ResourcePatternType(kadm.ACLPatternPrefixed).
		Operations(kadm.OpWrite, kadm.OpRead).AllowHosts("*"))
	mustACL(ctx, t, adm, kadm.NewACLs().Deny("User:alice").Topics("app-secret").Operations(kadm.OpWrite).DenyHosts("*"))
	mustACL(ctx, t, adm, kadm.NewACLs().Allow("User:alice").Groups("alice-").ResourcePatternType(kadm.ACLPatternPrefixed).
		Operations(kadm.OpRead).AllowHosts("*"))
	mustACL(ctx, t, adm, kadm.NewACLs().Allow("User:alice").Topics("other").Operations(kadm.OpWrite).AllowHosts("10.9.9.9"))

	waitFor(t, 5*time.Second, "the prefixed ACL", func() bool { return produceOnce(ctx, addr, "app-orders", aliceOpt) == nil })
	if err := produceOnce(ctx, addr, "app-secret", aliceOpt); !errors.Is(err, kerr.TopicAuthorizationFailed) {
		t.Errorf("produce under a DENY: %v", err)
	}
	if err := produceOnce(ctx, addr, "other", aliceOpt); !errors.Is(err, kerr.TopicAuthorizationFailed) {
		t.Errorf("produce from a host the ACL does not name: %v", err)
	}
	if err := produceOnce(ctx, addr, "other", plainAuth("admin", "admin-secret")); err != nil {
		t.Errorf("super user produce: %v", err)
	}
	consumeGroup(ctx, t, addr, "app-orders", "alice-group", aliceOpt)

	// app-secret's DENY refuses the Produce; topics alice may not Describe
	// are refused earlier, by Metadata.
	for _, api := range []string{"Produce", "Metadata"} {
		if got := metricValue(t, c.MetricsAddr(), `gofka_authorization_denials_total{request="`+api+`"}`); got < 1 {
			t.Errorf("%s authorization denials counted: %v", api, got)
		}
	}
	if got := metricValue(t, c.MetricsAddr(), "gofka_acls"); got < 1 {
		t.Errorf("gofka_acls = %v", got)
	}
	aliceAdm := newAdminOpts(t, kgo.SeedBrokers(addr), aliceOpt)
	md, err := aliceAdm.Metadata(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := md.Topics["other"]; ok || len(md.Topics) != 2 {
		t.Errorf("alice sees topics %v, want only app-orders and app-secret", md.Topics.Names())
	}
	mreq := kmsg.NewPtrMetadataRequest()
	mreq.Topics = []kmsg.MetadataRequestTopic{{Topic: kmsg.StringPtr("app-orders")}}
	mreq.IncludeTopicAuthorizedOperations = true
	mresp, err := mreq.RequestWith(ctx, newMatrixClient(t, addr, "alice", "alice-secret"))
	if err != nil || len(mresp.Topics) != 1 {
		t.Fatalf("metadata: %v", err)
	}
	ops := kadm.DecodeACLOperations(mresp.Topics[0].AuthorizedOperations)
	if want := []kadm.ACLOperation{kadm.OpRead, kadm.OpWrite, kadm.OpDescribe}; !sameOps(ops, want) {
		t.Errorf("authorized operations %v, want %v", ops, want)
	}
	dreq := kmsg.NewPtrDescribeACLsRequest()
	dreq.ResourceType, dreq.ResourcePatternType, dreq.Operation, dreq.PermissionType = 1, 1, 1, 1
	dresp, err := dreq.RequestWith(ctx, newMatrixClient(t, addr, "admin", "admin-secret"))
	if err != nil || dresp.ErrorCode != 0 {
		t.Fatalf("describe ACLs: %v", err)
	}
	entries := 0
	for _, r := range dresp.Resources {
		entries += len(r.ACLs)
	}
	if len(dresp.Resources) != 4 || entries != 5 {
		t.Errorf("describe ACLs: %d resources, %d entries; want 4 and 5", len(dresp.Resources), entries)
	}
}

func sameOps(got, want []kadm.ACLOperation) bool {
	if len(got) != len(want) {
		return false
	}
	seen := map[kadm.ACLOperation]bool{}
	for _, o := range got {
		seen[o] = true
	}
	for _, o := range want {
		if !seen[o] {
			return false
		}
	}
	return true
}

func mustACL(ctx context.Context, t *testing.T, adm *kadm.Client, b *kadm.ACLBuilder) {
	t.Helper()
	res, err := adm.CreateACLs(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Err != nil {
			t.Fatalf("create ACL: %v", r.Err)
		}
	}
}

func produceOnce(ctx context.Context, addr, topic string, opts ...kgo.Opt) error {
	cl, err := kgo.NewClient(append(opts, kgo.SeedBrokers(addr), kgo.RequestRetries(0), kgo.RecordRetries(1))...)
	if err != nil {
		return err
	}
	defer cl.Close()
	return cl.ProduceSync(ctx, &kgo.Record{Topic: topic, Value: []byte("v")}).FirstErr()
}

// consumeGroup reads the topic through a consumer group as the principal.
func consumeGroup(ctx context.Context, t *testing.T, addr, topic, group string, opts ...kgo.Opt) {
	t.Helper()
	cl, err := kgo.NewClient(append(opts, kgo.SeedBrokers(addr), kgo.ConsumerGroup(group), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))...)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	fs := cl.PollRecords(ctx, 10)
	if errs := fs.Errors(); len(errs) > 0 {
		t.Fatalf("consume as %s: %v", group, errs[0].Err)
	}
	if fs.NumRecords() == 0 {
		t.Fatal("consumed nothing")
	}
	if err := cl.CommitUncommittedOffsets(ctx); err != nil {
		t.Fatalf("commit: %v", err)
	}
}
