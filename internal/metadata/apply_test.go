package metadata

import (
	"errors"
	"reflect"
	"testing"
)

func tid(n byte) UUID { return UUID{0: 0xaa, 15: n} }

func topicRec(name string, id byte) *TopicRecord { return &TopicRecord{Name: name, TopicID: tid(id)} }

func partRec(id byte, p int32, replicas ...int32) *PartitionRecord {
	r := NewPartitionRecord()
	r.TopicID, r.PartitionID = tid(id), p
	r.Replicas, r.ISR = replicas, replicas
	r.Leader, r.LeaderEpoch, r.PartitionEpoch = replicas[0], 0, 0
	return r
}

func change(id byte, p int32, edit func(*PartitionChangeRecord)) *PartitionChangeRecord {
	r := NewPartitionChangeRecord()
	r.TopicID, r.PartitionID = tid(id), p
	edit(r)
	return r
}

func configRec(typ int8, name, key string, value *string) *ConfigRecord {
	return &ConfigRecord{ResourceType: typ, ResourceName: name, Name: key, Value: value}
}

func brokerRec(id int32, epoch int64) *RegisterBrokerRecord {
	r := NewRegisterBrokerRecord()
	r.BrokerID, r.BrokerEpoch, r.Rack = id, epoch, stringPtr("r1")
	r.EndPoints = []BrokerEndpoint{{Name: "PLAINTEXT", Host: "h", Port: 9092, SecurityProtocol: 0}}
	return r
}

func mustApply(t *testing.T, im *Image, recs ...Record) *Image {
	t.Helper()
	next, err := im.Apply(im.Offset+int64(len(recs)), recs)
	if err != nil {
		t.Fatal(err)
	}
	return next
}

func TestApply(t *testing.T) {
	base := []Record{topicRec("a", 1), partRec(1, 0, 1, 2, 3), brokerRec(1, 10)}
	tests := []struct {
		name    string
		recs    []Record
		wantErr error
		check   func(t *testing.T, im *Image)
	}{
		{"topic", []Record{topicRec("b", 2)}, nil, func(t *testing.T, im *Image) {
			if im.Topic("b").ID != tid(2) || im.TopicByID(tid(2)).Name != "b" {
				t.Fatal("topic b missing")
			}
			if got := im.TopicNames(); !reflect.DeepEqual(got, []string{"a", "b"}) || im.TopicCount() != 2 {
				t.Fatalf("names %v", got)
			}
		}},
		{"duplicate topic id", []Record{topicRec("b", 1)}, ErrInconsistent, nil},
		{"duplicate topic name", []Record{topicRec("a", 2)}, ErrInconsistent, nil},
		{"partition of unknown topic", []Record{partRec(9, 0, 1)}, ErrInconsistent, nil},
		{"negative partition", []Record{partRec(1, -1, 1)}, ErrInconsistent, nil},
		{"partition", []Record{partRec(1, 1, 2, 3)}, nil, func(t *testing.T, im *Image) {
			p := im.Partition("a", 1)
			if p == nil || p.Leader != 2 || p.Topic != "a" || p.TopicID != tid(1) || len(im.Topic("a").Partitions) != 2 {
				t.Fatalf("partition %+v", p)
			}
			if !reflect.DeepEqual(p.Directories, []UUID{DirectoryMigrating, DirectoryMigrating}) {
				t.Fatalf("directories %v", p.Directories)
			}
		}},
		{"isr change", []Record{change(1, 0, func(r *PartitionChangeRecord) { r.ISR = []int32{1} })}, nil,
			func(t *testing.T, im *Image) {
				p := im.Partition("a", 0)
				if !reflect.DeepEqual(p.ISR, []int32{1}) || p.Leader != 1 || p.LeaderEpoch != 0 || p.PartitionEpoch != 1 ||
					!reflect.DeepEqual(p.Replicas, []int32{1, 2, 3}) {
					t.Fatalf("partition %+v", p)
				}
			}},
		{"leader change", []Record{change(1, 0, func(r *PartitionChangeRecord) { r.Leader = 2 })}, nil,
			func(t *testing.T, im *Image) {
				p := im.Partition("a", 0)
				if p.Leader != 2 || p.LeaderEpoch != 1 || p.PartitionEpoch != 1 || len(p.ISR) != 3 {
					t.Fatalf("partition %+v", p)
				}
			}},
		{"no leader and recovery", []Record{change(1, 0, func(r *PartitionChangeRecord) {
			r.Leader, r.LeaderRecoveryState, r.Replicas = NoLeader, 1, []int32{3, 4}
		})}, nil, func(t *testing.T, im *Image) {
			p := im.Partition("a", 0)
			if p.Leader != -1 || p.LeaderEpoch != 1 || p.LeaderRecoveryState != 1 || !reflect.DeepEqual(p.Replicas, []int32{3, 4}) {
				t.Fatalf("partition %+v", p)
			}
		}},
		{"change unknown partition", []Record{change(1, 5, func(*PartitionChangeRecord) {})}, ErrInconsistent, nil},
		{"change unknown topic", []Record{change(7, 0, func(*PartitionChangeRecord) {})}, ErrInconsistent, nil},
		{"remove topic", []Record{
			configRec(ConfigResourceTopic, "a", "retention.ms", stringPtr("1")),
			&RemoveTopicRecord{TopicID: tid(1)},
		}, nil, func(t *testing.T, im *Image) {
			if im.Topic("a") != nil || im.TopicByID(tid(1)) != nil || im.Configs(ConfigResourceTopic, "a") != nil || im.TopicCount() != 0 {
				t.Fatal("topic a not removed")
			}
		}},
		{"remove unknown topic", []Record{&RemoveTopicRecord{TopicID: tid(5)}}, ErrInconsistent, nil},
		{"configs", []Record{
			configRec(ConfigResourceTopic, "a", "x", stringPtr("1")),
			configRec(ConfigResourceTopic, "a", "y", stringPtr("2")),
			configRec(ConfigResourceTopic, "a", "x", nil),
			configRec(ConfigResourceBroker, "", "z", stringPtr("3")),
			configRec(ConfigResourceBroker, "1", "gone", nil),
		}, nil, func(t *testing.T, im *Image) {
			if got := im.Configs(ConfigResourceTopic, "a"); !reflect.DeepEqual(got, map[string]string{"y": "2"}) {
				t.Fatalf("topic configs %v", got)
			}
			if v, ok := im.Config(ConfigResourceBroker, "", "z"); !ok || v != "3" {
				t.Fatal("cluster default missing")
			}
			if im.Configs(ConfigResourceBroker, "1") != nil {
				t.Fatal("broker 1 configs appeared")
			}
		}},
		{"features", []Record{
			&FeatureLevelRecord{Name: MetadataVersionFeature, FeatureLevel: 21},
			&FeatureLevelRecord{Name: "kraft.version", FeatureLevel: 1},
			&FeatureLevelRecord{Name: "group.version", FeatureLevel: 1},
			&FeatureLevelRecord{Name: "group.version", FeatureLevel: 0},
		}, nil, func(t *testing.T, im *Image) {
			want := map[string]int16{MetadataVersionFeature: 21, "kraft.version": 1, "group.version": 0}
			if im.MetadataVersion != 21 || !reflect.DeepEqual(im.Features, want) {
				t.Fatalf("features %d %v", im.MetadataVersion, im.Features)
			}
		}},
		{"register broker", []Record{brokerRec(2, 20)}, nil, func(t *testing.T, im *Image) {
			b := im.Brokers[2]
			want := &BrokerInfo{ID: 2, Epoch: 20, Rack: stringPtr("r1"), Fenced: true,
				Endpoints: []Endpoint{{Name: "PLAINTEXT", Host: "h", Port: 9092}}}
			if !reflect.DeepEqual(b, want) || len(im.Brokers) != 2 {
				t.Fatalf("broker %+v", b)
			}
		}},
		{"unfence", []Record{&UnfenceBrokerRecord{ID: 1, Epoch: 10}}, nil, func(t *testing.T, im *Image) {
			if im.Brokers[1].Fenced {
				t.Fatal("still fenced")
			}
		}},
		{"unfence then fence", []Record{&UnfenceBrokerRecord{ID: 1, Epoch: 10}, &FenceBrokerRecord{ID: 1, Epoch: 10}}, nil,
			func(t *testing.T, im *Image) {
				if !im.Brokers[1].Fenced {
					t.Fatal("not fenced")
				}
			}},
		{"fence wrong epoch", []Record{&FenceBrokerRecord{ID: 1, Epoch: 9}}, ErrInconsistent, nil},
		{"fence unknown broker", []Record{&FenceBrokerRecord{ID: 7, Epoch: 10}}, ErrInconsistent, nil},
		{"registration change", []Record{
			&BrokerRegistrationChangeRecord{BrokerID: 1, BrokerEpoch: 10, Fenced: -1},
			&BrokerRegistrationChangeRecord{BrokerID: 1, BrokerEpoch: 10, InControlledShutdown: 1},
		}, nil, func(t *testing.T, im *Image) {
			if b := im.Brokers[1]; b.Fenced || !b.InControlledShutdown {
				t.Fatalf("broker %+v", b)
			}
		}},
		{"registration change bad value", []Record{&BrokerRegistrationChangeRecord{BrokerID: 1, BrokerEpoch: 10, Fenced: 2}}, ErrInconsistent, nil},
		{"unregister", []Record{&UnregisterBrokerRecord{BrokerID: 1, BrokerEpoch: 10}}, nil, func(t *testing.T, im *Image) {
			if len(im.Brokers) != 0 {
				t.Fatal("broker not removed")
			}
		}},
		{"unregister wrong epoch", []Record{&UnregisterBrokerRecord{BrokerID: 1, BrokerEpoch: 11}}, ErrInconsistent, nil},
		{"producer ids", []Record{&ProducerIdsRecord{BrokerID: 1, BrokerEpoch: 10, NextProducerID: 2000}}, nil,
			func(t *testing.T, im *Image) {
				if im.NextProducerID() != 2000 {
					t.Fatal(im.NextProducerID())
				}
			}},
		{"no-ops", []Record{&NoOpRecord{}, &AccessControlEntryRecord{}, &ZkMigrationStateRecord{}}, nil,
			func(t *testing.T, im *Image) {
				if im.Offset != 5 || im.TopicCount() != 1 {
					t.Fatalf("offset %d", im.Offset)
				}
			}},
	}
	start := mustApply(t, Empty(), base...)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			im, err := start.Apply(start.Offset+int64(len(tc.recs)), tc.recs)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) || im != nil {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, im)
		})
	}
}

func TestEmpty(t *testing.T) {
	im := Empty()
	if im.Offset != -1 || im.NextProducerID() != -1 || im.TopicCount() != 0 || len(im.TopicNames()) != 0 ||
		im.Topic("x") != nil || im.TopicByID(UUID{}) != nil || im.Configs(2, "x") != nil {
		t.Fatalf("Empty() = %+v", im)
	}
	if c := im.WithClusterID("abc"); c.ClusterID != "abc" || im.ClusterID != "" {
		t.Fatal("WithClusterID")
	}
}
