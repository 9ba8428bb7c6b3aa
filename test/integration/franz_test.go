package integration

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gofka/gofka/pkg/gofkatest"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

var franzCodecs = []struct {
	name  string
	codec kgo.CompressionCodec
}{
	{"none", kgo.NoCompression()},
	{"gzip", kgo.GzipCompression()},
	{"snappy", kgo.SnappyCompression()},
	{"lz4", kgo.Lz4Compression()},
	{"zstd", kgo.ZstdCompression()},
}

var franzAcks = []struct {
	name string
	acks kgo.Acks
}{{"acks0", kgo.NoAck()}, {"acks1", kgo.LeaderAck()}, {"acksall", kgo.AllISRAcks()}}

func franzRecord(topic string, r rec) *kgo.Record {
	kr := &kgo.Record{Topic: topic, Key: r.key, Value: r.value, Timestamp: r.ts}
	for _, h := range r.headers {
		kr.Headers = append(kr.Headers, kgo.RecordHeader{Key: h.key, Value: h.value})
	}
	return kr
}

func fromFranz(r *kgo.Record) rec {
	out := rec{topic: r.Topic, partition: r.Partition, key: r.Key, value: r.Value, ts: r.Timestamp}
	for _, h := range r.Headers {
		out.headers = append(out.headers, hdr{key: h.Key, value: h.Value})
	}
	return out
}

func newAdmin(t *testing.T, addr string) *kadm.Client {
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return kadm.NewClient(cl)
}

// TestFranzProduceConsume produces 100,000 records with franz-go across
// every acks setting and codec, consumes them back and compares them all.
func TestFranzProduceConsume(t *testing.T) {
	c := gofkatest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	adm := newAdmin(t, c.Addr())
	const topic = "franz-all"
	if _, err := adm.CreateTopic(ctx, 6, 1, nil, topic); err != nil {
		t.Fatal(err)
	}
	all := makeRecs("franz", 100_000, time.Now().Add(-30*time.Minute))
	chunks := split(all, len(franzCodecs)*len(franzAcks))
	i := 0
	for _, codec := range franzCodecs {
		for _, acks := range franzAcks {
			produceFranz(t, ctx, c.Addr(), topic, chunks[i], kgo.ProducerBatchCompression(codec.codec), kgo.RequiredAcks(acks.acks))
			i++
		}
	}
	l := newLedger(all)
	consumeFranz(t, ctx, c.Addr(), topic, l, len(all))
	l.check(t)
}

func produceFranz(t *testing.T, ctx context.Context, addr, topic string, rs []rec, opts ...kgo.Opt) {
	t.Helper()
	opts = append(opts, kgo.SeedBrokers(addr), kgo.DisableIdempotentWrite(), kgo.ProducerLinger(time.Millisecond))
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	krs := make([]*kgo.Record, len(rs))
	for i, r := range rs {
		krs[i] = franzRecord(topic, r)
	}
	if err := cl.ProduceSync(ctx, krs...).FirstErr(); err != nil {
		t.Fatalf("produce: %v", err)
	}
}

func consumeFranz(t *testing.T, ctx context.Context, addr, topic string, l *ledger, want int) {
	t.Helper()
	consumeFranzOpts(t, ctx, topic, l, want, kgo.SeedBrokers(addr))
}

// TestFranzAdmin covers offsets by timestamp, configs, delete records and
// delete topics through kadm.
func TestFranzAdmin(t *testing.T) {
	c := gofkatest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	adm := newAdmin(t, c.Addr())
	const topic = "franz-admin"
	if _, err := adm.CreateTopic(ctx, 1, 1, map[string]*string{"retention.ms": kadm.StringPtr("86400000")}, topic); err != nil {
		t.Fatal(err)
	}
	base := time.Now().Add(-10 * time.Minute).Truncate(time.Millisecond)
	rs := makeRecs("adm", 1000, base)
	produceFranz(t, ctx, c.Addr(), topic, rs, kgo.RecordPartitioner(kgo.ManualPartitioner()))

	t.Run("ListOffsetsByTimestamp", func(t *testing.T) { checkOffsetsByTime(t, ctx, adm, topic, base) })
	t.Run("Configs", func(t *testing.T) { checkConfigs(t, ctx, adm, topic) })
	t.Run("DeleteRecords", func(t *testing.T) { checkDeleteRecords(t, ctx, adm, c.Addr(), topic) })
	t.Run("DeleteTopic", func(t *testing.T) { checkDeleteTopic(t, ctx, adm, topic) })
}

func checkOffsetsByTime(t *testing.T, ctx context.Context, adm *kadm.Client, topic string, base time.Time) {
	for _, off := range []int64{0, 1, 500, 999} {
		lo, err := adm.ListOffsetsAfterMilli(ctx, base.Add(time.Duration(off)*time.Millisecond).UnixMilli(), topic)
		if err != nil {
			t.Fatal(err)
		}
		o, _ := lo.Lookup(topic, 0)
		if o.Err != nil || o.Offset != off {
			t.Errorf("offset after %d ms = %d (%v), want %d", off, o.Offset, o.Err, off)
		}
	}
	lo, err := adm.ListOffsetsAfterMilli(ctx, base.Add(time.Hour).UnixMilli(), topic)
	if err != nil {
		t.Fatal(err)
	}
	if o, _ := lo.Lookup(topic, 0); o.Offset != 1000 { // kadm maps "none" to the end offset
		t.Errorf("offset after all records = %d, want 1000", o.Offset)
	}
	end, err := adm.ListEndOffsets(ctx, topic)
	if err != nil {
		t.Fatal(err)
	}
	if o, _ := end.Lookup(topic, 0); o.Offset != 1000 {
		t.Errorf("end offset %d, want 1000", o.Offset)
	}
}

func checkConfigs(t *testing.T, ctx context.Context, adm *kadm.Client, topic string) {
	if _, err := adm.AlterTopicConfigs(ctx, []kadm.AlterConfig{{Op: kadm.SetConfig, Name: "cleanup.policy", Value: kadm.StringPtr("compact,delete")}}, topic); err != nil {
		t.Fatal(err)
	}
	rcs, err := adm.DescribeTopicConfigs(ctx, topic)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := rcs.On(topic, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"retention.ms": "86400000", "cleanup.policy": "compact,delete"}
	for _, cfg := range rc.Configs {
		if w, ok := want[cfg.Key]; ok {
			if cfg.MaybeValue() != w || cfg.Source.String() != "DYNAMIC_TOPIC_CONFIG" {
				t.Errorf("%s = %q (%s), want %q (DYNAMIC_TOPIC_CONFIG)", cfg.Key, cfg.MaybeValue(), cfg.Source, w)
			}
			delete(want, cfg.Key)
		}
	}
	if len(want) > 0 {
		t.Errorf("configs not described: %v", want)
	}
	resp, err := adm.AlterTopicConfigs(ctx, []kadm.AlterConfig{{Op: kadm.SetConfig, Name: "retention.ms", Value: kadm.StringPtr("soon")}}, topic)
	if err == nil {
		err = resp[0].Err
	}
	if !errors.Is(err, kerr.InvalidConfig) {
		t.Errorf("invalid retention.ms: err %v, want INVALID_CONFIG", err)
	}
}

func checkDeleteRecords(t *testing.T, ctx context.Context, adm *kadm.Client, addr, topic string) {
	os := kadm.Offsets{}
	os.Add(kadm.Offset{Topic: topic, Partition: 0, At: 400})
	res, err := adm.DeleteRecords(ctx, os)
	if err != nil {
		t.Fatal(err)
	}
	if r, _ := res.Lookup(topic, 0); r.Err != nil || r.LowWatermark != 400 {
		t.Fatalf("delete records: low watermark %d, err %v", r.LowWatermark, r.Err)
	}
	start, err := adm.ListStartOffsets(ctx, topic)
	if err != nil {
		t.Fatal(err)
	}
	if o, _ := start.Lookup(topic, 0); o.Offset != 400 {
		t.Errorf("start offset %d after delete records, want 400", o.Offset)
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	fs := cl.PollFetches(ctx)
	if fs.NumRecords() == 0 || fs.Records()[0].Offset != 400 {
		t.Errorf("first consumed offset after delete records is not 400: %d records", fs.NumRecords())
	}
}

func checkDeleteTopic(t *testing.T, ctx context.Context, adm *kadm.Client, topic string) {
	res, err := adm.DeleteTopics(ctx, topic)
	if err != nil || res[topic].Err != nil {
		t.Fatalf("delete topic: %v %v", err, res[topic].Err)
	}
	// List every topic: naming the topic in a Metadata request would
	// auto-create it again, as Kafka does with auto.create.topics.enable.
	tds, err := adm.ListTopics(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if tds.Has(topic) {
		t.Errorf("deleted topic %s still listed", topic)
	}
}
