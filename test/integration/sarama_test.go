package integration

import (
	"context"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/gofka/gofka/pkg/gofkatest"
)

func saramaConfig() *sarama.Config {
	cfg := sarama.NewConfig()
	cfg.Version = sarama.V3_6_0_0
	cfg.ClientID = "gofka-sarama-test"
	cfg.Producer.Return.Successes = true
	cfg.Producer.Flush.Messages = 500
	cfg.Producer.Flush.Frequency = time.Millisecond
	cfg.Consumer.Return.Errors = true
	return cfg
}

// TestSaramaProduceConsume produces 100,000 records with sarama's sync
// producer across acks settings and codecs, consumes every partition back,
// then covers sarama's admin: offsets by time, configs, delete records
// and delete topic.
func TestSaramaProduceConsume(t *testing.T) {
	c := gofkatest.Start(t)
	addrs := []string{c.Addr()}
	adm, err := sarama.NewClusterAdmin(addrs, saramaConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer adm.Close()
	const topic, parts = "sarama-all", 3
	if err := adm.CreateTopic(topic, &sarama.TopicDetail{NumPartitions: parts, ReplicationFactor: 1}, false); err != nil {
		t.Fatal(err)
	}
	codecs := []sarama.CompressionCodec{sarama.CompressionNone, sarama.CompressionGZIP, sarama.CompressionSnappy, sarama.CompressionLZ4, sarama.CompressionZSTD}
	acks := []sarama.RequiredAcks{sarama.NoResponse, sarama.WaitForLocal, sarama.WaitForAll}
	base := time.Now().Add(-15 * time.Minute).Truncate(time.Millisecond)
	all := makeRecs("sarama", 100_000, base)
	chunks := split(all, len(codecs)*len(acks))
	i := 0
	for _, codec := range codecs {
		for _, a := range acks {
			produceSarama(t, addrs, topic, chunks[i], codec, a)
			i++
		}
	}
	l := newLedger(all)
	consumeSarama(t, addrs, topic, parts, l, len(all))
	l.check(t)

	checkSaramaAdmin(t, addrs, adm, topic, base)
}

func produceSarama(t *testing.T, addrs []string, topic string, rs []rec, codec sarama.CompressionCodec, acks sarama.RequiredAcks) {
	t.Helper()
	cfg := saramaConfig()
	cfg.Producer.Compression = codec
	cfg.Producer.RequiredAcks = acks
	p, err := sarama.NewSyncProducer(addrs, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	msgs := make([]*sarama.ProducerMessage, len(rs))
	for i, r := range rs {
		m := &sarama.ProducerMessage{Topic: topic, Key: sarama.ByteEncoder(r.key), Value: sarama.ByteEncoder(r.value), Timestamp: r.ts}
		for _, h := range r.headers {
			m.Headers = append(m.Headers, sarama.RecordHeader{Key: []byte(h.key), Value: h.value})
		}
		msgs[i] = m
	}
	if err := p.SendMessages(msgs); err != nil {
		t.Fatalf("send (codec %v, acks %v): %v", codec, acks, err)
	}
}

func consumeSarama(t *testing.T, addrs []string, topic string, parts int32, l *ledger, want int) {
	t.Helper()
	cons, err := sarama.NewConsumer(addrs, saramaConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer cons.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	msgs := make(chan *sarama.ConsumerMessage, 1024)
	for p := int32(0); p < parts; p++ {
		pc, err := cons.ConsumePartition(topic, p, sarama.OffsetOldest)
		if err != nil {
			t.Fatal(err)
		}
		defer pc.Close()
		go func() {
			for m := range pc.Messages() {
				select {
				case msgs <- m:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	for l.count() < want {
		select {
		case m := <-msgs:
			out := rec{topic: m.Topic, partition: m.Partition, key: m.Key, value: m.Value, ts: m.Timestamp}
			for _, h := range m.Headers {
				out.headers = append(out.headers, hdr{key: string(h.Key), value: h.Value})
			}
			l.add(t, out)
		case <-ctx.Done():
			t.Fatalf("consumed %d of %d", l.count(), want)
		}
	}
}

func checkSaramaAdmin(t *testing.T, addrs []string, adm sarama.ClusterAdmin, topic string, base time.Time) {
	client, err := sarama.NewClient(addrs, saramaConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	// The first record at or after base is the first one produced to partition 0.
	off, err := client.GetOffset(topic, 0, base.UnixMilli())
	if err != nil || off != 0 {
		t.Errorf("offset at base time = %d, %v; want 0", off, err)
	}
	if off, err = client.GetOffset(topic, 0, base.Add(time.Hour).UnixMilli()); err != nil || off != -1 {
		t.Errorf("offset after every record = %d, %v; want -1", off, err)
	}
	v := "3600000"
	if err := adm.AlterConfig(sarama.TopicResource, topic, map[string]*string{"retention.ms": &v}, false); err != nil {
		t.Fatal(err)
	}
	//lint:ignore SA1019 the single-resource call is the one most sarama users have
	entries, err := adm.DescribeConfig(sarama.ConfigResource{Type: sarama.TopicResource, Name: topic, ConfigNames: []string{"retention.ms"}})
	if err != nil || len(entries) != 1 || entries[0].Value != v || entries[0].Source != sarama.SourceTopic {
		t.Errorf("describe retention.ms: %+v, %v", entries, err)
	}
	if err := adm.DeleteRecords(topic, map[int32]int64{0: 10}); err != nil {
		t.Fatal(err)
	}
	if first, err := client.GetOffset(topic, 0, sarama.OffsetOldest); err != nil || first != 10 {
		t.Errorf("oldest offset after delete records = %d, %v; want 10", first, err)
	}
	if err := adm.DeleteTopic(topic); err != nil {
		t.Fatal(err)
	}
}
