package integration

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/gofka/gofka/pkg/gofkatest"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// TestDescribeTopicPartitionsPages walks every partition of the cluster
// through NextCursor with a small ResponsePartitionLimit (capped further by
// max.request.partition.size.limit), then checks named topics and a bad
// cursor.
func TestDescribeTopicPartitionsPages(t *testing.T) {
	c := gofkatest.Start(t, gofkatest.WithConfig("max.request.partition.size.limit", "4"))
	ctx := ctxT(t, 30*time.Second)
	cl := newClient(t, c.Addr())
	adm := newAdmin(t, c.Addr())
	parts := map[string]int32{"t-b": 5, "t-a": 3, "t-c": 1, "t-d": 2}
	for name, n := range parts {
		if _, err := adm.CreateTopic(ctx, n, 1, nil, name); err != nil {
			t.Fatal(err)
		}
	}
	var want []string
	for _, name := range []string{"t-a", "t-b", "t-c", "t-d"} {
		for p := int32(0); p < parts[name]; p++ {
			want = append(want, fmt.Sprintf("%s-%d", name, p))
		}
	}

	var got []string
	var cursor *kmsg.DescribeTopicPartitionsRequestCursor
	pages := 0
	for {
		req := kmsg.NewPtrDescribeTopicPartitionsRequest()
		req.ResponsePartitionLimit = 10 // the broker's limit, 4, wins
		req.Cursor = cursor
		resp, err := req.RequestWith(ctx, cl)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		n := 0
		for _, tp := range resp.Topics {
			if tp.ErrorCode != 0 || tp.AuthorizedOperations <= 0 || tp.TopicID == [16]byte{} {
				t.Fatalf("topic %+v", tp)
			}
			for _, p := range tp.Partitions {
				if p.LeaderID != 1 || !slices.Equal(p.ISR, []int32{1}) || len(p.OfflineReplicas) != 0 {
					t.Fatalf("%s-%d: %+v", *tp.Topic, p.Partition, p)
				}
				got = append(got, fmt.Sprintf("%s-%d", *tp.Topic, p.Partition))
				n++
			}
		}
		if n > 4 {
			t.Fatalf("page %d has %d partitions, limit 4", pages, n)
		}
		if resp.NextCursor == nil {
			break
		}
		cursor = &kmsg.DescribeTopicPartitionsRequestCursor{Topic: resp.NextCursor.Topic, Partition: resp.NextCursor.Partition}
		if pages > 10 {
			t.Fatal("no end of pages")
		}
	}
	if !slices.Equal(got, want) || pages != 3 {
		t.Fatalf("%d pages: %v, want %v", pages, got, want)
	}

	req := kmsg.NewPtrDescribeTopicPartitionsRequest()
	for _, name := range []string{"t-c", "missing", "t-a"} {
		req.Topics = append(req.Topics, kmsg.DescribeTopicPartitionsRequestTopic{Topic: name})
	}
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Topics) != 3 || *resp.Topics[0].Topic != "missing" || resp.Topics[0].ErrorCode != kerr.UnknownTopicOrPartition.Code ||
		*resp.Topics[1].Topic != "t-a" || *resp.Topics[2].Topic != "t-c" || resp.NextCursor != nil {
		t.Fatalf("named topics: %+v", resp)
	}

	req.Cursor = &kmsg.DescribeTopicPartitionsRequestCursor{Topic: "t-b"}
	resp, err = req.RequestWith(ctx, cl)
	if err != nil {
		t.Fatal(err)
	}
	for _, tp := range resp.Topics {
		if tp.ErrorCode != kerr.InvalidRequest.Code || len(tp.Partitions) != 0 {
			t.Fatalf("cursor outside the named topics: %+v", resp.Topics)
		}
	}
	if len(resp.Topics) != 3 {
		t.Fatalf("cursor outside the named topics: %d topics", len(resp.Topics))
	}
}
