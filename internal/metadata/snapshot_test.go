package metadata

import (
	"reflect"
	"testing"
)

// An image rebuilt from its Records equals the image, whatever built it.
func TestRecordsRebuildImage(t *testing.T) {
	v := "1000"
	im := mustApply(t, Empty(),
		&FeatureLevelRecord{Name: MetadataVersionFeature, FeatureLevel: 25},
		&FeatureLevelRecord{Name: "transaction.version", FeatureLevel: 2},
		brokerRec(1, 10), brokerRec(2, 11),
		&RegisterControllerRecord{ControllerID: 3, IncarnationID: UUID{7}, EndPoints: []ControllerEndpoint{{Name: "CONTROLLER", Host: "h", Port: 9093}}},
		topicRec("a", 1), partRec(1, 0, 1, 2), partRec(1, 1, 2, 1),
		topicRec("b", 2), partRec(2, 0, 2),
		change(1, 0, func(r *PartitionChangeRecord) { r.Leader, r.ISR = 2, []int32{2} }),
		configRec(ConfigResourceTopic, "a", "retention.ms", &v),
		configRec(ConfigResourceBroker, "", "log.retention.hours", &v),
		&ProducerIdsRecord{BrokerID: 1, BrokerEpoch: 10, NextProducerID: 2000},
		&UserScramCredentialRecord{Name: "bob", Mechanism: 1, Salt: []byte("s"), StoredKey: []byte("k"), ServerKey: []byte("v"), Iterations: 4096},
		&UserScramCredentialRecord{Name: "amy", Mechanism: 2, Salt: []byte("s"), StoredKey: []byte("k"), ServerKey: []byte("v"), Iterations: 8192},
		&AccessControlEntryRecord{ID: UUID{2}, ResourceType: 2, ResourceName: "t", PatternType: 3, Principal: "User:a", Host: "*", Operation: 3, PermissionType: 3},
		&AccessControlEntryRecord{ID: UUID{1}, ResourceType: 3, ResourceName: "g", PatternType: 4, Principal: "User:b", Host: "*", Operation: 2, PermissionType: 2},
		&DelegationTokenRecord{TokenID: "tok", Owner: "User:a", Requester: "User:a", Renewers: []string{"User:b"}, ExpirationTimestamp: 5},
		&ClientQuotaRecord{Entity: QuotaEntity{User: Named("alice"), ClientID: DefaultName()}.EntityData(), Key: "producer_byte_rate", Value: 1024},
		&ClientQuotaRecord{Entity: QuotaEntity{User: Named("alice"), ClientID: DefaultName()}.EntityData(), Key: "request_percentage", Value: 50},
		&ClientQuotaRecord{Entity: QuotaEntity{IP: DefaultName()}.EntityData(), Key: "connection_creation_rate", Value: 10},
	)
	im = mustApply(t, im, &FenceBrokerRecord{ID: 2, Epoch: 11}, &RemoveUserScramCredentialRecord{Name: "bob", Mechanism: 1})
	if _, ok := im.Scram("bob", 1); ok || len(im.ACLs()) != 2 || len(im.DelegationTokens()) != 1 {
		t.Fatalf("security state: scram %v acls %d tokens %d", im.ScramUsers(), len(im.ACLs()), len(im.DelegationTokens()))
	}
	back, err := Empty().Apply(im.Offset, im.Records())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.Records(), im.Records()) {
		t.Fatalf("records differ after a round trip:\n%v\n%v", back.Records(), im.Records())
	}
	for _, name := range im.TopicNames() {
		if !reflect.DeepEqual(back.Topic(name), im.Topic(name)) {
			t.Errorf("topic %s: %+v, want %+v", name, back.Topic(name), im.Topic(name))
		}
	}
	if !reflect.DeepEqual(back.sec.scram, im.sec.scram) || !reflect.DeepEqual(back.ACLs(), im.ACLs()) ||
		!reflect.DeepEqual(back.DelegationTokens(), im.DelegationTokens()) {
		t.Errorf("security state differs after a round trip")
	}
	if !reflect.DeepEqual(back.Brokers, im.Brokers) || !reflect.DeepEqual(back.Controllers, im.Controllers) || !reflect.DeepEqual(back.Features, im.Features) ||
		back.NextProducerID() != im.NextProducerID() || back.MetadataVersion != im.MetadataVersion {
		t.Errorf("cluster state differs: %+v vs %+v", back, im)
	}
	if !reflect.DeepEqual(back.Quotas().Entities(), im.Quotas().Entities()) || im.Quotas().Len() != 2 {
		t.Errorf("quotas: %v, want %v", back.Quotas().Entities(), im.Quotas().Entities())
	}
	if got := back.Configs(ConfigResourceTopic, "a"); got["retention.ms"] != v {
		t.Errorf("topic config: %v", got)
	}
}
