package integration

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/gofka/gofka/internal/authz"
	"github.com/gofka/gofka/internal/broker"
	"github.com/gofka/gofka/pkg/gofkatest"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/twmb/franz-go/pkg/kversion"
)

// aclCase is one API of the authorization matrix: a request, the ACL
// that allows it, and the error a principal without the ACL gets.
type aclCase struct {
	req  func(e *aclEnv) kmsg.Request
	acl  []authz.Binding // granted to User:alice
	code *kerr.Error
	// filters marks APIs that hide what the principal may not Describe
	// instead of refusing: without the ACL the answer holds no entry.
	filters func(kmsg.Response) int
}

// aclEnv is what the cases need: the topic's id, admin's token.
type aclEnv struct {
	topicID [16]byte
	token   kadm.DelegationToken
}

const (
	mTopic = "acl-t"
	mGroup = "acl-g"
	mTxn   = "acl-tx"
)

func alice(typ authz.ResourceType, name string, op authz.Operation) authz.Binding {
	return authz.Binding{ResourceType: typ, ResourceName: name, PatternType: authz.PatternLiteral, Principal: "User:alice",
		Host: "*", Operation: op, Permission: authz.PermAllow}
}

var (
	topicACL = func(op authz.Operation) []authz.Binding {
		return []authz.Binding{alice(authz.ResourceTopic, mTopic, op)}
	}
	groupACL = func(op authz.Operation) []authz.Binding {
		return []authz.Binding{alice(authz.ResourceGroup, mGroup, op)}
	}
	txnACL = func(op authz.Operation) []authz.Binding {
		return []authz.Binding{alice(authz.ResourceTransactionalID, mTxn, op)}
	}
	clusterACL = func(op authz.Operation) []authz.Binding {
		return []authz.Binding{alice(authz.ResourceCluster, authz.ClusterName, op)}
	}
	topicAuth   = kerr.TopicAuthorizationFailed
	groupAuth   = kerr.GroupAuthorizationFailed
	txnAuth     = kerr.TransactionalIDAuthorizationFailed
	clusterAuth = kerr.ClusterAuthorizationFailed
)

// aclCases has one case per API key the broker serves; exempt lists the
// APIs every principal may call: RenewDelegationToken and
// ExpireDelegationToken need no ACL, only to own or renew the token
// (TestDelegationTokens checks DELEGATION_TOKEN_OWNER_MISMATCH).
var exempt = []int16{17, 18, 36, 39, 40}

func aclCases() map[int16]aclCase {
	return map[int16]aclCase{
		0:  {req: reqProduce, acl: topicACL(authz.OpWrite), code: topicAuth},
		1:  {req: reqFetch, acl: topicACL(authz.OpRead), code: topicAuth},
		2:  {req: reqListOffsets, acl: topicACL(authz.OpDescribe), code: topicAuth},
		3:  {req: reqMetadata, acl: topicACL(authz.OpDescribe), code: topicAuth},
		8:  {req: reqOffsetCommit, acl: append(groupACL(authz.OpRead), topicACL(authz.OpRead)...), code: groupAuth},
		9:  {req: reqOffsetFetch, acl: groupACL(authz.OpDescribe), code: groupAuth},
		10: {req: reqFindCoordinator, acl: groupACL(authz.OpDescribe), code: groupAuth},
		11: {req: reqJoinGroup, acl: groupACL(authz.OpRead), code: groupAuth},
		12: {req: func(*aclEnv) kmsg.Request { r := kmsg.NewPtrHeartbeatRequest(); r.Group = mGroup; return r }, acl: groupACL(authz.OpRead), code: groupAuth},
		13: {req: func(*aclEnv) kmsg.Request { r := kmsg.NewPtrLeaveGroupRequest(); r.Group = mGroup; return r }, acl: groupACL(authz.OpRead), code: groupAuth},
		14: {req: func(*aclEnv) kmsg.Request { r := kmsg.NewPtrSyncGroupRequest(); r.Group = mGroup; return r }, acl: groupACL(authz.OpRead), code: groupAuth},
		15: {req: func(*aclEnv) kmsg.Request {
			r := kmsg.NewPtrDescribeGroupsRequest()
			r.Groups = []string{mGroup}
			return r
		}, acl: groupACL(authz.OpDescribe), code: groupAuth},
		16: {req: func(*aclEnv) kmsg.Request { return kmsg.NewPtrListGroupsRequest() }, acl: groupACL(authz.OpDescribe),
			filters: func(r kmsg.Response) int { return len(r.(*kmsg.ListGroupsResponse).Groups) }},
		19: {req: reqCreateTopics, acl: clusterACL(authz.OpCreate), code: topicAuth},
		20: {req: func(*aclEnv) kmsg.Request {
			r := kmsg.NewPtrDeleteTopicsRequest()
			r.TopicNames = []string{"acl-nope"}
			r.Topics = []kmsg.DeleteTopicsRequestTopic{{Topic: kmsg.StringPtr("acl-nope")}}
			return r
		}, acl: []authz.Binding{alice(authz.ResourceTopic, "acl-nope", authz.OpDelete)}, code: topicAuth},
		21: {req: reqDeleteRecords, acl: topicACL(authz.OpDelete), code: topicAuth},
		22: {req: func(*aclEnv) kmsg.Request {
			r := kmsg.NewPtrInitProducerIDRequest()
			r.TransactionalID = kmsg.StringPtr(mTxn)
			r.TransactionTimeoutMillis = 10000
			return r
		}, acl: txnACL(authz.OpWrite), code: txnAuth},
		23: {req: reqOffsetForLeaderEpoch, acl: topicACL(authz.OpDescribe), code: topicAuth},
		24: {req: reqAddPartitionsToTxn, acl: clusterACL(authz.OpClusterAction), code: clusterAuth},
		25: {req: func(*aclEnv) kmsg.Request {
			r := kmsg.NewPtrAddOffsetsToTxnRequest()
			r.TransactionalID, r.Group = mTxn, mGroup
			return r
		}, acl: append(txnACL(authz.OpWrite), groupACL(authz.OpRead)...), code: txnAuth},
		26: {req: func(*aclEnv) kmsg.Request { r := kmsg.NewPtrEndTxnRequest(); r.TransactionalID = mTxn; return r }, acl: txnACL(authz.OpWrite), code: txnAuth},
		27: {req: reqWriteTxnMarkers, acl: clusterACL(authz.OpClusterAction), code: clusterAuth},
		28: {req: reqTxnOffsetCommit, acl: append(txnACL(authz.OpWrite), groupACL(authz.OpRead)...), code: txnAuth},
		29: {req: func(*aclEnv) kmsg.Request {
			r := kmsg.NewPtrDescribeACLsRequest()
			r.ResourceType, r.ResourcePatternType, r.Operation, r.PermissionType = 1, 1, 1, 1
			return r
		}, acl: clusterACL(authz.OpDescribe), code: clusterAuth},
		30: {req: reqCreateACLs, acl: clusterACL(authz.OpAlter), code: clusterAuth},
		31: {req: reqDeleteACLs, acl: clusterACL(authz.OpAlter), code: clusterAuth},
		32: {req: reqDescribeConfigs, acl: topicACL(authz.OpDescribeConfigs), code: topicAuth},
		33: {req: reqAlterConfigs, acl: topicACL(authz.OpAlterConfigs), code: topicAuth},
		34: {req: reqAlterReplicaLogDirs, acl: clusterACL(authz.OpAlter), code: clusterAuth},
		35: {req: func(*aclEnv) kmsg.Request { return kmsg.NewPtrDescribeLogDirsRequest() }, acl: clusterACL(authz.OpDescribe), code: clusterAuth},
		37: {req: reqCreatePartitions, acl: topicACL(authz.OpAlter), code: topicAuth},
		38: {req: func(*aclEnv) kmsg.Request {
			r := kmsg.NewPtrCreateDelegationTokenRequest()
			r.OwnerPrincipalType, r.OwnerPrincipalName = kmsg.StringPtr("User"), kmsg.StringPtr("bob")
			return r
		}, acl: []authz.Binding{alice(authz.ResourceUser, "User:bob", authz.OpCreateTokens)}, code: kerr.DelegationTokenAuthorizationFailed},
		41: {req: func(*aclEnv) kmsg.Request { return kmsg.NewPtrDescribeDelegationTokenRequest() },
			acl:     []authz.Binding{alice(authz.ResourceUser, "User:admin", authz.OpDescribeTokens)},
			filters: adminTokens},
		42: {req: func(*aclEnv) kmsg.Request {
			r := kmsg.NewPtrDeleteGroupsRequest()
			r.Groups = []string{mGroup}
			return r
		}, acl: groupACL(authz.OpDelete), code: groupAuth},
		43: {req: func(*aclEnv) kmsg.Request {
			r := kmsg.NewPtrElectLeadersRequest()
			r.Topics = []kmsg.ElectLeadersRequestTopic{{Topic: mTopic, Partitions: []int32{0}}}
			return r
		}, acl: clusterACL(authz.OpAlter), code: clusterAuth},
		45: {req: func(*aclEnv) kmsg.Request {
			r := kmsg.NewPtrAlterPartitionAssignmentsRequest()
			r.Topics = []kmsg.AlterPartitionAssignmentsRequestTopic{{Topic: mTopic,
				Partitions: []kmsg.AlterPartitionAssignmentsRequestTopicPartition{{Partition: 0}}}} // cancel: nothing to cancel
			return r
		}, acl: clusterACL(authz.OpAlter), code: clusterAuth},
		46: {req: func(*aclEnv) kmsg.Request { return kmsg.NewPtrListPartitionReassignmentsRequest() }, acl: clusterACL(authz.OpDescribe), code: clusterAuth},
		44: {req: reqIncrementalAlterConfigs, acl: topicACL(authz.OpAlterConfigs), code: topicAuth},
		47: {req: func(*aclEnv) kmsg.Request { r := kmsg.NewPtrOffsetDeleteRequest(); r.Group = mGroup; return r }, acl: groupACL(authz.OpDelete), code: groupAuth},
		48: {req: func(*aclEnv) kmsg.Request { return kmsg.NewPtrDescribeClientQuotasRequest() }, acl: clusterACL(authz.OpDescribeConfigs), code: clusterAuth},
		49: {req: reqAlterClientQuotas, acl: clusterACL(authz.OpAlterConfigs), code: clusterAuth},
		50: {req: func(*aclEnv) kmsg.Request { return kmsg.NewPtrDescribeUserSCRAMCredentialsRequest() }, acl: clusterACL(authz.OpDescribe), code: clusterAuth},
		51: {req: reqAlterSCRAM, acl: clusterACL(authz.OpAlter), code: clusterAuth},
		55: {req: func(*aclEnv) kmsg.Request {
			r := kmsg.NewPtrDescribeQuorumRequest()
			r.Topics = []kmsg.DescribeQuorumRequestTopic{{Topic: "__cluster_metadata", Partitions: []kmsg.DescribeQuorumRequestTopicPartition{{Partition: 0}}}}
			return r
		}, acl: clusterACL(authz.OpDescribe), code: clusterAuth},
		57: {req: func(*aclEnv) kmsg.Request {
			r := kmsg.NewPtrUpdateFeaturesRequest()
			r.ValidateOnly = true
			r.FeatureUpdates = []kmsg.UpdateFeaturesRequestFeatureUpdate{{Feature: "group.version", MaxVersionLevel: 1, UpgradeType: 1}}
			return r
		}, acl: clusterACL(authz.OpAlter), code: clusterAuth},
		60: {req: func(*aclEnv) kmsg.Request { return kmsg.NewPtrDescribeClusterRequest() }, acl: clusterACL(authz.OpDescribe), code: clusterAuth},
		61: {req: reqDescribeProducers, acl: topicACL(authz.OpRead), code: topicAuth},
		64: {req: func(*aclEnv) kmsg.Request { r := kmsg.NewPtrUnregisterBrokerRequest(); r.BrokerID = 99; return r }, acl: clusterACL(authz.OpAlter), code: clusterAuth},
		65: {req: func(*aclEnv) kmsg.Request {
			r := kmsg.NewPtrDescribeTransactionsRequest()
			r.TransactionalIDs = []string{mTxn}
			return r
		}, acl: txnACL(authz.OpDescribe), code: txnAuth},
		66: {req: func(*aclEnv) kmsg.Request { return kmsg.NewPtrListTransactionsRequest() }, acl: txnACL(authz.OpDescribe),
			filters: func(r kmsg.Response) int { return len(r.(*kmsg.ListTransactionsResponse).TransactionStates) }},
		68: {req: reqConsumerGroupHeartbeat, acl: append(groupACL(authz.OpRead), topicACL(authz.OpDescribe)...), code: groupAuth},
		69: {req: func(*aclEnv) kmsg.Request {
			r := kmsg.NewPtrConsumerGroupDescribeRequest()
			r.Groups = []string{mGroup}
			return r
		}, acl: groupACL(authz.OpDescribe), code: groupAuth},
		74: {req: func(*aclEnv) kmsg.Request { return kmsg.NewPtrListConfigResourcesRequest() }, acl: clusterACL(authz.OpDescribeConfigs), code: clusterAuth},
		75: {req: func(*aclEnv) kmsg.Request {
			r := kmsg.NewPtrDescribeTopicPartitionsRequest()
			r.Topics = []kmsg.DescribeTopicPartitionsRequestTopic{{Topic: mTopic}}
			return r
		}, acl: topicACL(authz.OpDescribe), code: topicAuth},
		76: {req: func(*aclEnv) kmsg.Request {
			r := kmsg.NewPtrShareGroupHeartbeatRequest()
			r.GroupID, r.MemberID = "acl-share", "m1"
			r.SubscribedTopicNames = []string{mTopic}
			return r
		}, acl: []authz.Binding{alice(authz.ResourceGroup, "acl-share", authz.OpRead)}, code: groupAuth},
		77: {req: func(*aclEnv) kmsg.Request {
			r := kmsg.NewPtrShareGroupDescribeRequest()
			r.GroupIDs = []string{mGroup}
			return r
		}, acl: groupACL(authz.OpDescribe), code: groupAuth},
		78: {req: func(*aclEnv) kmsg.Request {
			r := kmsg.NewPtrShareFetchRequest()
			r.GroupID, r.MemberID = kmsg.StringPtr(mGroup), kmsg.StringPtr("m1")
			return r
		}, acl: groupACL(authz.OpRead), code: groupAuth},
		79: {req: func(*aclEnv) kmsg.Request {
			r := kmsg.NewPtrShareAcknowledgeRequest()
			r.GroupID, r.MemberID = kmsg.StringPtr(mGroup), kmsg.StringPtr("m1")
			return r
		}, acl: groupACL(authz.OpRead), code: groupAuth},
		80: {req: func(*aclEnv) kmsg.Request { r := kmsg.NewPtrAddRaftVoterRequest(); r.VoterID = 99; return r }, acl: clusterACL(authz.OpAlter), code: clusterAuth},
		81: {req: func(*aclEnv) kmsg.Request { r := kmsg.NewPtrRemoveRaftVoterRequest(); r.VoterID = 99; return r }, acl: clusterACL(authz.OpAlter), code: clusterAuth},
		82: {req: func(*aclEnv) kmsg.Request { r := kmsg.NewPtrUpdateRaftVoterRequest(); r.VoterID = 99; return r }, acl: clusterACL(authz.OpClusterAction), code: clusterAuth},
		83: {req: func(e *aclEnv) kmsg.Request {
			r := kmsg.NewPtrInitializeShareGroupStateRequest()
			r.GroupID = mGroup
			r.Topics = []kmsg.InitializeShareGroupStateRequestTopic{{TopicID: e.topicID, Partitions: []kmsg.InitializeShareGroupStateRequestTopicPartition{{Partition: 0}}}}
			return r
		}, acl: clusterACL(authz.OpClusterAction), code: clusterAuth},
		84: {req: func(e *aclEnv) kmsg.Request {
			r := kmsg.NewPtrReadShareGroupStateRequest()
			r.GroupID = mGroup
			r.Topics = []kmsg.ReadShareGroupStateRequestTopic{{TopicID: e.topicID, Partitions: []kmsg.ReadShareGroupStateRequestTopicPartition{{Partition: 0}}}}
			return r
		}, acl: clusterACL(authz.OpClusterAction), code: clusterAuth},
		85: {req: func(e *aclEnv) kmsg.Request {
			r := kmsg.NewPtrWriteShareGroupStateRequest()
			r.GroupID = mGroup
			r.Topics = []kmsg.WriteShareGroupStateRequestTopic{{TopicID: e.topicID, Partitions: []kmsg.WriteShareGroupStateRequestTopicPartition{{Partition: 0}}}}
			return r
		}, acl: clusterACL(authz.OpClusterAction), code: clusterAuth},
		86: {req: func(e *aclEnv) kmsg.Request {
			r := kmsg.NewPtrDeleteShareGroupStateRequest()
			r.GroupID = mGroup
			r.Topics = []kmsg.DeleteShareGroupStateRequestTopic{{TopicID: e.topicID, Partitions: []kmsg.DeleteShareGroupStateRequestTopicPartition{{Partition: 0}}}}
			return r
		}, acl: clusterACL(authz.OpClusterAction), code: clusterAuth},
		87: {req: func(e *aclEnv) kmsg.Request {
			r := kmsg.NewPtrReadShareGroupStateSummaryRequest()
			r.GroupID = mGroup
			r.Topics = []kmsg.ReadShareGroupStateSummaryRequestTopic{{TopicID: e.topicID, Partitions: []kmsg.ReadShareGroupStateSummaryRequestTopicPartition{{Partition: 0}}}}
			return r
		}, acl: clusterACL(authz.OpClusterAction), code: clusterAuth},
		90: {req: func(*aclEnv) kmsg.Request {
			r := kmsg.NewPtrDescribeShareGroupOffsetsRequest()
			r.Groups = []kmsg.DescribeShareGroupOffsetsRequestGroup{{GroupID: mGroup}}
			return r
		}, acl: groupACL(authz.OpDescribe), code: groupAuth},
		91: {req: func(*aclEnv) kmsg.Request {
			r := kmsg.NewPtrAlterShareGroupOffsetsRequest()
			r.GroupID = mGroup
			return r
		}, acl: groupACL(authz.OpRead), code: groupAuth},
		92: {req: func(*aclEnv) kmsg.Request {
			r := kmsg.NewPtrDeleteShareGroupOffsetsRequest()
			r.GroupID = mGroup
			return r
		}, acl: groupACL(authz.OpDelete), code: groupAuth},
	}
}

// TestACLMatrix: for every API in the broker's table, a principal without
// the ACL is refused with Kafka's error code (or sees nothing, for APIs
// that filter) and, once granted the ACL, is not.
func TestACLMatrix(t *testing.T) {
	e := newSecEnv(t)
	c := gofkatest.Start(t, e.options("SASL_PLAINTEXT://127.0.0.1:0",
		"sasl.enabled.mechanisms", "PLAIN",
		"listener.name.sasl_plaintext.plain.sasl.jaas.config", plainJAAS,
		"authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
		"super.users", "User:admin",
		"delegation.token.secret.key", tokenSecret,
		"connection.failed.authentication.delay.ms", "0")...)
	addr := c.ListenerAddr("SASL_PLAINTEXT")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	admin := newMatrixClient(t, addr, "admin", "admin-secret")
	user := newMatrixClient(t, addr, "alice", "alice-secret")
	env := setupMatrix(ctx, t, addr, admin)

	cases := aclCases()
	for _, a := range broker.APIs() {
		if slices.Contains(exempt, a.ApiKey) {
			continue
		}
		tc, ok := cases[a.ApiKey]
		if !ok {
			t.Errorf("API %d (%s) is served but has no authorization case: check it as Kafka does (internal/broker/refuse.go "+
				"for whole-request checks) and add a case to aclCases here", a.ApiKey, kmsg.NameForKey(a.ApiKey))
			continue
		}
		t.Run(kmsg.NameForKey(a.ApiKey), func(t *testing.T) { runACLCase(ctx, t, admin, user, env, tc) })
	}
	t.Run("PerTopic", func(t *testing.T) { runPerTopicCases(ctx, t, addr, admin, user, env) })
	// Describe on a DELEGATION_TOKEN shows that token to others.
	t.Run("DelegationTokenResource", func(t *testing.T) {
		runACLCase(ctx, t, admin, user, env, aclCase{req: func(*aclEnv) kmsg.Request { return kmsg.NewPtrDescribeDelegationTokenRequest() },
			acl:     []authz.Binding{alice(authz.ResourceDelegationToken, env.token.TokenID, authz.OpDescribe)},
			filters: adminTokens})
	})
}

func runACLCase(ctx context.Context, t *testing.T, admin, user *kgo.Client, env *aclEnv, tc aclCase) {
	denied := func() bool {
		resp, err := user.SeedBrokers()[0].Request(ctx, tc.req(env))
		if err != nil {
			t.Fatalf("request: %v", err)
		}
		if tc.filters != nil {
			return tc.filters(resp) == 0
		}
		return slices.Contains(errorCodes(reflect.ValueOf(resp)), tc.code.Code)
	}
	if !denied() {
		t.Fatalf("allowed without an ACL (want %v)", tc.code)
	}
	grantACLs(ctx, t, admin, tc.acl)
	defer revokeACLs(ctx, t, admin)
	deadline := time.Now().Add(5 * time.Second)
	for denied() {
		if time.Now().After(deadline) {
			t.Fatalf("still refused with %+v", tc.acl)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// runPerTopicCases: APIs whose whole-request ACLs are granted still refuse
// the partitions of topics the principal lacks an ACL on, with
// TOPIC_AUTHORIZATION_FAILED: AddPartitionsToTxn v0-3 (Write),
// TxnOffsetCommit (Read), ShareFetch and ShareAcknowledge (Read).
func runPerTopicCases(ctx context.Context, t *testing.T, addr string, admin, user *kgo.Client, env *aclEnv) {
	v3 := kversion.Stable()
	v3.SetMaxKeyVersion(24, 3)
	user3, err := kgo.NewClient(kgo.SeedBrokers(addr), plainAuth("alice", "alice-secret"), kgo.MaxVersions(v3))
	if err != nil {
		t.Fatal(err)
	}
	defer user3.Close()
	share := func() kmsg.Request {
		group, member := "acl-share-ack", "m1"
		f := kmsg.NewPtrShareFetchRequest() // opens the share session the acknowledgement names
		f.GroupID, f.MemberID = &group, &member
		if _, err := f.RequestWith(ctx, user); err != nil {
			t.Fatal(err)
		}
		r := kmsg.NewPtrShareAcknowledgeRequest()
		r.GroupID, r.MemberID, r.ShareSessionEpoch = &group, &member, -1
		r.Topics = []kmsg.ShareAcknowledgeRequestTopic{{TopicID: env.topicID, Partitions: []kmsg.ShareAcknowledgeRequestTopicPartition{{Partition: 0,
			AcknowledgementBatches: []kmsg.ShareAcknowledgeRequestTopicPartitionAcknowledgementBatch{{FirstOffset: 0, LastOffset: 0, AcknowledgeTypes: []int8{1}}}}}}}
		return r
	}
	shareFetch := func(*aclEnv) kmsg.Request {
		group, member := "acl-share-fetch", "m2"
		f := kmsg.NewPtrShareFetchRequest()
		f.GroupID, f.MemberID, f.MaxRecords, f.MaxBytes = &group, &member, 10, 1<<20
		f.Topics = []kmsg.ShareFetchRequestTopic{{TopicID: env.topicID, Partitions: []kmsg.ShareFetchRequestTopicPartition{{Partition: 0}}}}
		return f
	}
	for _, c := range []struct {
		name string
		cl   *kgo.Client
		base []authz.Binding
		tc   aclCase
	}{
		{"AddPartitionsToTxnV3", user3, txnACL(authz.OpWrite), aclCase{req: reqAddPartitionsToTxn, acl: topicACL(authz.OpWrite), code: topicAuth}},
		{"TxnOffsetCommit", user, append(txnACL(authz.OpWrite), groupACL(authz.OpRead)...), aclCase{req: reqTxnOffsetCommit, acl: topicACL(authz.OpRead), code: topicAuth}},
		{"ShareFetch", user, []authz.Binding{alice(authz.ResourceGroup, "acl-share-fetch", authz.OpRead)},
			aclCase{req: shareFetch, acl: topicACL(authz.OpRead), code: topicAuth}},
		{"ShareAcknowledge", user, []authz.Binding{alice(authz.ResourceGroup, "acl-share-ack", authz.OpRead)},
			aclCase{req: func(*aclEnv) kmsg.Request { return share() }, acl: topicACL(authz.OpRead), code: topicAuth}},
	} {
		t.Run(c.name, func(t *testing.T) {
			grantACLs(ctx, t, admin, c.base)
			runACLCase(ctx, t, admin, c.cl, env, c.tc)
		})
	}
}

// adminTokens counts the tokens admin owns in a DescribeDelegationToken
// answer (alice requested others in the CreateDelegationToken case).
func adminTokens(r kmsg.Response) int {
	n := 0
	for _, d := range r.(*kmsg.DescribeDelegationTokenResponse).TokenDetails {
		if d.PrincipalName == "admin" {
			n++
		}
	}
	return n
}

// errorCodes collects every ErrorCode field of a response.
func errorCodes(v reflect.Value) []int16 {
	var out []int16
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			out = errorCodes(v.Elem())
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			out = append(out, errorCodes(v.Index(i))...)
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).Name == "ErrorCode" && v.Field(i).Kind() == reflect.Int16 {
				out = append(out, int16(v.Field(i).Int()))
				continue
			}
			out = append(out, errorCodes(v.Field(i))...)
		}
	}
	return out
}

func newMatrixClient(t *testing.T, addr, user, pass string) *kgo.Client {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), plainAuth(user, pass))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return cl
}

// setupMatrix creates the topic, a group with a committed offset and an
// open transaction, so filtering APIs have something to hide.
func setupMatrix(ctx context.Context, t *testing.T, addr string, admin *kgo.Client) *aclEnv {
	t.Helper()
	adm := newAdminOpts(t, kgo.SeedBrokers(addr), plainAuth("admin", "admin-secret"))
	res, err := adm.CreateTopic(ctx, 1, 1, nil, mTopic)
	if err != nil || res.Err != nil {
		t.Fatalf("create topic: %v %v", err, res.Err)
	}
	oc := kmsg.NewPtrOffsetCommitRequest()
	oc.Group, oc.Generation = mGroup, -1
	oc.Topics = []kmsg.OffsetCommitRequestTopic{{Topic: mTopic, Partitions: []kmsg.OffsetCommitRequestTopicPartition{{Partition: 0, Offset: 0}}}}
	if _, err := admin.Request(ctx, oc); err != nil {
		t.Fatalf("commit: %v", err)
	}
	txn, err := kgo.NewClient(kgo.SeedBrokers(addr), plainAuth("admin", "admin-secret"), kgo.TransactionalID(mTxn))
	if err != nil {
		t.Fatal(err)
	}
	defer txn.Close()
	if err := txn.BeginTransaction(); err != nil {
		t.Fatal(err)
	}
	if err := txn.ProduceSync(ctx, &kgo.Record{Topic: mTopic, Value: []byte("v")}).FirstErr(); err != nil {
		t.Fatalf("transactional produce: %v", err)
	}
	if err := txn.EndTransaction(ctx, kgo.TryCommit); err != nil {
		t.Fatal(err)
	}
	tok, err := adm.CreateDelegationToken(ctx, kadm.CreateDelegationToken{})
	if err != nil {
		t.Fatalf("create token: %v", err)
	}
	return &aclEnv{topicID: res.ID, token: tok}
}

func grantACLs(ctx context.Context, t *testing.T, admin *kgo.Client, acls []authz.Binding) {
	t.Helper()
	req := kmsg.NewPtrCreateACLsRequest()
	for _, b := range acls {
		req.Creations = append(req.Creations, kmsg.CreateACLsRequestCreation{ResourceType: kmsg.ACLResourceType(b.ResourceType),
			ResourceName: b.ResourceName, ResourcePatternType: kmsg.ACLResourcePatternType(b.PatternType), Principal: b.Principal,
			Host: b.Host, Operation: kmsg.ACLOperation(b.Operation), PermissionType: kmsg.ACLPermissionType(b.Permission)})
	}
	resp, err := admin.Request(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range resp.(*kmsg.CreateACLsResponse).Results {
		if r.ErrorCode != 0 {
			t.Fatalf("create ACL: %v %v", kerr.ErrorForCode(r.ErrorCode), r.ErrorMessage)
		}
	}
}

func revokeACLs(ctx context.Context, t *testing.T, admin *kgo.Client) {
	req := kmsg.NewPtrDeleteACLsRequest()
	req.Filters = []kmsg.DeleteACLsRequestFilter{{ResourceType: 1, ResourcePatternType: 1, Principal: kmsg.StringPtr("User:alice"), Operation: 1, PermissionType: 1}}
	if _, err := admin.Request(ctx, req); err != nil {
		t.Errorf("delete ACLs: %v", err)
	}
}

func reqAlterClientQuotas(*aclEnv) kmsg.Request {
	r := kmsg.NewPtrAlterClientQuotasRequest()
	name := "acl-matrix"
	r.Entries = []kmsg.AlterClientQuotasRequestEntry{{
		Entity: []kmsg.AlterClientQuotasRequestEntryEntity{{Type: "client-id", Name: &name}},
		Ops:    []kmsg.AlterClientQuotasRequestEntryOp{{Key: "consumer_byte_rate", Value: 1 << 30}},
	}}
	return r
}
