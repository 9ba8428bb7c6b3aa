package integration

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/gofka/gofka/pkg/gofkatest"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// quotaRate is the rate quota of the rate tests: 1 MiB/s.
const quotaRate = 1 << 20

// rateTiming is how the rate tests measure: with GOFKA_LONG set, as the
// acceptance of issue #15 says, 20 s; otherwise a short form for `make
// test`, 6 s. Both run the broker with quota.window.num=2 (1 s samples):
// with Kafka's default of 11 a saturating client bursts ten windows' worth
// once per 11 s, so a 20 s span can be far off the quota even though the
// long-run rate is on it (internal/quota TestRateSteady).
type rateTiming struct {
	windowNum     string
	warm, measure time.Duration
}

func quotaTiming() rateTiming {
	if os.Getenv("GOFKA_LONG") != "" {
		return rateTiming{windowNum: "2", warm: 4 * time.Second, measure: 20 * time.Second}
	}
	return rateTiming{windowNum: "2", warm: 3 * time.Second, measure: 6 * time.Second}
}

// fastAtLeast is how many times the quota an unthrottled client must reach
// beside a throttled one.
const fastAtLeast = 3

// startQuotaBroker starts a broker with the timing's quota window.
func startQuotaBroker(t *testing.T, tm rateTiming, opts ...gofkatest.Option) *gofkatest.Cluster {
	opts = append(opts, gofkatest.WithConfig("quota.window.num", tm.windowNum),
		gofkatest.WithConfig("quota.window.size.seconds", "1"))
	return gofkatest.Start(t, opts...)
}

// window is the measurement interval of a rate test.
type window struct{ from, to time.Time }

func (tm rateTiming) window() window {
	from := time.Now().Add(tm.warm)
	return window{from: from, to: from.Add(tm.measure)}
}

func (w window) rate(bytes int64) float64 { return float64(bytes) / w.to.Sub(w.from).Seconds() }

// meter counts the bytes that arrive within a window.
type meter struct {
	w     window
	mu    sync.Mutex
	bytes int64
}

func (m *meter) add(n int) {
	now := time.Now()
	if now.Before(m.w.from) || now.After(m.w.to) {
		return
	}
	m.mu.Lock()
	m.bytes += int64(n)
	m.mu.Unlock()
}

func (m *meter) rate() float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.w.rate(m.bytes)
}

// produceFor produces uncompressed 8 KiB records as clientID until the window ends and
// returns the acknowledged payload rate within it.
func produceFor(t *testing.T, addr, topic, clientID string, w window) float64 {
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.ClientID(clientID), kgo.DefaultProduceTopic(topic),
		kgo.ProducerBatchMaxBytes(64<<10), kgo.MaxBufferedRecords(64), kgo.ProducerLinger(0),
		kgo.ProducerBatchCompression(kgo.NoCompression()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithDeadline(context.Background(), w.to)
	defer cancel()
	m := &meter{w: w}
	value := make([]byte, 8<<10) // uncompressed: the quota counts request bytes
	for ctx.Err() == nil {
		cl.Produce(ctx, &kgo.Record{Value: value}, func(r *kgo.Record, err error) {
			if err == nil {
				m.add(len(r.Value))
			}
		})
	}
	return m.rate()
}

// consumeFor consumes topic from the start as clientID, fetching at most
// fetchMax bytes a request, until the window ends or want bytes arrived,
// and returns the rate within the window (or, with want, over the whole
// run).
func consumeFor(t *testing.T, addr, topic, clientID string, fetchMax int32, w window, want int64) float64 {
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.ClientID(clientID), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchMaxBytes(fetchMax), kgo.FetchMaxPartitionBytes(fetchMax))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithDeadline(context.Background(), w.to)
	defer cancel()
	m := &meter{w: w}
	start, total := time.Now(), int64(0)
	for ctx.Err() == nil && (want == 0 || total < want) {
		cl.PollFetches(ctx).EachRecord(func(r *kgo.Record) {
			m.add(len(r.Value))
			total += int64(len(r.Value))
		})
	}
	if want > 0 {
		return float64(total) / time.Since(start).Seconds()
	}
	return m.rate()
}

func within(rate, want, tolerance float64) bool {
	return rate >= want*(1-tolerance) && rate <= want*(1+tolerance)
}

// TestQuotaProduceRate: a producer under a 1 MiB/s producer_byte_rate runs
// at 1 MiB/s ± 10% while an unthrottled producer on the same broker runs
// at full speed.
func TestQuotaProduceRate(t *testing.T) {
	slow, fast := twoProducers(t, "slow-producer", "fast-producer", func(adm *kadm.Client) {
		setQuota(t, adm, quotaEntity("client-id", "slow-producer"), "producer_byte_rate", quotaRate)
	})
	t.Logf("throttled producer %.0f B/s, unthrottled %.0f B/s (quota %d B/s)", slow, fast, quotaRate)
	if !within(slow, quotaRate, 0.10) {
		t.Errorf("throttled producer at %.0f B/s, want %d ± 10%%", slow, quotaRate)
	}
	if fast < fastAtLeast*quotaRate {
		t.Errorf("unthrottled producer at %.0f B/s, want at least %dx the quota", fast, fastAtLeast)
	}
}

// twoProducers starts a broker, sets its quotas, runs two producers with
// the client ids a and b at once, each to a topic of its own, and returns
// their rates.
func twoProducers(t *testing.T, a, b string, quotas func(*kadm.Client)) (rateA, rateB float64) {
	tm := quotaTiming()
	c := startQuotaBroker(t, tm)
	adm := newAdmin(t, c.Addr())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := adm.CreateTopics(ctx, 1, 1, nil, "q-"+a, "q-"+b); err != nil {
		t.Fatal(err)
	}
	quotas(adm)
	w := tm.window()
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); rateA = produceFor(t, c.Addr(), "q-"+a, a, w) }()
	go func() { defer wg.Done(); rateB = produceFor(t, c.Addr(), "q-"+b, b, w) }()
	wg.Wait()
	return rateA, rateB
}

// TestQuotaPrecedence: a client-id default of 256 KiB/s and an override
// for the user (every client is User:ANONYMOUS without SASL) of 1 MiB/s
// combine as Kafka's precedence says: the user quota wins over the
// client-id default, and is one quota shared by all the user's client ids.
func TestQuotaPrecedence(t *testing.T) {
	a, b := twoProducers(t, "app-a", "app-b", func(adm *kadm.Client) {
		setQuota(t, adm, quotaEntity("client-id", ""), "producer_byte_rate", quotaRate/4)
		setQuota(t, adm, quotaEntity("user", "ANONYMOUS"), "producer_byte_rate", quotaRate)
	})
	t.Logf("app-a %.0f B/s + app-b %.0f B/s = %.0f (user quota %d, client-id default %d)", a, b, a+b, quotaRate, quotaRate/4)
	if !within(a+b, quotaRate, 0.10) {
		t.Errorf("the user's producers together at %.0f B/s, want the user quota %d ± 10%%", a+b, quotaRate)
	}
}

// fillTopic produces n bytes of uncompressed 8 KiB records to topic, in
// batches well below a fetch so that fetches are not lumpy.
func fillTopic(t *testing.T, addr, topic string, n int) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.DefaultProduceTopic(topic),
		kgo.ProducerBatchCompression(kgo.NoCompression()), kgo.ProducerBatchMaxBytes(64<<10))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	value := make([]byte, 8<<10)
	for i := 0; i < n/len(value); i++ {
		cl.Produce(ctx, &kgo.Record{Value: value}, func(_ *kgo.Record, err error) {
			if err != nil {
				t.Errorf("fill %s: %v", topic, err)
			}
		})
	}
	if err := cl.Flush(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestQuotaConsumeRate: a consumer under a 1 MiB/s consumer_byte_rate
// reads at 1 MiB/s ± 10% while an unthrottled consumer of the same topic
// on the same broker reads all of it at full speed.
func TestQuotaConsumeRate(t *testing.T) {
	tm := quotaTiming()
	c := startQuotaBroker(t, tm)
	adm := newAdmin(t, c.Addr())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := adm.CreateTopic(ctx, 1, 1, nil, "q-data"); err != nil {
		t.Fatal(err)
	}
	size := int(float64(quotaRate)*(tm.warm+tm.measure).Seconds()*1.5) / (8 << 10) * (8 << 10)
	fillTopic(t, c.Addr(), "q-data", size)
	setQuota(t, adm, quotaEntity("client-id", "slow-consumer"), "consumer_byte_rate", quotaRate)
	w := tm.window()
	var slow, fast float64
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); slow = consumeFor(t, c.Addr(), "q-data", "slow-consumer", 256<<10, w, 0) }()
	go func() {
		defer wg.Done()
		fast = consumeFor(t, c.Addr(), "q-data", "fast-consumer", 256<<10, w, int64(size))
	}()
	wg.Wait()
	t.Logf("throttled consumer %.0f B/s, unthrottled %.0f B/s (quota %d B/s)", slow, fast, quotaRate)
	if !within(slow, quotaRate, 0.10) {
		t.Errorf("throttled consumer at %.0f B/s, want %d ± 10%%", slow, quotaRate)
	}
	if fast < fastAtLeast*quotaRate {
		t.Errorf("unthrottled consumer at %.0f B/s, want at least %dx the quota", fast, fastAtLeast)
	}
}
