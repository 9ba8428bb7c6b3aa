package broker

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/gofka/gofka/internal/metadata"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// dtpImage has topics a (3 partitions), b (1) and c (2) on broker 1
// (listener PLAINTEXT); partition a-1 lists an unregistered replica 9 and
// ELRs.
func dtpImage(t *testing.T) *metadata.Image {
	t.Helper()
	reg := metadata.NewRegisterBrokerRecord()
	reg.BrokerID, reg.BrokerEpoch, reg.Fenced = 1, 1, false
	reg.EndPoints = []metadata.BrokerEndpoint{{Name: "PLAINTEXT", Host: "h", Port: 9092}}
	recs := []metadata.Record{reg}
	for i, tp := range []struct {
		name  string
		parts int32
	}{{"a", 3}, {"b", 1}, {"c", 2}} {
		tr := metadata.NewTopicRecord()
		tr.Name, tr.TopicID = tp.name, metadata.UUID{byte(i + 1)}
		recs = append(recs, tr)
		for p := int32(0); p < tp.parts; p++ {
			pr := metadata.NewPartitionRecord()
			pr.PartitionID, pr.TopicID, pr.Leader, pr.LeaderEpoch = p, tr.TopicID, 1, 3
			pr.Replicas, pr.ISR = []int32{1}, []int32{1}
			if tp.name == "a" && p == 1 {
				pr.Replicas, pr.EligibleLeaderReplicas, pr.LastKnownELR = []int32{1, 9}, []int32{9}, []int32{7}
			}
			recs = append(recs, pr)
		}
	}
	img, err := metadata.Empty().Apply(0, recs)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// page renders a response as "topic:partitions" entries and the cursor.
func page(topics []kmsg.DescribeTopicPartitionsResponseTopic, next *kmsg.DescribeTopicPartitionsResponseNextCursor) string {
	s := ""
	for _, t := range topics {
		s += *t.Topic
		if t.ErrorCode != 0 {
			s += fmt.Sprintf("!%d", t.ErrorCode)
		}
		for _, p := range t.Partitions {
			s += fmt.Sprintf(":%d", p.Partition)
		}
		s += " "
	}
	if next != nil {
		s += fmt.Sprintf("next=%s/%d", next.Topic, next.Partition)
	}
	return s
}

func TestDescribeTopicPartitionsPaging(t *testing.T) {
	img := dtpImage(t)
	cur := func(topic string, p int32) *kmsg.DescribeTopicPartitionsRequestCursor {
		return &kmsg.DescribeTopicPartitionsRequestCursor{Topic: topic, Partition: p}
	}
	for _, tc := range []struct {
		name   string
		topics []string
		cursor *kmsg.DescribeTopicPartitionsRequestCursor
		limit  int32
		want   string
	}{
		{"all", nil, nil, 100, "a:0:1:2 b:0 c:0:1 "},
		{"cut inside a topic", nil, nil, 2, "a:0:1 next=a/2"},
		{"cut at a topic boundary", nil, nil, 3, "a:0:1:2 next=b/0"},
		{"from a cursor", nil, cur("a", 2), 2, "a:2 b:0 next=c/0"},
		{"cursor past the last partition", nil, cur("b", 5), 1, "b c:0 next=c/1"},
		{"cursor between topics", nil, cur("bb", 0), 10, "c:0:1 "},
		{"last page", nil, cur("c", 1), 10, "c:1 "},
		{"named, sorted, unknown ones answered", []string{"c", "zz", "a", "c"}, nil, 10, "a:0:1:2 c:0:1 zz!3 "},
		{"named, illegal name", []string{"bad name"}, nil, 10, "bad name!17 "},
		{"named with cursor", []string{"a", "c"}, cur("c", 1), 10, "c:1 "},
		{"limit reached before an unknown topic", []string{"b", "x"}, nil, 1, "b:0 next=x/0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := kmsg.NewPtrDescribeTopicPartitionsRequest()
			for _, name := range tc.topics {
				r.Topics = append(r.Topics, kmsg.DescribeTopicPartitionsRequestTopic{Topic: name})
			}
			r.Cursor = tc.cursor
			names, ok := dtpTopicNames(r, img)
			if !ok {
				t.Fatal("cursor refused")
			}
			d := dtpPage{img: img, listener: "PLAINTEXT", cursor: r.Cursor, all: len(r.Topics) == 0}
			if got := page(d.fill(names, tc.limit)); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestDescribeTopicPartitionsBadCursor(t *testing.T) {
	img := dtpImage(t)
	for _, tc := range []struct {
		topics []string
		cursor kmsg.DescribeTopicPartitionsRequestCursor
	}{
		{[]string{"a"}, kmsg.DescribeTopicPartitionsRequestCursor{Topic: "b"}},
		{nil, kmsg.DescribeTopicPartitionsRequestCursor{Topic: "a", Partition: -1}},
		{[]string{"a"}, kmsg.DescribeTopicPartitionsRequestCursor{Topic: "a", Partition: -1}},
	} {
		r := kmsg.NewPtrDescribeTopicPartitionsRequest()
		for _, name := range tc.topics {
			r.Topics = append(r.Topics, kmsg.DescribeTopicPartitionsRequestTopic{Topic: name})
		}
		r.Cursor = &tc.cursor
		if _, ok := dtpTopicNames(r, img); ok {
			t.Errorf("topics %v cursor %+v accepted", tc.topics, tc.cursor)
		}
	}
}

func TestDescribeTopicPartitionsPartition(t *testing.T) {
	img := dtpImage(t)
	d := dtpPage{img: img, listener: "PLAINTEXT"}
	got := d.partition(img.Partition("a", 1))
	want := kmsg.NewDescribeTopicPartitionsResponseTopicPartition()
	want.Partition, want.LeaderID, want.LeaderEpoch = 1, 1, 3
	want.Replicas, want.ISR, want.OfflineReplicas = []int32{1, 9}, []int32{1}, []int32{9}
	want.EligibleLeaderReplicas, want.LastKnownELR = []int32{9}, []int32{7}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("partition a-1:\n got %+v\nwant %+v", got, want)
	}
	// On a listener the leader does not have, it has no leader and every
	// replica is offline.
	d.listener = "SSL"
	got = d.partition(img.Partition("a", 0))
	if got.LeaderID != -1 || !reflect.DeepEqual(got.OfflineReplicas, []int32{1}) || got.ErrorCode != 0 {
		t.Fatalf("on SSL: %+v", got)
	}
	if kerr.ErrorForCode(dtpUnknownTopic("x").ErrorCode) != kerr.UnknownTopicOrPartition {
		t.Fatal("unknown topic code")
	}
}
