package integration

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/gofka/gofka/pkg/gofkatest"
	"github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/compress"
)

// TestKafkaGoProduceConsume produces 100,000 records with kafka-go's
// Writer across acks settings and every codec, reads them back with one
// Reader per partition, then exercises the admin calls kafka-go has
// (it has no DeleteRecords; franz-go and sarama cover that).
func TestKafkaGoProduceConsume(t *testing.T) {
	c := gofkatest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cl := &kafka.Client{Addr: kafka.TCP(c.Addr()), Timeout: 10 * time.Second}
	const topic, parts = "kafkago-all", 4
	res, err := cl.CreateTopics(ctx, &kafka.CreateTopicsRequest{Topics: []kafka.TopicConfig{{Topic: topic, NumPartitions: parts, ReplicationFactor: 1}}})
	if err != nil || res.Errors[topic] != nil {
		t.Fatalf("create topic: %v %v", err, res.Errors[topic])
	}
	codecs := []compress.Compression{0, kafka.Gzip, kafka.Snappy, kafka.Lz4, kafka.Zstd}
	acks := []kafka.RequiredAcks{kafka.RequireNone, kafka.RequireOne, kafka.RequireAll}
	base := time.Now().Add(-20 * time.Minute).Truncate(time.Millisecond)
	all := makeRecs("kgo", 100_000, base)
	chunks := split(all, len(codecs)*len(acks))
	i := 0
	for _, codec := range codecs {
		for _, a := range acks {
			produceKafkaGo(t, ctx, c.Addr(), topic, chunks[i], codec, a)
			i++
		}
	}
	l := newLedger(all)
	consumeKafkaGo(t, ctx, c.Addr(), topic, parts, l, len(all))
	l.check(t)

	checkKafkaGoOffsets(t, ctx, cl, topic, parts)
	checkKafkaGoConfigs(t, ctx, cl, topic)
	del, err := cl.DeleteTopics(ctx, &kafka.DeleteTopicsRequest{Topics: []string{topic}})
	if err != nil || del.Errors[topic] != nil {
		t.Fatalf("delete topic: %v %v", err, del.Errors[topic])
	}
}

func produceKafkaGo(t *testing.T, ctx context.Context, addr, topic string, rs []rec, codec compress.Compression, acks kafka.RequiredAcks) {
	t.Helper()
	w := &kafka.Writer{
		Addr: kafka.TCP(addr), Topic: topic, Balancer: &kafka.RoundRobin{},
		RequiredAcks: acks, Compression: codec, BatchSize: 500, BatchTimeout: time.Millisecond,
	}
	defer w.Close()
	msgs := make([]kafka.Message, len(rs))
	for i, r := range rs {
		m := kafka.Message{Key: r.key, Value: r.value, Time: r.ts}
		for _, h := range r.headers {
			m.Headers = append(m.Headers, kafka.Header{Key: h.key, Value: h.value})
		}
		msgs[i] = m
	}
	if err := w.WriteMessages(ctx, msgs...); err != nil {
		t.Fatalf("write (codec %v, acks %v): %v", codec, acks, err)
	}
}

func consumeKafkaGo(t *testing.T, ctx context.Context, addr, topic string, parts int, l *ledger, want int) {
	t.Helper()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	for p := 0; p < parts; p++ {
		r := kafka.NewReader(kafka.ReaderConfig{Brokers: []string{addr}, Topic: topic, Partition: p, MaxBytes: 1 << 20, MaxWait: 100 * time.Millisecond})
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer r.Close()
			for {
				m, err := r.ReadMessage(ctx)
				if err != nil {
					return
				}
				out := rec{topic: m.Topic, partition: int32(m.Partition), key: m.Key, value: m.Value, ts: m.Time}
				for _, h := range m.Headers {
					out.headers = append(out.headers, hdr{key: h.Key, value: h.Value})
				}
				l.add(t, out)
			}
		}()
	}
	waitFor(t, 3*time.Minute, "kafka-go readers to consume every record", func() bool { return l.count() >= want || ctx.Err() != nil })
	cancel()
	wg.Wait()
}

func checkKafkaGoOffsets(t *testing.T, ctx context.Context, cl *kafka.Client, topic string, parts int) {
	reqs := make([]kafka.OffsetRequest, 0, parts)
	for p := 0; p < parts; p++ {
		reqs = append(reqs, kafka.FirstOffsetOf(p), kafka.LastOffsetOf(p))
	}
	res, err := cl.ListOffsets(ctx, &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{topic: reqs}})
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	for _, po := range res.Topics[topic] {
		if po.Error != nil {
			t.Fatalf("partition %d: %v", po.Partition, po.Error)
		}
		total += po.LastOffset - po.FirstOffset
	}
	if total != 100_000 {
		t.Errorf("offsets span %d records, want 100000", total)
	}
}

func checkKafkaGoConfigs(t *testing.T, ctx context.Context, cl *kafka.Client, topic string) {
	ar, err := cl.AlterConfigs(ctx, &kafka.AlterConfigsRequest{Resources: []kafka.AlterConfigRequestResource{{
		ResourceType: kafka.ResourceTypeTopic, ResourceName: topic,
		Configs: []kafka.AlterConfigRequestConfig{{Name: "retention.bytes", Value: "1048576000"}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	for r, err := range ar.Errors {
		if err != nil {
			t.Fatalf("alter %v: %v", r, err)
		}
	}
	dr, err := cl.DescribeConfigs(ctx, &kafka.DescribeConfigsRequest{Resources: []kafka.DescribeConfigRequestResource{{
		ResourceType: kafka.ResourceTypeTopic, ResourceName: topic, ConfigNames: []string{"retention.bytes", "segment.bytes"},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, e := range dr.Resources[0].ConfigEntries {
		got[e.ConfigName] = e.ConfigValue
	}
	if got["retention.bytes"] != "1048576000" || got["segment.bytes"] != "1073741824" {
		t.Errorf("described configs %v", got)
	}
}
