package interop

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/gofka/gofka/pkg/gofkatest"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// quotaRate is 1 MiB/s, the quota of the librdkafka rate tests.
const quotaRate = 1 << 20

// quotaSpan is the warm-up and the measured span: 20 s with GOFKA_LONG
// set, as issue #15's acceptance says, 6 s otherwise. The broker samples
// rates in 2 windows of 1 s (see docs/operations.md#quotas on why).
func quotaSpan() (warm, measure int) {
	if os.Getenv("GOFKA_LONG") != "" {
		return 4, 20
	}
	return 3, 6
}

// rateOf sums a driver's 100ms buckets over [warm, warm+measure) seconds.
func rateOf(t *testing.T, row map[string]any, warm, measure int) float64 {
	t.Helper()
	buckets, ok := row["buckets"].([]any)
	if !ok || len(buckets) < (warm+measure)*10 {
		t.Fatalf("driver output %v", row)
	}
	sum := 0.0
	for _, b := range buckets[warm*10 : (warm+measure)*10] {
		sum += b.(float64)
	}
	return sum / float64(measure)
}

func setClientQuota(t *testing.T, addr, clientID, key string) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	name := clientID
	res, err := kadm.NewClient(cl).AlterClientQuotas(context.Background(), []kadm.AlterClientQuotaEntry{{
		Entity: kadm.ClientQuotaEntity{{Type: "client-id", Name: &name}},
		Ops:    []kadm.AlterClientQuotaOp{{Key: key, Value: quotaRate}},
	}})
	if err != nil || res[0].Err != nil {
		t.Fatalf("set quota: %v %+v", err, res)
	}
}

// TestLibrdkafkaQuotas: librdkafka (confluent-kafka-python) producers and
// consumers under a 1 MiB/s quota are measured at 1 MiB/s ± 10%, honouring
// the throttle time of the responses as Kafka clients do.
func TestLibrdkafkaQuotas(t *testing.T) {
	c := gofkatest.Start(t, gofkatest.WithConfig("quota.window.num", "2"))
	py := clients[0]
	warm, measure := quotaSpan()
	t.Run("produce", func(t *testing.T) {
		results.record(t, py.name, "quota")
		createTopic(t, c.Addr(), "librdkafka-quota-produce")
		setClientQuota(t, c.Addr(), "librdkafka-quota-produce", "producer_byte_rate")
		rows := py.run(t, "quota_produce", c.Addr(), "librdkafka-quota-produce", warm+measure)
		checkRate(t, "producer", rateOf(t, rows[0], warm, measure))
	})
	t.Run("consume", func(t *testing.T) {
		results.record(t, py.name, "quota")
		createTopic(t, c.Addr(), "librdkafka-quota-consume")
		fillQuotaTopic(t, c.Addr(), "librdkafka-quota-consume", int(float64((warm+measure)*quotaRate)*1.5))
		setClientQuota(t, c.Addr(), "librdkafka-quota-consume", "consumer_byte_rate")
		rows := py.run(t, "quota_consume", c.Addr(), "librdkafka-quota-consume", warm+measure)
		checkRate(t, "consumer", rateOf(t, rows[0], warm, measure))
	})
}

func checkRate(t *testing.T, what string, rate float64) {
	t.Helper()
	t.Logf("librdkafka %s under a %d B/s quota: %.0f B/s", what, quotaRate, rate)
	if rate < 0.9*quotaRate || rate > 1.1*quotaRate {
		t.Errorf("librdkafka %s at %.0f B/s, want %d ± 10%%", what, rate, quotaRate)
	}
}

// fillQuotaTopic produces n bytes of uncompressed 8 KiB records with
// franz-go, in 64 KiB batches.
func fillQuotaTopic(t *testing.T, addr, topic string, n int) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.DefaultProduceTopic(topic),
		kgo.ProducerBatchCompression(kgo.NoCompression()), kgo.ProducerBatchMaxBytes(64<<10))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	value := make([]byte, 8<<10)
	for range n / len(value) {
		cl.Produce(ctx, &kgo.Record{Value: value}, nil)
	}
	if err := cl.Flush(ctx); err != nil {
		t.Fatal(err)
	}
}
