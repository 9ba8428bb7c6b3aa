package integration

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/gofka/gofka/pkg/gofkatest"
	"github.com/segmentio/kafka-go"
)

// saramaHandler counts the records of its claims and marks them.
type saramaHandler struct {
	mu   *sync.Mutex
	seen map[string]int
}

func (saramaHandler) Setup(sarama.ConsumerGroupSession) error   { return nil }
func (saramaHandler) Cleanup(sarama.ConsumerGroupSession) error { return nil }
func (h saramaHandler) ConsumeClaim(s sarama.ConsumerGroupSession, c sarama.ConsumerGroupClaim) error {
	for m := range c.Messages() {
		h.mu.Lock()
		h.seen[string(m.Key)]++
		h.mu.Unlock()
		s.MarkMessage(m, "")
	}
	return nil
}

func startSaramaMember(t *testing.T, addr, groupID, topic string, h saramaHandler) (stop func()) {
	t.Helper()
	cfg := saramaConfig()
	cfg.Consumer.Offsets.Initial = sarama.OffsetOldest
	cfg.Consumer.Group.Session.Timeout = 1500 * time.Millisecond
	cfg.Consumer.Group.Heartbeat.Interval = 200 * time.Millisecond
	cfg.Consumer.Offsets.AutoCommit.Interval = 100 * time.Millisecond
	cg, err := sarama.NewConsumerGroup([]string{addr}, groupID, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			if err := cg.Consume(ctx, []string{topic}, h); err != nil && ctx.Err() == nil {
				time.Sleep(50 * time.Millisecond)
			}
		}
	}()
	return func() { cancel(); <-done; cg.Close() }
}

// TestSaramaConsumerGroup runs two sarama group members: the partitions
// are split between them, every record is read once, and after one
// leaves the other owns everything. A second group generation resumes
// from the committed offsets.
func TestSaramaConsumerGroup(t *testing.T) {
	c := gofkatest.Start(t, groupOpts()...)
	adm := newAdmin(t, c.Addr())
	if _, err := adm.CreateTopic(ctxT(t, time.Minute), 4, 1, nil, "s"); err != nil {
		t.Fatal(err)
	}
	produceN(t, c.Addr(), "s", 0, 40)
	h := saramaHandler{mu: &sync.Mutex{}, seen: map[string]int{}}
	stopA := startSaramaMember(t, c.Addr(), "sg", "s", h)
	stopB := startSaramaMember(t, c.Addr(), "sg", "s", h)
	waitBalanced(t, adm, "sg", "s", 4, 2, 20*time.Second)
	waitFor(t, 20*time.Second, "40 records", func() bool { h.mu.Lock(); defer h.mu.Unlock(); return len(h.seen) == 40 })
	stopB()
	waitBalanced(t, adm, "sg", "s", 4, 1, 10*time.Second)
	stopA()
	produceN(t, c.Addr(), "s", 40, 20)
	stopC := startSaramaMember(t, c.Addr(), "sg", "s", h)
	defer stopC()
	waitFor(t, 20*time.Second, "60 records", func() bool { h.mu.Lock(); defer h.mu.Unlock(); return len(h.seen) == 60 })
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, k := range sortedKeys(h.seen) {
		if h.seen[k] != 1 {
			t.Errorf("record %s consumed %d times", k, h.seen[k])
		}
	}
}

// TestKafkaGoReaderGroup reads with two kafka-go group readers and
// commits: each record is read once, and a new reader resumes after the
// commits.
func TestKafkaGoReaderGroup(t *testing.T) {
	c := gofkatest.Start(t, groupOpts()...)
	adm := newAdmin(t, c.Addr())
	if _, err := adm.CreateTopic(ctxT(t, time.Minute), 4, 1, nil, "k"); err != nil {
		t.Fatal(err)
	}
	produceN(t, c.Addr(), "k", 0, 40)
	var mu sync.Mutex
	seen := map[string]int{}
	newReader := func() *kafka.Reader {
		return kafka.NewReader(kafka.ReaderConfig{
			Brokers: []string{c.Addr()}, GroupID: "kg", Topic: "k", MaxWait: 100 * time.Millisecond,
			SessionTimeout: 1500 * time.Millisecond, HeartbeatInterval: 200 * time.Millisecond,
			RebalanceTimeout: 3 * time.Second, StartOffset: kafka.FirstOffset, JoinGroupBackoff: 100 * time.Millisecond,
		})
	}
	read := func(r *kafka.Reader, ctx context.Context) {
		for {
			m, err := r.FetchMessage(ctx)
			if err != nil {
				return
			}
			mu.Lock()
			seen[string(m.Key)]++
			mu.Unlock()
			if err := r.CommitMessages(ctx, m); err != nil {
				return
			}
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	r1, r2 := newReader(), newReader()
	var wg sync.WaitGroup
	for _, r := range []*kafka.Reader{r1, r2} {
		wg.Add(1)
		go func() { defer wg.Done(); read(r, ctx) }()
	}
	waitBalanced(t, adm, "kg", "k", 4, 2, 20*time.Second)
	waitFor(t, 20*time.Second, "40 records", func() bool { mu.Lock(); defer mu.Unlock(); return len(seen) == 40 })
	cancel()
	wg.Wait()
	r1.Close()
	r2.Close()
	produceN(t, c.Addr(), "k", 40, 20)
	r3 := newReader()
	ctx3, cancel3 := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); read(r3, ctx3) }()
	waitFor(t, 20*time.Second, "60 records", func() bool { mu.Lock(); defer mu.Unlock(); return len(seen) == 60 })
	cancel3()
	<-done
	r3.Close()
	mu.Lock()
	defer mu.Unlock()
	for _, k := range sortedKeys(seen) {
		if seen[k] != 1 {
			t.Errorf("record %s consumed %d times", k, seen[k])
		}
	}
}
