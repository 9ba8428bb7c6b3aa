package process

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

type pOff struct {
	p int32
	o int64
}

// TestShareStateSurvivesKill: a share-group member accepts some records
// and holds others acquired when the server is killed with SIGKILL.
// After a restart, a new member gets every record not accepted (the held
// ones once their locks are gone with the process) and none accepted.
func TestShareStateSurvivesKill(t *testing.T) {
	s := newServer(t)
	opts := []string{"--set", "group.share.record.lock.duration.ms=1500", "--set", "gofka.share.auto.offset.reset=earliest",
		"--set", "share.coordinator.state.topic.num.partitions=3", "--set", "share.coordinator.snapshot.update.records.per.snapshot=3",
		"--set", "share.coordinator.state.topic.prune.interval.ms=100",
		"--set", "offsets.topic.num.partitions=3"}
	s.start(opts...)
	admin(t, s.addr, func(adm *kadm.Client) {
		if _, err := adm.CreateTopic(context.Background(), 2, 1, nil, "sq"); err != nil {
			t.Fatal(err)
		}
	})
	all := produceShare(t, s.addr, 60)
	accepted := holdAndAccept(t, s.addr)
	if len(accepted) == 0 || len(accepted) == len(all) {
		t.Fatalf("accepted %d of %d records: want some, not all", len(accepted), len(all))
	}
	admin(t, s.addr, func(adm *kadm.Client) {
		starts, err := adm.ListStartOffsets(context.Background(), "__share_group_state")
		pruned := false
		starts.Each(func(o kadm.ListedOffset) { pruned = pruned || o.Offset > 0 })
		if err != nil || !pruned {
			t.Fatalf("__share_group_state not pruned before the kill: %v", err)
		}
	})
	s.kill()
	s.start(opts...)
	got := consumeShare(t, s.addr, len(all)-len(accepted))
	for po := range got {
		if accepted[po] {
			t.Errorf("accepted record %d/%d delivered again after the restart", po.p, po.o)
		}
	}
	for po := range all {
		if !accepted[po] && got[po] == 0 {
			t.Errorf("unaccepted record %d/%d lost", po.p, po.o)
		}
	}
	for po, n := range got {
		if n != 1 {
			t.Errorf("record %d/%d delivered %d times after the restart", po.p, po.o, n)
		}
	}
}

func produceShare(t *testing.T, addr string, n int) map[pOff]bool {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.RecordPartitioner(kgo.RoundRobinPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	out := map[pOff]bool{}
	for i := 0; i < n; i++ {
		r := &kgo.Record{Topic: "sq", Key: []byte(fmt.Sprint(i))}
		if err := cl.ProduceSync(context.Background(), r).FirstErr(); err != nil {
			t.Fatal(err)
		}
		out[pOff{r.Partition, r.Offset}] = true
	}
	return out
}

// holdAndAccept joins with plain requests, acquires every record and
// accepts the even offsets, holding the odd ones; it returns what the
// server acknowledged as accepted.
func holdAndAccept(t *testing.T, addr string) map[pOff]bool {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	group, member := "sg", "m-held-records"
	hb := kmsg.NewPtrShareGroupHeartbeatRequest()
	hb.GroupID, hb.MemberID, hb.SubscribedTopicNames = group, member, []string{"sq"}
	hresp, err := hb.RequestWith(context.Background(), cl)
	if err != nil || hresp.ErrorCode != 0 || hresp.Assignment == nil {
		t.Fatalf("join: %v %+v", err, hresp)
	}
	f := kmsg.NewPtrShareFetchRequest()
	f.GroupID, f.MemberID, f.MaxWaitMillis, f.MaxBytes, f.MaxRecords = &group, &member, 1000, 1<<20, 1000
	for _, tp := range hresp.Assignment.TopicPartitions {
		f.Topics = append(f.Topics, kmsg.ShareFetchRequestTopic{TopicID: tp.TopicID,
			Partitions: []kmsg.ShareFetchRequestTopicPartition{{Partition: 0}, {Partition: 1}}})
	}
	fresp, err := f.RequestWith(context.Background(), cl)
	if err != nil || fresp.ErrorCode != 0 {
		t.Fatalf("share fetch: %v %+v", err, fresp)
	}
	// One acknowledgement per record: many state writes, so snapshots
	// and pruning happen before the kill.
	want := map[pOff]bool{}
	epoch := int32(1)
	for _, rt := range fresp.Topics {
		for _, p := range rt.Partitions {
			for _, a := range p.AcquiredRecords {
				for o := a.FirstOffset; o <= a.LastOffset; o += 2 {
					acceptOne(t, cl, group, member, epoch, rt.TopicID, p.Partition, o)
					epoch++
					want[pOff{p.Partition, o}] = true
				}
			}
		}
	}
	time.Sleep(300 * time.Millisecond) // a prune or two
	return want
}

func acceptOne(t *testing.T, cl *kgo.Client, group, member string, epoch int32, topic [16]byte, p int32, o int64) {
	t.Helper()
	ack := kmsg.NewPtrShareAcknowledgeRequest()
	ack.GroupID, ack.MemberID, ack.ShareSessionEpoch = &group, &member, epoch
	ack.Topics = []kmsg.ShareAcknowledgeRequestTopic{{TopicID: topic, Partitions: []kmsg.ShareAcknowledgeRequestTopicPartition{{
		Partition: p, AcknowledgementBatches: []kmsg.ShareAcknowledgeRequestTopicPartitionAcknowledgementBatch{{FirstOffset: o, LastOffset: o, AcknowledgeTypes: []int8{1}}},
	}}}}
	resp, err := ack.RequestWith(context.Background(), cl)
	if err != nil || resp.ErrorCode != 0 || resp.Topics[0].Partitions[0].ErrorCode != 0 {
		t.Fatalf("acknowledge %d/%d: %v %+v", p, o, err, resp)
	}
}

// consumeShare reads with a franz-go share consumer until want records
// came, and a little longer to catch any extra, accepting each.
func consumeShare(t *testing.T, addr string, want int) map[pOff]int {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.ShareGroup("sg"), kgo.ConsumeTopics("sq"),
		kgo.FetchMaxWait(500*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	got := map[pOff]int{}
	n := 0
	deadline := time.Now().Add(45 * time.Second)
	var quiet time.Time
	for quiet.IsZero() || time.Now().Before(quiet) {
		if time.Now().After(deadline) {
			t.Fatalf("got %d of %d records after the restart", n, want)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		cl.PollFetches(ctx).EachRecord(func(r *kgo.Record) {
			got[pOff{r.Partition, r.Offset}]++
			n++
			cl.MarkAcks(kgo.AckAccept, r)
		})
		cancel()
		if n >= want && quiet.IsZero() {
			quiet = time.Now().Add(2 * time.Second)
		}
	}
	return got
}
