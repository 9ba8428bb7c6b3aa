package integration

import (
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// TestAdminAPIsAuthorization: with the StandardAuthorizer and no ACLs, a
// principal that is not a super user may not update features, list config
// resources or see topics in DescribeTopicPartitions; the super user may.
func TestAdminAPIsAuthorization(t *testing.T) {
	e := newSecEnv(t)
	c := saslCluster(t, e, "authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
		"super.users", "User:admin")
	ctx := ctxT(t, 30*time.Second)
	addr := c.ListenerAddr("SASL_PLAINTEXT")
	client := func(user, pass string) *kgo.Client {
		cl, err := kgo.NewClient(kgo.SeedBrokers(addr), plainAuth(user, pass))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(cl.Close)
		return cl
	}
	admin, alice := client("admin", "admin-secret"), client("alice", "alice-secret")
	create := kmsg.NewPtrCreateTopicsRequest()
	ct := kmsg.NewCreateTopicsRequestTopic()
	ct.Topic, ct.NumPartitions, ct.ReplicationFactor = "secret", 1, 1
	create.Topics = append(create.Topics, ct)
	if resp, err := create.RequestWith(ctx, admin); err != nil || resp.Topics[0].ErrorCode != 0 {
		t.Fatalf("create: %v %+v", err, resp)
	}

	upd := kmsg.NewPtrUpdateFeaturesRequest()
	u := kmsg.NewUpdateFeaturesRequestFeatureUpdate()
	u.Feature, u.MaxVersionLevel, u.UpgradeType = "group.version", 1, 1
	upd.FeatureUpdates, upd.ValidateOnly = append(upd.FeatureUpdates, u), true
	lcr := kmsg.NewPtrListConfigResourcesRequest()
	all := kmsg.NewPtrDescribeTopicPartitionsRequest()
	named := kmsg.NewPtrDescribeTopicPartitionsRequest()
	named.Topics = []kmsg.DescribeTopicPartitionsRequestTopic{{Topic: "secret"}, {Topic: "absent"}}
	for _, tc := range []struct {
		user                 string
		cl                   *kgo.Client
		denied               bool
		topicsAll, topicsErr int16
	}{
		{"alice", alice, true, 0, kerr.TopicAuthorizationFailed.Code},
		{"admin", admin, false, 1, 0},
	} {
		wantCluster := int16(0)
		if tc.denied {
			wantCluster = kerr.ClusterAuthorizationFailed.Code
		}
		if resp, err := upd.RequestWith(ctx, tc.cl); err != nil || resp.ErrorCode != wantCluster {
			t.Errorf("%s UpdateFeatures: %v %+v", tc.user, err, resp)
		}
		if resp, err := lcr.RequestWith(ctx, tc.cl); err != nil || resp.ErrorCode != wantCluster {
			t.Errorf("%s ListConfigResources: %v %+v", tc.user, err, resp)
		}
		resp, err := all.RequestWith(ctx, tc.cl)
		if err != nil || len(resp.Topics) != int(tc.topicsAll) {
			t.Errorf("%s DescribeTopicPartitions of all: %v %+v", tc.user, err, resp)
		}
		resp, err = named.RequestWith(ctx, tc.cl)
		if err != nil || len(resp.Topics) != 2 {
			t.Fatalf("%s DescribeTopicPartitions of named: %v %+v", tc.user, err, resp)
		}
		for _, tp := range resp.Topics {
			if *tp.Topic == "secret" && (tp.ErrorCode != tc.topicsErr || (tc.denied && tp.TopicID != [16]byte{})) {
				t.Errorf("%s secret: %+v", tc.user, tp)
			}
			if *tp.Topic == "absent" && tc.denied && tp.ErrorCode != kerr.TopicAuthorizationFailed.Code {
				t.Errorf("%s absent: %+v", tc.user, tp)
			}
		}
	}
}
