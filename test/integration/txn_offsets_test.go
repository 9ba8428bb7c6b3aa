package integration

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gofka/gofka/pkg/gofkatest"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// TestFranzGroupTransactSession moves records from an input to an output
// topic with two kgo.GroupTransactSession members (consume, produce and
// commit the consumed offsets in one transaction); a read_committed reader
// finds every input record exactly once in the output.
func TestFranzGroupTransactSession(t *testing.T) {
	c := startTxnCluster(t, groupOpts()...)
	ctx := ctxT(t, 2*time.Minute)
	adm := newAdmin(t, c.Addr())
	const in, out, n = "eos-in", "eos-out", 600
	if _, err := adm.CreateTopic(ctx, 3, 1, nil, in); err != nil {
		t.Fatal(err)
	}
	if _, err := adm.CreateTopic(ctx, 3, 1, nil, out); err != nil {
		t.Fatal(err)
	}
	produceN(t, c.Addr(), in, 0, n)
	var moved atomic.Int64
	var wg sync.WaitGroup
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := transform(ctx, c.Addr(), fmt.Sprintf("eos-%d", i), in, out, &moved, n); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	got := readKeys(t, ctx, c.Addr(), out)
	checkExactlyOnce(t, got, n)
	offs, err := adm.FetchOffsets(ctx, "eos-group")
	if err != nil {
		t.Fatal(err)
	}
	var sum int64
	offs.Each(func(o kadm.OffsetResponse) { sum += o.At })
	if sum != n {
		t.Fatalf("group committed offsets sum to %d, want %d", sum, n)
	}
}

// transform runs one GroupTransactSession until moved reaches total.
func transform(ctx context.Context, addr, txnID, in, out string, moved *atomic.Int64, total int64) error {
	sess, err := kgo.NewGroupTransactSession(kgo.SeedBrokers(addr), kgo.TransactionalID(txnID),
		kgo.ConsumerGroup("eos-group"), kgo.ConsumeTopics(in), kgo.FetchIsolationLevel(kgo.ReadCommitted()),
		kgo.DefaultProduceTopic(out), kgo.FetchMaxWait(200*time.Millisecond),
		kgo.SessionTimeout(3*time.Second), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		return err
	}
	defer sess.Close()
	for moved.Load() < total {
		if ctx.Err() != nil {
			return fmt.Errorf("%s: moved %d of %d: %w", txnID, moved.Load(), total, ctx.Err())
		}
		pctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
		fs := sess.PollFetches(pctx)
		cancel()
		if fs.NumRecords() == 0 {
			continue
		}
		if err := sess.Begin(); err != nil {
			return err
		}
		fs.EachRecord(func(r *kgo.Record) {
			sess.Produce(ctx, &kgo.Record{Key: r.Key, Value: r.Value}, nil)
		})
		committed, err := sess.End(ctx, kgo.TryCommit)
		if err != nil {
			return fmt.Errorf("%s: end: %w", txnID, err)
		}
		if committed {
			moved.Add(int64(fs.NumRecords()))
		}
	}
	return nil
}

// readKeys reads a topic read_committed until a quiet period and counts
// the keys.
func readKeys(t *testing.T, ctx context.Context, addr, topic string) map[string]int {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.ConsumeTopics(topic), kgo.FetchIsolationLevel(kgo.ReadCommitted()),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchMaxWait(200*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	got := map[string]int{}
	for {
		pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		fs := cl.PollFetches(pctx)
		cancel()
		if ctx.Err() != nil {
			t.Fatalf("read %s: %v", topic, ctx.Err())
		}
		if fs.NumRecords() == 0 {
			return got
		}
		fs.EachRecord(func(r *kgo.Record) { got[string(r.Key)]++ })
	}
}

// checkExactlyOnce wants keys key-0 .. key-(n-1), each once.
func checkExactlyOnce(t *testing.T, got map[string]int, n int) {
	t.Helper()
	missing := 0
	for i := range n {
		k := fmt.Sprintf("key-%d", i)
		switch got[k] {
		case 0:
			missing++
		case 1:
		default:
			t.Errorf("%s in the output %d times", k, got[k])
		}
	}
	if missing > 0 || len(got) != n {
		t.Fatalf("%d of %d input records missing, %d distinct keys in the output", missing, n, len(got))
	}
}

// txnReq is one transactional producer speaking the raw protocol.
type txnReq struct {
	t     *testing.T
	cl    *kgo.Client
	id    string
	pid   int64
	epoch int16
	topic [16]byte // the id of the topic committed (v6 names topics by id)
}

func (p *txnReq) ctx() context.Context { return ctxT(p.t, 20*time.Second) }

func (p *txnReq) init() {
	r := kmsg.NewPtrInitProducerIDRequest()
	r.TransactionalID, r.TransactionTimeoutMillis = &p.id, 60_000
	resp, err := r.RequestWith(p.ctx(), p.cl)
	if err == nil {
		err = kerr.ErrorForCode(resp.ErrorCode)
	}
	if err != nil {
		p.t.Fatalf("init producer id: %v", err)
	}
	p.pid, p.epoch = resp.ProducerID, resp.ProducerEpoch
}

// commitOffset adds the group to the transaction and commits one offset
// of topic partition 0 in it.
func (p *txnReq) commitOffset(groupID, topic string, offset int64) {
	p.addOffsets(groupID)
	if err := p.txnOffsetCommit(groupID, topic, offset); err != nil {
		p.t.Fatalf("txn offset commit: %v", err)
	}
}

func (p *txnReq) addOffsets(groupID string) {
	add := kmsg.NewPtrAddOffsetsToTxnRequest()
	add.TransactionalID, add.ProducerID, add.ProducerEpoch, add.Group = p.id, p.pid, p.epoch, groupID
	ar, err := add.RequestWith(p.ctx(), p.cl)
	if err == nil {
		err = kerr.ErrorForCode(ar.ErrorCode)
	}
	if err != nil {
		p.t.Fatalf("add offsets: %v", err)
	}
}

func (p *txnReq) txnOffsetCommit(groupID, topic string, offset int64) error {
	r := kmsg.NewPtrTxnOffsetCommitRequest()
	r.TransactionalID, r.Group, r.ProducerID, r.ProducerEpoch = p.id, groupID, p.pid, p.epoch
	rt := kmsg.NewTxnOffsetCommitRequestTopic()
	rt.Topic, rt.TopicID = topic, p.topic
	rt.Partitions = []kmsg.TxnOffsetCommitRequestTopicPartition{{Partition: 0, Offset: offset, LeaderEpoch: -1}}
	r.Topics = append(r.Topics, rt)
	resp, err := r.RequestWith(p.ctx(), p.cl)
	if err == nil {
		err = kerr.ErrorForCode(resp.Topics[0].Partitions[0].ErrorCode)
	}
	return err
}

func (p *txnReq) end(commit bool) {
	r := kmsg.NewPtrEndTxnRequest()
	r.TransactionalID, r.ProducerID, r.ProducerEpoch, r.Commit = p.id, p.pid, p.epoch, commit
	resp, err := r.RequestWith(p.ctx(), p.cl)
	if err == nil {
		err = kerr.ErrorForCode(resp.ErrorCode)
	}
	if err != nil {
		p.t.Fatalf("end txn (commit %v): %v", commit, err)
	}
	if r.Version >= 5 {
		p.pid, p.epoch = resp.ProducerID, resp.ProducerEpoch
	}
}

// fetchOffset answers OffsetFetch v8 for partition 0, stable or not.
func fetchOffset(t *testing.T, cl *kgo.Client, groupID, topic string, stable bool) (int64, error) {
	r := kmsg.NewPtrOffsetFetchRequest()
	r.RequireStable = stable
	r.Groups = []kmsg.OffsetFetchRequestGroup{{Group: groupID, Topics: []kmsg.OffsetFetchRequestGroupTopic{{Topic: topic, Partitions: []int32{0}}}}}
	resp, err := r.RequestWith(ctxT(t, 20*time.Second), cl)
	if err != nil {
		t.Fatal(err)
	}
	g := resp.Groups[0]
	if g.ErrorCode != 0 {
		return -1, kerr.ErrorForCode(g.ErrorCode)
	}
	p := g.Topics[0].Partitions[0]
	return p.Offset, kerr.ErrorForCode(p.ErrorCode)
}

// TestTxnOffsetsVisibility: offsets of an aborted transaction are never
// visible, those of a committed one are, both before and after a restart;
// an open transaction's offsets make a stable fetch answer
// UNSTABLE_OFFSET_COMMIT, across the restart too, until it commits.
func TestTxnOffsetsVisibility(t *testing.T) {
	dir := t.TempDir()
	opts := []gofkatest.Option{gofkatest.WithDir(dir), gofkatest.WithConfig("offsets.topic.num.partitions", "4"),
		gofkatest.WithConfig("transaction.state.log.num.partitions", "4")}
	c, err := gofkatest.StartE(dir, opts...)
	if err != nil {
		t.Fatal(err)
	}
	adm := newAdmin(t, c.Addr())
	ct, err := adm.CreateTopic(ctxT(t, time.Minute), 1, 1, nil, "vis")
	if err != nil {
		t.Fatal(err)
	}
	cl := newClient(t, c.Addr())
	p := &txnReq{t: t, cl: cl, id: "vis-txn", topic: ct.ID}
	p.init()
	p.commitOffset("vis-g", "vis", 5)
	if _, err := fetchOffset(t, cl, "vis-g", "vis", true); err != kerr.UnstableOffsetCommit {
		t.Fatalf("stable fetch during the transaction: %v", err)
	}
	p.end(false)
	if off, err := fetchOffset(t, cl, "vis-g", "vis", true); err != nil || off != -1 {
		t.Fatalf("after abort: %d %v", off, err)
	}
	p.commitOffset("vis-g", "vis", 7)
	p.end(true)
	if off, err := fetchOffset(t, cl, "vis-g", "vis", true); err != nil || off != 7 {
		t.Fatalf("after commit: %d %v", off, err)
	}
	p.commitOffset("vis-g", "vis", 9) // left open across the restart
	p.commitOffset("vis-g2", "vis", 3)
	cl.Close()
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	c, err = gofkatest.StartE(dir, opts...)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	cl = newClient(t, c.Addr())
	p.cl = cl
	if off, err := fetchOffset(t, cl, "vis-g", "vis", false); err != nil || off != 7 {
		t.Fatalf("after restart: %d %v", off, err)
	}
	if _, err := fetchOffset(t, cl, "vis-g", "vis", true); err != kerr.UnstableOffsetCommit {
		t.Fatalf("stable fetch of the open transaction after restart: %v", err)
	}
	p.end(true)
	if off, err := fetchOffset(t, cl, "vis-g", "vis", true); err != nil || off != 9 {
		t.Fatalf("open transaction committed after restart: %d %v", off, err)
	}
	if off, err := fetchOffset(t, cl, "vis-g2", "vis", true); err != nil || off != 3 {
		t.Fatalf("second group of the transaction: %d %v", off, err)
	}
	// A new incarnation fences the old epoch's transactional commits.
	stale := *p
	p.init()
	if err := stale.txnOffsetCommit("vis-g", "vis", 11); err != kerr.ProducerFenced && err != kerr.InvalidProducerEpoch {
		t.Fatalf("commit with a fenced epoch: %v", err)
	}
	if off, err := fetchOffset(t, cl, "vis-g", "vis", true); err != nil || off != 9 {
		t.Fatalf("after the fenced commit: %d %v", off, err)
	}
}

func newClient(t *testing.T, addr string) *kgo.Client {
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return cl
}
