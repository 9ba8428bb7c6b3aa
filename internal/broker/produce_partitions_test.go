package broker

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/gofka/gofka/internal/record"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// TestProducePartitions: a request with a batch for each of several
// partitions answers each partition with its own offsets and stores every
// batch intact; a partition named twice is appended in request order.
func TestProducePartitions(t *testing.T) {
	n := startTestNode(t, t.TempDir(), nil)
	defer n.Close()
	cl, err := kgo.NewClient(kgo.SeedBrokers(n.Addr()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	const parts = 6
	create := kmsg.NewPtrCreateTopicsRequest()
	ct := kmsg.NewCreateTopicsRequestTopic()
	ct.Topic, ct.NumPartitions, ct.ReplicationFactor = "fan", parts, 1
	create.Topics = append(create.Topics, ct)
	created, err := create.RequestWith(ctx, cl)
	if err != nil || created.Topics[0].ErrorCode != 0 {
		t.Fatalf("create: %v %+v", err, created)
	}
	topicID := created.Topics[0].TopicID

	batch := func(p, round int) []byte {
		bl := record.NewBuilder(record.CodecNone, 0, time.Now().UnixMilli())
		for i := range 40 {
			bl.Add(record.Record{Offset: int64(i), Timestamp: time.Now().UnixMilli(),
				Value: bytes.Repeat(fmt.Appendf(nil, "%d/%d/%d;", p, round, i), 100)})
		}
		b, err := bl.Build(nil)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	produce := func(partitions []int32, labels []int) *kmsg.ProduceResponse {
		req := kmsg.NewPtrProduceRequest()
		req.Acks, req.TimeoutMillis = -1, 5000
		rt := kmsg.NewProduceRequestTopic()
		rt.Topic, rt.TopicID = "fan", topicID
		for k, p := range partitions {
			rp := kmsg.NewProduceRequestTopicPartition()
			rp.Partition, rp.Records = p, batch(int(p), labels[k])
			rt.Partitions = append(rt.Partitions, rp)
		}
		req.Topics = append(req.Topics, rt)
		resp, err := req.RequestWith(ctx, cl)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}

	all := []int32{0, 1, 2, 3, 4, 5}
	for round := range 3 {
		resp := produce(all, []int{round * 10, round * 10, round * 10, round * 10, round * 10, round * 10})
		for i, rp := range resp.Topics[0].Partitions {
			if rp.Partition != all[i] || rp.ErrorCode != 0 || rp.BaseOffset != int64(round*40) {
				t.Fatalf("round %d: partition %d answered %+v", round, all[i], rp)
			}
		}
	}
	resp := produce([]int32{2, 2, 3}, []int{100, 101, 102}) // partition 2 twice: sequential, in order
	got := resp.Topics[0].Partitions
	if got[0].BaseOffset != 120 || got[1].BaseOffset != 160 || got[2].BaseOffset != 120 {
		t.Fatalf("duplicate partition: offsets %d %d %d, want 120 160 120", got[0].BaseOffset, got[1].BaseOffset, got[2].BaseOffset)
	}

	for _, p := range all {
		want := []string{}
		for round := range 3 {
			for i := range 40 {
				want = append(want, fmt.Sprintf("%d/%d/%d;", p, round*10, i))
			}
		}
		if p == 2 {
			for _, r := range []int{100, 101} {
				for i := range 40 {
					want = append(want, fmt.Sprintf("2/%d/%d;", r, i))
				}
			}
		}
		if p == 3 {
			for i := range 40 {
				want = append(want, fmt.Sprintf("3/102/%d;", i))
			}
		}
		checkPartition(ctx, t, n.Addr(), p, want)
	}
}

// checkPartition consumes partition p of "fan" from the start and checks
// every value's prefix, in order.
func checkPartition(ctx context.Context, t *testing.T, addr string, p int32, want []string) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr),
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{"fan": {p: kgo.NewOffset().AtStart()}}))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	var got []string
	for len(got) < len(want) {
		fs := cl.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			t.Fatalf("partition %d: %d of %d records: %v", p, len(got), len(want), err)
		}
		fs.EachRecord(func(r *kgo.Record) {
			prefix := string(r.Value[:bytes.IndexByte(r.Value, ';')+1])
			if !bytes.Equal(r.Value, bytes.Repeat([]byte(prefix), 100)) {
				t.Fatalf("partition %d offset %d: value damaged", p, r.Offset)
			}
			got = append(got, prefix)
		})
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("partition %d, record %d: %q, want %q", p, i, got[i], want[i])
		}
	}
}
