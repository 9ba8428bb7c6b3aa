package metadata

import (
	"reflect"
	"testing"
)

func names(ts []*TopicImage) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.Name)
	}
	return out
}

func parts(ps []*PartitionImage) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Topic+"-"+string(rune('0'+p.Partition)))
	}
	return out
}

func TestDiff(t *testing.T) {
	base := []Record{topicRec("a", 1), partRec(1, 0, 1), partRec(1, 1, 1), topicRec("b", 2), partRec(2, 0, 1),
		configRec(ConfigResourceTopic, "a", "x", stringPtr("1"))}
	tests := []struct {
		name                    string
		recs                    []Record
		created, deleted, parts []string
		configs                 []ConfigKey
	}{
		{"nothing", []Record{&NoOpRecord{}}, nil, nil, nil, nil},
		{"create", []Record{topicRec("c", 3), partRec(3, 0, 1), partRec(3, 1, 1)}, []string{"c"}, nil, []string{"c-0", "c-1"}, nil},
		{"delete", []Record{&RemoveTopicRecord{TopicID: tid(1)}}, nil, []string{"a"}, nil,
			[]ConfigKey{{ConfigResourceTopic, "a"}}},
		{"recreate", []Record{&RemoveTopicRecord{TopicID: tid(2)}, topicRec("b", 4), partRec(4, 0, 2)},
			[]string{"b"}, []string{"b"}, []string{"b-0"}, nil},
		{"change and add partition", []Record{
			change(1, 1, func(r *PartitionChangeRecord) { r.Leader = NoLeader }), partRec(1, 2, 1),
		}, nil, nil, []string{"a-1", "a-2"}, nil},
		{"configs", []Record{
			configRec(ConfigResourceTopic, "a", "x", stringPtr("2")), configRec(ConfigResourceBroker, "", "y", stringPtr("1")),
		}, nil, nil, nil, []ConfigKey{{ConfigResourceTopic, "a"}, {ConfigResourceBroker, ""}}},
		{"config set to same value", []Record{configRec(ConfigResourceTopic, "a", "x", stringPtr("1"))}, nil, nil, nil, nil},
	}
	old := mustApply(t, Empty(), base...)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			next := mustApply(t, old, tc.recs...)
			d := Diff(old, next)
			if !reflect.DeepEqual(names(d.CreatedTopics), tc.created) || !reflect.DeepEqual(names(d.DeletedTopics), tc.deleted) ||
				!reflect.DeepEqual(parts(d.ChangedPartitions), tc.parts) || !reflect.DeepEqual(d.ChangedConfigs, tc.configs) {
				t.Fatalf("delta created %v deleted %v parts %v configs %v", names(d.CreatedTopics),
					names(d.DeletedTopics), parts(d.ChangedPartitions), d.ChangedConfigs)
			}
			if d.Empty() != (tc.created == nil && tc.deleted == nil && tc.parts == nil && tc.configs == nil) {
				t.Fatal("Empty() wrong")
			}
		})
	}
}

// TestDiffUnrelatedImages compares images built separately from the same records.
func TestDiffUnrelatedImages(t *testing.T) {
	recs := []Record{topicRec("a", 1), partRec(1, 0, 1), configRec(ConfigResourceTopic, "a", "x", stringPtr("1"))}
	a, b := mustApply(t, Empty(), recs...), mustApply(t, Empty(), recs...)
	if d := Diff(a, b); !d.Empty() {
		t.Fatalf("delta %+v", d)
	}
	if d := Diff(Empty(), a); len(d.CreatedTopics) != 1 || len(d.ChangedPartitions) != 1 || len(d.ChangedConfigs) != 1 {
		t.Fatalf("delta %+v", d)
	}
}

func TestPublisher(t *testing.T) {
	p := NewPublisher(nil)
	if p.Current().Offset != -1 {
		t.Fatal("initial image")
	}
	var calls []string
	var deltas []Delta
	p.Subscribe(func(old, next *Image, d Delta) {
		calls = append(calls, "first")
		deltas = append(deltas, d)
		if p.Current() != next {
			t.Error("Current not updated before subscribers run")
		}
	})
	p.Subscribe(func(old, next *Image, d Delta) { calls = append(calls, "second") })
	im1 := mustApply(t, p.Current(), topicRec("a", 1), partRec(1, 0, 1))
	p.Publish(im1)
	im2 := mustApply(t, im1, &RemoveTopicRecord{TopicID: tid(1)})
	p.Publish(im2)
	if !reflect.DeepEqual(calls, []string{"first", "second", "first", "second"}) {
		t.Fatalf("calls %v", calls)
	}
	if names(deltas[0].CreatedTopics)[0] != "a" || names(deltas[1].DeletedTopics)[0] != "a" || p.Current() != im2 {
		t.Fatalf("deltas %+v", deltas)
	}
}
