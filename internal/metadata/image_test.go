package metadata

import (
	"fmt"
	"reflect"
	"testing"
)

// imageDump is a deep copy of everything an image holds, for immutability checks.
type imageDump struct {
	Offset          int64
	MetadataVersion int16
	Features        map[string]int16
	Brokers         map[int32]BrokerInfo
	Topics          map[string]TopicImage
	Partitions      map[string]PartitionImage
	Configs         map[ConfigKey]map[string]string
	NextPID         int64
}

func dump(im *Image) imageDump {
	d := imageDump{Offset: im.Offset, MetadataVersion: im.MetadataVersion, Features: map[string]int16{},
		Brokers: map[int32]BrokerInfo{}, Topics: map[string]TopicImage{}, Partitions: map[string]PartitionImage{},
		Configs: map[ConfigKey]map[string]string{}, NextPID: im.NextProducerID()}
	for k, v := range im.Features {
		d.Features[k] = v
	}
	for k, v := range im.Brokers {
		c := *v
		c.Endpoints = append([]Endpoint(nil), v.Endpoints...)
		d.Brokers[k] = c
	}
	im.EachTopic(func(t *TopicImage) bool {
		d.Topics[t.Name] = TopicImage{Name: t.Name, ID: t.ID}
		for _, p := range t.Partitions {
			c := *p
			c.Replicas, c.ISR = append([]int32(nil), p.Replicas...), append([]int32(nil), p.ISR...)
			d.Partitions[fmt.Sprintf("%s-%d", t.Name, p.Partition)] = c
		}
		return true
	})
	im.configs.each(func(k ConfigKey, cs *configSet) bool {
		d.Configs[k] = im.Configs(k.Type, k.Name)
		return true
	})
	return d
}

func TestApplyImmutable(t *testing.T) {
	im := mustApply(t, Empty(),
		topicRec("a", 1), partRec(1, 0, 1, 2), partRec(1, 1, 2, 1), topicRec("b", 2), partRec(2, 0, 1),
		configRec(ConfigResourceTopic, "a", "k", stringPtr("v")), brokerRec(1, 1),
		&FeatureLevelRecord{Name: MetadataVersionFeature, FeatureLevel: 7})
	before := dump(im)
	next := mustApply(t, im,
		change(1, 0, func(r *PartitionChangeRecord) { r.ISR, r.Leader = []int32{2}, 2 }),
		partRec(1, 2, 1), &RemoveTopicRecord{TopicID: tid(2)}, topicRec("c", 3),
		configRec(ConfigResourceTopic, "a", "k", stringPtr("w")), configRec(ConfigResourceBroker, "1", "k", stringPtr("x")),
		&UnfenceBrokerRecord{ID: 1, Epoch: 1}, brokerRec(2, 1), &FeatureLevelRecord{Name: MetadataVersionFeature, FeatureLevel: 8},
		&ProducerIdsRecord{NextProducerID: 1000})
	if !reflect.DeepEqual(dump(im), before) {
		t.Fatal("Apply modified the old image")
	}
	if reflect.DeepEqual(dump(next), before) {
		t.Fatal("Apply changed nothing")
	}
	if _, err := im.Apply(100, []Record{topicRec("z", 9), partRec(8, 0, 1)}); err == nil {
		t.Fatal("want error")
	}
	if !reflect.DeepEqual(dump(im), before) {
		t.Fatal("failed Apply modified the old image")
	}
}

// TestApplySharesStructure checks that changing one partition among many topics copies
// only the shard holding that topic.
func TestApplySharesStructure(t *testing.T) {
	var recs []Record
	for i := range 2000 {
		id := UUID{0: byte(i >> 8), 1: byte(i), 15: 1}
		recs = append(recs, &TopicRecord{Name: fmt.Sprintf("t%d", i), TopicID: id})
		p := partRec(0, 0, 1)
		p.TopicID = id
		recs = append(recs, p)
	}
	im := mustApply(t, Empty(), recs...)
	next := mustApply(t, im, &PartitionChangeRecord{TopicID: UUID{0: 0, 1: 5, 15: 1}, PartitionID: 0, Leader: NoLeaderChange,
		LeaderRecoveryState: NoLeaderRecoveryStateChange, ISR: []int32{}})
	copied := 0
	for i := range pmapShards {
		if im.topics.shard(i) != next.topics.shard(i) {
			copied++
		}
		if im.topicIDs.shard(i) != next.topicIDs.shard(i) {
			t.Fatal("topic id shard copied")
		}
	}
	if copied != 1 {
		t.Fatalf("%d topic shards copied, want 1", copied)
	}
	if next.Topic("t4") != im.Topic("t4") {
		t.Fatal("unchanged topic not shared")
	}
	if d := Diff(im, next); len(d.ChangedPartitions) != 1 || d.ChangedPartitions[0].Topic != "t5" {
		t.Fatalf("delta %+v", d)
	}
}
