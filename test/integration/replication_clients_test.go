package integration

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// ackedSet collects the values a producer had acknowledged.
type ackedSet struct {
	mu sync.Mutex
	m  map[string]bool
}

func (a *ackedSet) add(v string) {
	a.mu.Lock()
	if a.m == nil {
		a.m = map[string]bool{}
	}
	a.m[v] = true
	a.mu.Unlock()
}

func (a *ackedSet) values() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make([]string, 0, len(a.m))
	for v := range a.m {
		out = append(out, v)
	}
	return out
}

// clientLoad is one client library producing unique values until stopped.
type clientLoad struct {
	name  string
	acked ackedSet
	run   func(ctx context.Context, addrs []string, topic string, acked *ackedSet)
}

// TestReplicatedClientsThroughBrokerKill: franz-go, sarama and kafka-go
// produce with acks=all to an RF=3, min.insync.replicas=2 topic, a consumer
// group of each reads it, and a franz-go transactional producer commits to
// another topic, while one broker is killed (no clean shutdown; it leads a
// partition and coordinators) and restarted. Every value any producer had
// acknowledged is in the topic afterwards and every group was given it, the
// idempotent franz-go producer wrote none twice, and every committed
// transaction is visible exactly once to read_committed.
func TestReplicatedClientsThroughBrokerKill(t *testing.T) {
	c := startReplicated(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	adm := clusterAdmin(t, c.Addrs()...)
	const topic = "clients-rf3"
	minISR := map[string]*string{"min.insync.replicas": kadm.StringPtr("2")}
	if _, err := adm.CreateTopic(ctx, 3, 3, minISR, topic); err != nil {
		t.Fatal(err)
	}
	if _, err := adm.CreateTopic(ctx, 3, 3, minISR, topic+"-txn"); err != nil {
		t.Fatal(err)
	}
	groupCtx, stopGroups := context.WithCancel(ctx)
	readers, waitGroups := startGroupReaders(groupCtx, c.Addrs(), topic)
	defer func() { stopGroups(); waitGroups() }()
	loads := []*clientLoad{
		{name: "franz", run: franzLoad},
		{name: "sarama", run: saramaLoad},
		{name: "kafkago", run: kafkaGoLoad},
	}
	loadCtx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for _, l := range loads {
		wg.Go(func() { l.run(loadCtx, c.Addrs(), topic, &l.acked) })
	}
	txn := &txnWriter{}
	wg.Go(func() { txn.run(loadCtx, c.Addrs(), topic+"-txn") })
	time.Sleep(time.Second)
	victim := partitionLeaders(t, ctx, adm, topic)[0].Leader
	t.Logf("killing node %d", victim)
	c.Kill(victim)
	waitFor(t, 30*time.Second, fmt.Sprintf("node %d out of every ISR", victim), func() bool {
		for _, p := range partitionLeaders(t, ctx, adm, topic) {
			if slices.Contains(p.ISR, victim) || p.Leader < 0 {
				return false
			}
		}
		return true
	})
	// Every client keeps writing while the node is down.
	before := make([]int, len(loads))
	for i, l := range loads {
		before[i] = len(l.acked.values())
	}
	for i, l := range loads {
		waitFor(t, 30*time.Second, l.name+" writing without the killed node", func() bool {
			return len(l.acked.values()) > before[i]+10
		})
	}
	c.Restart(victim)
	waitFor(t, 60*time.Second, "every partition back to an ISR of 3", func() bool {
		for _, p := range partitionLeaders(t, ctx, adm, topic) {
			if len(p.ISR) != 3 {
				return false
			}
		}
		return true
	})
	time.Sleep(time.Second)
	stop()
	wg.Wait()

	total := 0
	for _, l := range loads {
		n := len(l.acked.values())
		t.Logf("%s: %d values acknowledged", l.name, n)
		if n == 0 {
			t.Fatalf("%s acknowledged nothing", l.name)
		}
		total += n
	}
	end := endOffsets(t, ctx, adm, topic)
	seen := consumeValues(t, ctx, c.Addrs(), topic, int(end))
	for _, l := range loads {
		for _, v := range l.acked.values() {
			if seen[v] == 0 {
				t.Errorf("%s: acknowledged value %s lost", l.name, v)
			}
			if l.name == "franz" && seen[v] > 1 {
				t.Errorf("idempotent producer wrote %s %d times", v, seen[v])
			}
		}
	}
	t.Logf("%d acknowledged, %d records in the topic", total, end)

	var all []string
	for _, l := range loads {
		all = append(all, l.acked.values()...)
	}
	for _, g := range readers {
		waitFor(t, 60*time.Second, "group "+g.name+" given every acknowledged value", func() bool {
			return len(g.missing(all)) == 0
		})
	}

	committed := txn.acked.values()
	if len(committed) == 0 {
		t.Fatal("no transaction committed")
	}
	txnSeen := readUntilSeen(t, ctx, c.Addrs(), topic+"-txn", committed)
	for _, v := range committed {
		if txnSeen[v] != 1 {
			t.Errorf("committed transactional value %s seen %d times", v, txnSeen[v])
		}
	}
	t.Logf("%d transactional values committed, %d visible", len(committed), len(txnSeen))
}

// readUntilSeen reads topic read_committed from the start until every
// value of want was seen and a poll brings nothing more, or a minute
// passes, and returns how often each value was read.
func readUntilSeen(t *testing.T, ctx context.Context, addrs []string, topic string, want []string) map[string]int {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addrs...), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	seen := map[string]int{}
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		fs := cl.PollFetches(pctx)
		cancel()
		fs.EachRecord(func(r *kgo.Record) { seen[string(r.Value)]++ })
		if fs.NumRecords() == 0 && allSeen(seen, want) {
			break
		}
	}
	return seen
}

func allSeen(seen map[string]int, want []string) bool {
	for _, v := range want {
		if seen[v] == 0 {
			return false
		}
	}
	return true
}

// endOffsets sums the topic's high watermarks.
func endOffsets(t *testing.T, ctx context.Context, adm *kadm.Client, topic string) int64 {
	t.Helper()
	offs, err := adm.ListEndOffsets(ctx, topic)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	offs.Each(func(o kadm.ListedOffset) {
		if o.Err != nil {
			t.Fatalf("end offset of %s-%d: %v", o.Topic, o.Partition, o.Err)
		}
		n += o.Offset
	})
	return n
}

func franzLoad(ctx context.Context, addrs []string, topic string, acked *ackedSet) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(addrs...), kgo.DefaultProduceTopic(topic),
		kgo.RecordRetries(1000), kgo.RecordDeliveryTimeout(time.Minute))
	if err != nil {
		return
	}
	defer cl.Close()
	for i := 0; ctx.Err() == nil; i++ {
		v := fmt.Sprintf("franz-%d", i)
		cl.Produce(context.Background(), &kgo.Record{Value: []byte(v)}, func(_ *kgo.Record, err error) {
			if err == nil {
				acked.add(v)
			}
		})
		if i%100 == 99 {
			cl.Flush(context.Background())
		}
	}
	cl.Flush(context.Background())
}

func saramaLoad(ctx context.Context, addrs []string, topic string, acked *ackedSet) {
	cfg := saramaConfig()
	cfg.Producer.RequiredAcks = sarama.WaitForAll
	cfg.Producer.Retry.Max = 100
	cfg.Producer.Retry.Backoff = 100 * time.Millisecond
	cfg.Metadata.Retry.Backoff = 100 * time.Millisecond
	p, err := sarama.NewSyncProducer(addrs, cfg)
	if err != nil {
		return
	}
	defer p.Close()
	for i := 0; ctx.Err() == nil; i++ {
		v := fmt.Sprintf("sarama-%d", i)
		if _, _, err := p.SendMessage(&sarama.ProducerMessage{Topic: topic, Value: sarama.StringEncoder(v)}); err == nil {
			acked.add(v)
		}
	}
}

func kafkaGoLoad(ctx context.Context, addrs []string, topic string, acked *ackedSet) {
	w := &kafka.Writer{Addr: kafka.TCP(addrs...), Topic: topic, RequiredAcks: kafka.RequireAll,
		Balancer: &kafka.RoundRobin{}, BatchTimeout: time.Millisecond, MaxAttempts: 50,
		WriteBackoffMin: 50 * time.Millisecond, WriteBackoffMax: 500 * time.Millisecond}
	defer w.Close()
	for i := 0; ctx.Err() == nil; i += 10 {
		var msgs []kafka.Message
		for j := range 10 {
			msgs = append(msgs, kafka.Message{Value: fmt.Appendf(nil, "kafkago-%d", i+j)})
		}
		if err := w.WriteMessages(context.Background(), msgs...); err == nil {
			for _, m := range msgs {
				acked.add(string(m.Value))
			}
		}
	}
}
