package integration

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/IBM/sarama"
	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kgo"
)

// groupReader is one client library's consumer group reading a topic
// while brokers fail; it records every value it was given.
type groupReader struct {
	name string
	mu   sync.Mutex
	seen map[string]bool
}

func (g *groupReader) add(v string) {
	g.mu.Lock()
	if g.seen == nil {
		g.seen = map[string]bool{}
	}
	g.seen[v] = true
	g.mu.Unlock()
}

// missing lists the values of want the group has not been given.
func (g *groupReader) missing(want []string) []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []string
	for _, v := range want {
		if !g.seen[v] {
			out = append(out, v)
		}
	}
	return out
}

// startGroupReaders starts a franz-go, a sarama and a kafka-go consumer
// group on topic; they run until ctx ends and wait returns.
func startGroupReaders(ctx context.Context, addrs []string, topic string) (readers []*groupReader, wait func()) {
	readers = []*groupReader{{name: "franz"}, {name: "sarama"}, {name: "kafkago"}}
	var wg sync.WaitGroup
	wg.Go(func() { franzGroup(ctx, addrs, topic, readers[0]) })
	wg.Go(func() { saramaGroup(ctx, addrs, topic, readers[1]) })
	wg.Go(func() { kafkaGoGroup(ctx, addrs, topic, readers[2]) })
	return readers, wg.Wait
}

func franzGroup(ctx context.Context, addrs []string, topic string, g *groupReader) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(addrs...), kgo.ConsumerGroup("g-"+g.name), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	if err != nil {
		return
	}
	defer cl.Close()
	for ctx.Err() == nil {
		cl.PollFetches(ctx).EachRecord(func(r *kgo.Record) { g.add(string(r.Value)) })
	}
}

type saramaGroupHandler struct{ g *groupReader }

func (saramaGroupHandler) Setup(sarama.ConsumerGroupSession) error   { return nil }
func (saramaGroupHandler) Cleanup(sarama.ConsumerGroupSession) error { return nil }
func (h saramaGroupHandler) ConsumeClaim(s sarama.ConsumerGroupSession, c sarama.ConsumerGroupClaim) error {
	for m := range c.Messages() {
		h.g.add(string(m.Value))
		s.MarkMessage(m, "")
	}
	return nil
}

func saramaGroup(ctx context.Context, addrs []string, topic string, g *groupReader) {
	cfg := saramaConfig()
	cfg.Consumer.Offsets.Initial = sarama.OffsetOldest
	cfg.Consumer.Offsets.AutoCommit.Interval = 100 * time.Millisecond
	cfg.Metadata.Retry.Backoff = 100 * time.Millisecond
	cg, err := sarama.NewConsumerGroup(addrs, "g-"+g.name, cfg)
	if err != nil {
		return
	}
	defer cg.Close()
	for ctx.Err() == nil {
		if err := cg.Consume(ctx, []string{topic}, saramaGroupHandler{g}); err != nil && ctx.Err() == nil {
			time.Sleep(100 * time.Millisecond)
		}
	}
}

func kafkaGoGroup(ctx context.Context, addrs []string, topic string, g *groupReader) {
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: addrs, GroupID: "g-" + g.name, Topic: topic,
		StartOffset: kafka.FirstOffset, CommitInterval: 100 * time.Millisecond, MaxWait: 200 * time.Millisecond,
		IsolationLevel: kafka.ReadCommitted})
	defer r.Close()
	for ctx.Err() == nil {
		m, err := r.ReadMessage(ctx)
		if err != nil {
			time.Sleep(50 * time.Millisecond)
			continue
		}
		g.add(string(m.Value))
	}
}

// txnWriter is a franz-go transactional producer committing transactions
// of ten values while brokers fail; committed holds the values of the
// transactions whose commit succeeded.
type txnWriter struct {
	acked ackedSet
}

func (w *txnWriter) run(ctx context.Context, addrs []string, topic string) {
	newClient := func() *kgo.Client {
		cl, err := kgo.NewClient(kgo.SeedBrokers(addrs...), kgo.TransactionalID("clients-txn"),
			kgo.DefaultProduceTopic(topic), kgo.TransactionTimeout(20*time.Second))
		if err != nil {
			return nil
		}
		return cl
	}
	cl := newClient()
	defer func() {
		if cl != nil {
			cl.Close()
		}
	}()
	for i := 0; ctx.Err() == nil; i++ {
		if cl == nil {
			time.Sleep(100 * time.Millisecond)
			cl = newClient()
			continue
		}
		vals, err := w.transaction(cl, i)
		if err == nil {
			for _, v := range vals {
				w.acked.add(v)
			}
			continue
		}
		// A failed transaction is aborted; a fenced or broken client is
		// replaced (a new one bumps the epoch and aborts what was open).
		abortCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if err := cl.EndTransaction(abortCtx, kgo.TryAbort); err != nil {
			cl.Close()
			cl = nil
		}
		cancel()
	}
}

func (w *txnWriter) transaction(cl *kgo.Client, i int) ([]string, error) {
	if err := cl.BeginTransaction(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	var vals []string
	var rs []*kgo.Record
	for j := range 10 {
		v := fmt.Sprintf("txn-%d-%d", i, j)
		vals = append(vals, v)
		rs = append(rs, &kgo.Record{Value: []byte(v)})
	}
	if err := cl.ProduceSync(ctx, rs...).FirstErr(); err != nil {
		return nil, err
	}
	if err := cl.EndTransaction(ctx, kgo.TryCommit); err != nil {
		return nil, err
	}
	return vals, nil
}
