package integration

import (
	"context"
	"testing"
	"time"

	"github.com/gofka/gofka/pkg/gofkatest"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func ctxT(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func consumeAll(t *testing.T, ctx context.Context, addr, topic string, n int) []*kgo.Record {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	var out []*kgo.Record
	for len(out) < n {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("consumed %d of %d", len(out), n)
		}
		out = append(out, fs.Records()...)
	}
	return out
}

// TestLogAppendTime: a LogAppendTime topic stamps records with the broker's
// time, and says so in the batch attributes.
func TestLogAppendTime(t *testing.T) {
	c := gofkatest.Start(t)
	ctx := ctxT(t, 30*time.Second)
	adm := newAdmin(t, c.Addr())
	if _, err := adm.CreateTopic(ctx, 1, 1, map[string]*string{"message.timestamp.type": kadm.StringPtr("LogAppendTime")}, "lat"); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour).Truncate(time.Millisecond)
	before := time.Now().Add(-time.Second)
	produceFranz(t, ctx, c.Addr(), "lat", makeRecs("lat", 10, old))
	for _, r := range consumeAll(t, ctx, c.Addr(), "lat", 10) {
		if r.Attrs.TimestampType() != 1 || r.Timestamp.Before(before) || r.Timestamp.Equal(old) {
			t.Fatalf("record %s: timestamp %v type %d, want a log append time", r.Key, r.Timestamp, r.Attrs.TimestampType())
		}
	}
}

// TestTopicCompressionType: compression.type=zstd recompresses whatever
// the producer sent; "producer" keeps the producer's codec.
func TestTopicCompressionType(t *testing.T) {
	c := gofkatest.Start(t)
	ctx := ctxT(t, 30*time.Second)
	adm := newAdmin(t, c.Addr())
	for topic, want := range map[string]uint8{"zstd-topic": 4, "producer-topic": 2} {
		ct := "zstd"
		if want == 2 {
			ct = "producer"
		}
		if _, err := adm.CreateTopic(ctx, 1, 1, map[string]*string{"compression.type": &ct}, topic); err != nil {
			t.Fatal(err)
		}
		rs := makeRecs(topic, 50, time.Now())
		produceFranz(t, ctx, c.Addr(), topic, rs, kgo.ProducerBatchCompression(kgo.SnappyCompression()))
		l := newLedger(rs)
		for _, r := range consumeAll(t, ctx, c.Addr(), topic, len(rs)) {
			if got := r.Attrs.CompressionType(); got != want {
				t.Errorf("%s: record stored with codec %d, want %d", topic, got, want)
			}
			l.add(t, fromFranz(r))
		}
		l.check(t)
	}
}

// TestListOffsetsMaxTimestamp: -3 finds the record with the largest
// timestamp, wherever it is in the log.
func TestListOffsetsMaxTimestamp(t *testing.T) {
	c := gofkatest.Start(t)
	ctx := ctxT(t, 30*time.Second)
	adm := newAdmin(t, c.Addr())
	if _, err := adm.CreateTopic(ctx, 1, 1, nil, "maxts"); err != nil {
		t.Fatal(err)
	}
	base := time.Now().Add(-time.Minute).Truncate(time.Millisecond)
	rs := makeRecs("maxts", 20, base)
	rs[7].ts = base.Add(time.Hour / 2) // the newest, in the middle
	for _, r := range rs {             // one batch per record
		produceFranz(t, ctx, c.Addr(), "maxts", []rec{r})
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.Addr()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	req := kmsg.NewPtrListOffsetsRequest()
	req.Topics = []kmsg.ListOffsetsRequestTopic{{Topic: "maxts", Partitions: []kmsg.ListOffsetsRequestTopicPartition{{Partition: 0, Timestamp: -3, CurrentLeaderEpoch: -1}}}}
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		t.Fatal(err)
	}
	p := resp.Topics[0].Partitions[0]
	if p.ErrorCode != 0 || p.Offset != 7 || p.Timestamp != rs[7].ts.UnixMilli() {
		t.Fatalf("max timestamp: offset %d ts %d err %d, want offset 7 ts %d", p.Offset, p.Timestamp, p.ErrorCode, rs[7].ts.UnixMilli())
	}
}

// TestFetchLongPoll: a fetch with MinBytes waits until a produce arrives,
// and one with nothing to read returns after MaxWaitMillis.
func TestFetchLongPoll(t *testing.T) {
	c := gofkatest.Start(t)
	ctx := ctxT(t, 30*time.Second)
	adm := newAdmin(t, c.Addr())
	created, err := adm.CreateTopic(ctx, 1, 1, nil, "poll")
	if err != nil {
		t.Fatal(err)
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.Addr()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	fetch := func(wait int32) (*kmsg.FetchResponse, time.Duration) {
		req := kmsg.NewPtrFetchRequest()
		req.SetVersion(13)
		req.MaxWaitMillis, req.MinBytes, req.MaxBytes, req.SessionEpoch = wait, 1, 1<<20, -1
		req.Topics = []kmsg.FetchRequestTopic{{TopicID: created.ID, Partitions: []kmsg.FetchRequestTopicPartition{{Partition: 0, FetchOffset: 0, PartitionMaxBytes: 1 << 20, CurrentLeaderEpoch: -1, LogStartOffset: -1, LastFetchedEpoch: -1}}}}
		start := time.Now()
		resp, err := req.RequestWith(ctx, cl)
		if err != nil {
			t.Fatal(err)
		}
		return resp, time.Since(start)
	}
	if resp, took := fetch(300); took < 250*time.Millisecond || len(resp.Topics[0].Partitions[0].RecordBatches) != 0 {
		t.Fatalf("empty fetch returned after %v with %d bytes", took, len(resp.Topics[0].Partitions[0].RecordBatches))
	}
	produced := make(chan error, 1)
	go func() {
		time.Sleep(200 * time.Millisecond)
		cl, err := kgo.NewClient(kgo.SeedBrokers(c.Addr()), kgo.DisableIdempotentWrite())
		if err == nil {
			err = cl.ProduceSync(ctx, &kgo.Record{Topic: "poll", Value: []byte("wake")}).FirstErr()
			cl.Close()
		}
		produced <- err
	}()
	resp, took := fetch(10_000)
	if err := <-produced; err != nil { // the fetch may answer before the produce is acknowledged
		t.Fatalf("produce: %v", err)
	}
	if n := len(resp.Topics[0].Partitions[0].RecordBatches); n == 0 || took > 5*time.Second {
		t.Fatalf("long poll returned %d bytes after %v; want data soon after the produce", n, took)
	}
}

// TestAutoCreateTopic: producing to an unknown topic creates it with the
// broker defaults (num.partitions).
func TestAutoCreateTopic(t *testing.T) {
	c := gofkatest.Start(t, gofkatest.WithConfig("num.partitions", "3"))
	ctx := ctxT(t, 30*time.Second)
	rs := makeRecs("auto", 30, time.Now())
	produceFranz(t, ctx, c.Addr(), "auto-created", rs, kgo.AllowAutoTopicCreation())
	td, err := newAdmin(t, c.Addr()).ListTopics(ctx, "auto-created")
	if err != nil {
		t.Fatal(err)
	}
	if got := len(td["auto-created"].Partitions); got != 3 {
		t.Fatalf("auto-created topic has %d partitions, want 3", got)
	}
}

// TestIncrementalFetchSession drives KIP-227 by hand: a new session, an
// incremental fetch that lists only changed partitions, a stale epoch.
func TestIncrementalFetchSession(t *testing.T) {
	c := gofkatest.Start(t)
	ctx := ctxT(t, 30*time.Second)
	adm := newAdmin(t, c.Addr())
	if _, err := adm.CreateTopic(ctx, 2, 1, nil, "sess"); err != nil {
		t.Fatal(err)
	}
	r := dialRaw(t, c.Addr())
	part := func(p int32, off int64) kmsg.FetchRequestTopicPartition {
		return kmsg.FetchRequestTopicPartition{Partition: p, FetchOffset: off, PartitionMaxBytes: 1 << 20, CurrentLeaderEpoch: -1, LogStartOffset: -1, LastFetchedEpoch: -1}
	}
	fetch := func(id, epoch int32, parts ...kmsg.FetchRequestTopicPartition) *kmsg.FetchResponse {
		req := kmsg.NewPtrFetchRequest()
		req.ReplicaID, req.MaxBytes, req.SessionID, req.SessionEpoch = -1, 1<<20, id, epoch
		if len(parts) > 0 {
			req.Topics = []kmsg.FetchRequestTopic{{Topic: "sess", Partitions: parts}}
		}
		return r.request(req, 12).(*kmsg.FetchResponse)
	}
	first := fetch(0, 0, part(0, 0), part(1, 0))
	if first.SessionID == 0 || len(first.Topics) != 1 || len(first.Topics[0].Partitions) != 2 {
		t.Fatalf("new session: id %d, topics %+v", first.SessionID, first.Topics)
	}
	if inc := fetch(first.SessionID, 1); len(inc.Topics) != 0 {
		t.Fatalf("incremental fetch without changes listed %d topics", len(inc.Topics))
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.Addr()), kgo.DisableIdempotentWrite(), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if err := cl.ProduceSync(ctx, &kgo.Record{Topic: "sess", Partition: 1, Value: []byte("x")}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	inc := fetch(first.SessionID, 2)
	if len(inc.Topics) != 1 || len(inc.Topics[0].Partitions) != 1 || inc.Topics[0].Partitions[0].Partition != 1 || len(inc.Topics[0].Partitions[0].RecordBatches) == 0 {
		t.Fatalf("incremental fetch after a produce to partition 1: %+v", inc.Topics)
	}
	if stale := fetch(first.SessionID, 2); stale.ErrorCode != 71 { // INVALID_FETCH_SESSION_EPOCH
		t.Fatalf("stale epoch: error %d, want 71", stale.ErrorCode)
	}
	if missing := fetch(12345, 1); missing.ErrorCode != 70 { // FETCH_SESSION_ID_NOT_FOUND
		t.Fatalf("unknown session: error %d, want 70", missing.ErrorCode)
	}
}
