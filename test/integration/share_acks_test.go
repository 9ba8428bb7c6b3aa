package integration

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"
	"time"

	"github.com/gofka/gofka/pkg/gofkatest"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func createTopic(t *testing.T, addr, name string, partitions int32) {
	t.Helper()
	if _, err := newAdmin(t, addr).CreateTopic(ctxT(t, time.Minute), partitions, 1, nil, name); err != nil {
		t.Fatal(err)
	}
}

// pollUntil polls a share consumer, handing each record to fn, until
// done reports true or the time is up.
func pollUntil(t *testing.T, cl *kgo.Client, within time.Duration, fn func(*kgo.Record), done func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !done() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v", within)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		cl.PollFetches(ctx).EachRecord(fn)
		cancel()
	}
}

// TestShareReleaseAndReject: a released record goes to another member
// with its delivery count raised; a rejected one is never delivered
// again.
func TestShareReleaseAndReject(t *testing.T) {
	c := gofkatest.Start(t, shareOpts()...)
	createTopic(t, c.Addr(), "rr", 1)
	produceN(t, c.Addr(), "rr", 0, 10)
	a := newShareConsumer(t, c.Addr(), "g", "rr")
	seen := 0
	pollUntil(t, a, 30*time.Second, func(r *kgo.Record) {
		seen++
		switch string(r.Key) {
		case "key-3":
			a.MarkAcks(kgo.AckRelease, r)
		case "key-4":
			a.MarkAcks(kgo.AckReject, r)
		default:
			a.MarkAcks(kgo.AckAccept, r)
		}
	}, func() bool { return seen >= 10 })
	if err := a.FlushAcks(ctxT(t, 10*time.Second)); err != nil {
		t.Fatal(err)
	}
	a.Close()

	b := newShareConsumer(t, c.Addr(), "g", "rr")
	defer b.Close()
	var got []string
	var count int32
	until := time.Now().Add(3 * time.Second)
	pollUntil(t, b, 30*time.Second, func(r *kgo.Record) {
		got = append(got, string(r.Key))
		count = r.DeliveryCount()
	}, func() bool { return len(got) > 0 && time.Now().After(until) })
	// The first member's background fetch may take key-3 once more before
	// it closes (and gives it back): 2 deliveries at least.
	if len(got) != 1 || got[0] != "key-3" || count < 2 {
		t.Fatalf("second member got %v (delivery count %d), want only key-3, delivered again", got, count)
	}
}

// rawShareMember joins a share group and acquires records with plain
// requests, then vanishes without acknowledging: a member killed
// mid-batch.
func rawShareMember(t *testing.T, addr, group, topic string) (acquired int, lockMs int32) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	id := make([]byte, 16)
	_, _ = rand.Read(id)
	member := hex.EncodeToString(id)
	hb := kmsg.NewPtrShareGroupHeartbeatRequest()
	hb.GroupID, hb.MemberID, hb.SubscribedTopicNames = group, member, []string{topic}
	hresp, err := hb.RequestWith(ctxT(t, 10*time.Second), cl)
	if err != nil || hresp.ErrorCode != 0 || hresp.Assignment == nil {
		t.Fatalf("join: %v %+v", err, hresp)
	}
	f := kmsg.NewPtrShareFetchRequest()
	f.GroupID, f.MemberID, f.MaxWaitMillis, f.MaxBytes, f.MaxRecords = &group, &member, 1000, 1<<20, 100
	for _, tp := range hresp.Assignment.TopicPartitions {
		ft := kmsg.ShareFetchRequestTopic{TopicID: tp.TopicID}
		for _, p := range tp.Partitions {
			ft.Partitions = append(ft.Partitions, kmsg.ShareFetchRequestTopicPartition{Partition: p})
		}
		f.Topics = append(f.Topics, ft)
	}
	fresp, err := f.RequestWith(ctxT(t, 10*time.Second), cl)
	if err != nil || fresp.ErrorCode != 0 {
		t.Fatalf("share fetch: %v %+v", err, fresp)
	}
	for _, rt := range fresp.Topics {
		for _, p := range rt.Partitions {
			for _, a := range p.AcquiredRecords {
				if a.DeliveryCount != 1 {
					t.Errorf("first delivery with count %d", a.DeliveryCount)
				}
				acquired += int(a.LastOffset - a.FirstOffset + 1)
			}
		}
	}
	return acquired, fresp.AcquisitionLockTimeoutMillis
}

// TestShareKilledMemberRedelivered: records a member acquired and never
// acknowledged go to another member once the lock times out, with the
// delivery count raised.
func TestShareKilledMemberRedelivered(t *testing.T) {
	c := gofkatest.Start(t, shareOpts()...)
	createTopic(t, c.Addr(), "k", 1)
	produceN(t, c.Addr(), "k", 0, 20)
	if n, _ := rawShareMember(t, c.Addr(), "g", "k"); n != 20 {
		t.Fatalf("killed member acquired %d records, want 20", n)
	}
	start := time.Now()
	b := newShareConsumer(t, c.Addr(), "g", "k")
	defer b.Close()
	counts := map[string]int32{}
	pollUntil(t, b, 30*time.Second, func(r *kgo.Record) { counts[string(r.Key)] = r.DeliveryCount() },
		func() bool { return len(counts) == 20 })
	if waited := time.Since(start); waited < time.Second {
		t.Errorf("redelivered after %v, before the 1.5s lock ran out", waited)
	}
	for k, n := range counts {
		if n != 2 {
			t.Errorf("%s redelivered with delivery count %d, want 2", k, n)
		}
	}
}

// TestSharePoisonRecordArchived: a record released at every delivery is
// archived at group.share.delivery.count.limit and not delivered again.
func TestSharePoisonRecordArchived(t *testing.T) {
	c := gofkatest.Start(t, shareOpts(gofkatest.WithConfig("group.share.delivery.count.limit", "3"))...)
	createTopic(t, c.Addr(), "p", 1)
	produceN(t, c.Addr(), "p", 0, 5)
	cl := newShareConsumer(t, c.Addr(), "g", "p")
	defer cl.Close()
	deliveries := map[string]int{}
	var quiet time.Time
	pollUntil(t, cl, 40*time.Second, func(r *kgo.Record) {
		deliveries[string(r.Key)]++
		if string(r.Key) == "key-2" {
			cl.MarkAcks(kgo.AckRelease, r)
			quiet = time.Now().Add(3 * time.Second)
		}
	}, func() bool { return deliveries["key-2"] >= 3 && time.Now().After(quiet) })
	if deliveries["key-2"] != 3 {
		t.Errorf("poison record delivered %d times, want 3", deliveries["key-2"])
	}
	for k, n := range deliveries {
		if k != "key-2" && n != 1 {
			t.Errorf("%s delivered %d times", k, n)
		}
	}
}

// TestShareReadCommitted: with read_committed, a share group gets the
// records of committed transactions and never those of aborted ones,
// and every share partition still moves past them.
func TestShareReadCommitted(t *testing.T) {
	c := gofkatest.Start(t, shareOpts(gofkatest.WithConfig("gofka.share.isolation.level", "read_committed"))...)
	createTopic(t, c.Addr(), "tx", 2)
	ctx := ctxT(t, time.Minute)
	prod, err := kgo.NewClient(kgo.SeedBrokers(c.Addr()), kgo.TransactionalID("share-tx"), kgo.DefaultProduceTopic("tx"))
	if err != nil {
		t.Fatal(err)
	}
	defer prod.Close()
	txnProduce(t, ctx, prod, "tx", "commit1", 20, true)
	txnProduce(t, ctx, prod, "tx", "abort", 20, false)
	txnProduce(t, ctx, prod, "tx", "commit2", 20, true)
	cl := newShareConsumer(t, c.Addr(), "g", "tx")
	defer cl.Close()
	got := map[string]int{}
	n := 0
	var quiet time.Time
	pollUntil(t, cl, 30*time.Second, func(r *kgo.Record) {
		got[string(r.Value)]++
		n++
		cl.MarkAcks(kgo.AckAccept, r)
		if n >= 40 && quiet.IsZero() {
			quiet = time.Now().Add(2 * time.Second)
		}
	}, func() bool { return !quiet.IsZero() && time.Now().After(quiet) })
	if got["commit1"] != 20 || got["commit2"] != 20 || got["abort"] != 0 {
		t.Fatalf("read_committed share group got %v", got)
	}
	if err := cl.FlushAcks(ctx); err != nil {
		t.Fatal(err)
	}
	adm := newAdmin(t, c.Addr())
	ends, err := adm.ListEndOffsets(ctx, "tx")
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "start offsets at the end", func() bool {
		done := true
		ends.Each(func(e kadm.ListedOffset) {
			done = done && shareStart(t, adm, "g", "tx", e.Partition).StartOffset == e.Offset
		})
		return done
	})
}

// TestShareRenewKeepsLock: a member renewing its locks (KIP-1222) keeps
// its records past the lock duration: another member gets none of them,
// and the holder's accept afterwards stands.
func TestShareRenewKeepsLock(t *testing.T) {
	c := gofkatest.Start(t, shareOpts()...)
	createTopic(t, c.Addr(), "rn", 1)
	produceN(t, c.Addr(), "rn", 0, 5)
	a := newShareConsumer(t, c.Addr(), "g", "rn")
	defer a.Close()
	var held []*kgo.Record
	pollUntil(t, a, 30*time.Second, func(r *kgo.Record) { held = append(held, r) }, func() bool { return len(held) >= 5 })
	b := newShareConsumer(t, c.Addr(), "g", "rn")
	defer b.Close()
	stolen := 0
	until := time.Now().Add(4 * time.Second) // well past the 1.5s lock
	for time.Now().Before(until) {
		a.MarkAcks(kgo.AckRenew, held...)
		if err := a.FlushAcks(ctxT(t, 5*time.Second)); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		stolen += b.PollFetches(ctx).NumRecords()
		cancel()
	}
	if stolen != 0 {
		t.Fatalf("another member got %d renewed records", stolen)
	}
	a.MarkAcks(kgo.AckAccept, held...)
	if err := a.FlushAcks(ctxT(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	adm := newAdmin(t, c.Addr())
	waitFor(t, 10*time.Second, "records accepted", func() bool { return shareStart(t, adm, "g", "rn", 0).StartOffset == 5 })
}
