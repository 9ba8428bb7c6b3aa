package integration

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gofka/gofka/internal/record"
	"github.com/gofka/gofka/pkg/gofkatest"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/twmb/franz-go/pkg/kversion"
)

// idemBatch builds an idempotent batch of n records starting at seq.
func idemBatch(t *testing.T, pid int64, epoch int16, seq int32, n int, tag string) []byte {
	t.Helper()
	now := time.Now().UnixMilli()
	b := record.NewBuilder(record.CodecNone, 0, now)
	b.SetProducer(pid, epoch, seq)
	for i := 0; i < n; i++ {
		b.Add(record.Record{Offset: int64(i), Timestamp: now, Key: []byte(fmt.Sprintf("%s-%d", tag, int(seq)+i)), Value: []byte("v")})
	}
	out, err := b.Build(nil)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func produceIdem(t *testing.T, ctx context.Context, cl *kgo.Client, topic string, batch []byte) kmsg.ProduceResponseTopicPartition {
	t.Helper()
	req := kmsg.NewPtrProduceRequest()
	req.Acks, req.TimeoutMillis = -1, 5000
	rt := kmsg.NewProduceRequestTopic()
	rt.Topic = topic
	rt.Partitions = []kmsg.ProduceRequestTopicPartition{{Partition: 0, Records: batch}}
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		t.Fatal(err)
	}
	return resp.Topics[0].Partitions[0]
}

// idemProducer creates topic with one partition and returns a client that
// produces by topic name (Produce v12 and below) and a new idempotent
// producer id.
func idemProducer(t *testing.T, ctx context.Context, addr, topic string) (*kgo.Client, int64) {
	t.Helper()
	if _, err := newAdmin(t, addr).CreateTopic(ctx, 1, 1, nil, topic); err != nil {
		t.Fatal(err)
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.MaxVersions(kversion.V3_9_0()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	init, err := kmsg.NewPtrInitProducerIDRequest().RequestWith(ctx, cl)
	if err != nil || init.ErrorCode != 0 {
		t.Fatal(err, init)
	}
	return cl, init.ProducerID
}

// TestIdempotentSequenceRules drives the producer-state checks with raw
// requests: a retried batch (its response lost) gets its original offsets
// and is not appended twice; gaps, stale epochs and unknown producer ids are
// refused with Kafka's errors; a bumped epoch restarts at sequence 0.
func TestIdempotentSequenceRules(t *testing.T) {
	c := gofkatest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	adm := newAdmin(t, c.Addr())
	const topic = "idem-rules"
	cl, pid := idemProducer(t, ctx, c.Addr(), topic)
	steps := []struct {
		name     string
		batch    []byte
		wantErr  *kerr.Error
		wantBase int64
	}{
		{"first", idemBatch(t, pid, 0, 0, 10, "a"), nil, 0},
		{"retry of first", idemBatch(t, pid, 0, 0, 10, "a"), nil, 0},
		{"second", idemBatch(t, pid, 0, 10, 5, "a"), nil, 10},
		{"retry of first again", idemBatch(t, pid, 0, 0, 10, "a"), nil, 0},
		{"gap", idemBatch(t, pid, 0, 20, 1, "a"), kerr.OutOfOrderSequenceNumber, -1},
		{"unknown producer", idemBatch(t, pid+1_000_000, 0, 0, 1, "x"), kerr.UnknownProducerID, -1},
		{"bump needs seq 0", idemBatch(t, pid, 1, 3, 1, "b"), kerr.OutOfOrderSequenceNumber, -1},
		{"bumped epoch", idemBatch(t, pid, 1, 0, 2, "b"), nil, 15},
		{"stale epoch", idemBatch(t, pid, 0, 15, 1, "a"), kerr.InvalidProducerEpoch, -1},
	}
	for _, s := range steps {
		rp := produceIdem(t, ctx, cl, topic, s.batch)
		if err := kerr.ErrorForCode(rp.ErrorCode); !errors.Is(err, errOrNil(s.wantErr)) || (s.wantErr == nil && rp.BaseOffset != s.wantBase) {
			t.Fatalf("%s: base %d err %v, want base %d err %v", s.name, rp.BaseOffset, err, s.wantBase, s.wantErr)
		}
	}
	if n := countKeys(t, ctx, c.Addr(), topic, 17); n != 17 {
		t.Fatalf("log holds %d records, want 17", n)
	}
	dp, err := adm.DescribeProducers(ctx, kadm.TopicsSet{topic: {0: {}}})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	dp.EachProducer(func(ap kadm.DescribedProducer) {
		if ap.ProducerID == pid && ap.ProducerEpoch == 1 && ap.LastSequence == 1 {
			found = true
		}
	})
	if !found {
		t.Fatalf("DescribeProducers does not show producer %d at epoch 1 sequence 1: %+v", pid, dp)
	}
}

func errOrNil(e *kerr.Error) error {
	if e == nil {
		return nil
	}
	return e
}

// countKeys reads a topic from the start and returns how many records it
// holds, failing on a duplicate key.
func countKeys(t *testing.T, ctx context.Context, addr, topic string, want int) int {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	seen := map[string]bool{}
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	for len(seen) < want {
		fs := cl.PollFetches(pctx)
		if pctx.Err() != nil {
			break
		}
		fs.EachRecord(func(r *kgo.Record) {
			if seen[string(r.Key)] {
				t.Errorf("duplicate record %s at offset %d", r.Key, r.Offset)
			}
			seen[string(r.Key)] = true
		})
	}
	return len(seen)
}

// dropConn closes its connection right after writing a produce request
// when told to, so the broker handles the request but the client never
// sees the response and retries it.
type dropConn struct {
	net.Conn
	drop func() bool
}

func (c *dropConn) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	if err == nil && len(b) >= 6 && binary.BigEndian.Uint16(b[4:]) == 0 && c.drop() {
		time.Sleep(5 * time.Millisecond) // let the broker read it
		c.Conn.Close()
	}
	return n, err
}

// TestIdempotentRetriesNoDuplicates produces with franz-go's idempotent
// producer (its default) through connections that lose a third of the
// produce responses; every record must be in the log exactly once, in the
// order produced per key prefix.
func TestIdempotentRetriesNoDuplicates(t *testing.T) {
	c := gofkatest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	adm := newAdmin(t, c.Addr())
	const topic, parts, total = "idem-retries", 3, 3000
	if _, err := adm.CreateTopic(ctx, parts, 1, nil, topic); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	rng := rand.New(rand.NewPCG(7, 7))
	var dropped atomic.Int64
	drop := func() bool {
		mu.Lock()
		defer mu.Unlock()
		if rng.IntN(3) == 0 {
			dropped.Add(1)
			return true
		}
		return false
	}
	d := &net.Dialer{Timeout: 5 * time.Second}
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.Addr()), kgo.ProducerLinger(time.Millisecond),
		kgo.MaxBufferedRecords(200), kgo.RecordRetries(1000), kgo.RequestRetries(1000),
		kgo.Dialer(func(ctx context.Context, network, host string) (net.Conn, error) {
			conn, err := d.DialContext(ctx, network, host)
			if err != nil {
				return nil, err
			}
			return &dropConn{Conn: conn, drop: drop}, nil
		}))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	var wg sync.WaitGroup
	var failed atomic.Value
	for i := 0; i < total; i++ {
		wg.Add(1)
		cl.Produce(ctx, &kgo.Record{Topic: topic, Key: []byte(fmt.Sprintf("k-%05d", i)), Value: []byte("v")}, func(_ *kgo.Record, err error) {
			if err != nil {
				failed.Store(err)
			}
			wg.Done()
		})
	}
	wg.Wait()
	if err, _ := failed.Load().(error); err != nil {
		t.Fatalf("produce: %v", err)
	}
	if dropped.Load() == 0 {
		t.Fatal("no response was dropped; the test proves nothing")
	}
	if n := countKeys(t, ctx, c.Addr(), topic, total); n != total {
		t.Fatalf("log holds %d distinct records, want %d", n, total)
	}
	t.Logf("%d produce responses dropped", dropped.Load())
}

// TestProducerIDExpiration: once producer.id.expiration.ms (set here
// dynamically, cluster-wide) passes without a write, an idempotent
// producer leaves the partition's state and DescribeProducers, and may
// then go on at its next sequence (an unknown producer, as in Kafka since
// KIP-360); a producer with an open transaction stays until the
// transaction ends.
func TestProducerIDExpiration(t *testing.T) {
	c := gofkatest.Start(t, gofkatest.WithConfig("producer.id.expiration.check.interval.ms", "50"))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	adm := newAdmin(t, c.Addr())
	const topic = "pid-expiry"
	cl, pid := idemProducer(t, ctx, c.Addr(), topic)
	if rp := produceIdem(t, ctx, cl, topic, idemBatch(t, pid, 0, 0, 3, "a")); rp.ErrorCode != 0 {
		t.Fatalf("first batch: %v", kerr.ErrorForCode(rp.ErrorCode))
	}
	txc, err := kgo.NewClient(kgo.SeedBrokers(c.Addr()), kgo.TransactionalID("pid-expiry-txn"), kgo.DefaultProduceTopic(topic))
	if err != nil {
		t.Fatal(err)
	}
	defer txc.Close()
	if err := txc.BeginTransaction(); err != nil {
		t.Fatal(err)
	}
	if err := txc.ProduceSync(ctx, &kgo.Record{Value: []byte("in txn")}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	producers := func() map[int64]kadm.DescribedProducer {
		dp, err := adm.DescribeProducers(ctx, kadm.TopicsSet{topic: {0: {}}})
		if err != nil {
			t.Fatal(err)
		}
		out := map[int64]kadm.DescribedProducer{}
		dp.EachProducer(func(p kadm.DescribedProducer) { out[p.ProducerID] = p })
		return out
	}
	before := producers()
	var txnPID int64 = -1
	for id, p := range before {
		if p.CurrentTxnStartOffset >= 0 {
			txnPID = id
		}
	}
	if _, ok := before[pid]; !ok || txnPID < 0 || len(before) != 2 {
		t.Fatalf("before expiry: %+v", before)
	}

	set := func(v string) {
		t.Helper()
		rs, err := adm.AlterBrokerConfigs(ctx, []kadm.AlterConfig{{Name: "producer.id.expiration.ms", Value: &v}})
		if err == nil {
			err = rs[0].Err
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	set("200")
	waitFor(t, 10*time.Second, "the idle producer to expire", func() bool {
		_, ok := producers()[pid]
		return !ok
	})
	if _, ok := producers()[txnPID]; !ok {
		t.Fatal("the producer with an open transaction expired")
	}
	if rp := produceIdem(t, ctx, cl, topic, idemBatch(t, pid, 0, 3, 2, "a")); rp.ErrorCode != 0 {
		t.Fatalf("next sequence after expiry: %v", kerr.ErrorForCode(rp.ErrorCode))
	}
	if err := txc.EndTransaction(ctx, kgo.TryCommit); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "the committed producer to expire", func() bool {
		_, ok := producers()[txnPID]
		return !ok
	})
	if n := countKeys(t, ctx, c.Addr(), topic, 6); n != 6 { // five keyed records and the committed one
		t.Fatalf("log holds %d records, want 6", n)
	}
}

// TestProducerIDExpiresAtLoad: producer state read back at start (the
// clean-shutdown snapshot) drops producers idle past
// producer.id.expiration.ms, and keeps them under the default.
func TestProducerIDExpiresAtLoad(t *testing.T) {
	dir := t.TempDir()
	c := gofkatest.Start(t, gofkatest.WithDir(dir))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	const topic = "pid-expiry-load"
	cl, pid := idemProducer(t, ctx, c.Addr(), topic)
	if rp := produceIdem(t, ctx, cl, topic, idemBatch(t, pid, 0, 0, 2, "a")); rp.ErrorCode != 0 {
		t.Fatalf("produce: %v", kerr.ErrorForCode(rp.ErrorCode))
	}
	known := func(c *gofkatest.Cluster) bool {
		dp, err := newAdmin(t, c.Addr()).DescribeProducers(ctx, kadm.TopicsSet{topic: {0: {}}})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		dp.EachProducer(func(p kadm.DescribedProducer) { found = found || p.ProducerID == pid })
		return found
	}
	for _, step := range []struct {
		expirationMs string
		want         bool
	}{{"86400000", true}, {"1", false}} {
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond) // past a 1 ms expiration
		c = gofkatest.Start(t, gofkatest.WithDir(dir), gofkatest.WithConfig("producer.id.expiration.ms", step.expirationMs))
		if got := known(c); got != step.want {
			t.Fatalf("producer.id.expiration.ms=%s: producer known after restart %v, want %v", step.expirationMs, got, step.want)
		}
	}
}
