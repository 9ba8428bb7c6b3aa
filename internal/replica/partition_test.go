package replica

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gofka/gofka/internal/metadata"
	"github.com/gofka/gofka/internal/record"
	"github.com/gofka/gofka/internal/storage"
	"github.com/gofka/gofka/internal/storage/checkpoint"
	"github.com/twmb/franz-go/pkg/kmsg"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testHost is a Host over a real log.
type testHost struct {
	log   *storage.Log
	wakes atomic.Int32
}

func (h *testHost) Log() *storage.Log { return h.log }
func (h *testHost) AppendReplicated(b []byte) error {
	_, err := h.log.AppendReplicated(b)
	return err
}
func (h *testHost) Truncate(off int64) error { return h.log.TruncateTo(off) }
func (h *testHost) Restart(off int64) error  { return h.log.TruncateFullyAndStartAt(off) }
func (h *testHost) Wake()                    { h.wakes.Add(1) }

// fakeTransport records AlterPartition requests and answers them with
// whatever answer returns.
type fakeTransport struct {
	mu     sync.Mutex
	alters []*kmsg.AlterPartitionRequest
	answer func(*kmsg.AlterPartitionRequest) (*kmsg.AlterPartitionResponse, error)
}

func (t *fakeTransport) Dial(int32) (Client, error) {
	return nil, errors.New("no network in this test")
}

func (t *fakeTransport) AlterPartition(_ context.Context, req *kmsg.AlterPartitionRequest) (*kmsg.AlterPartitionResponse, error) {
	t.mu.Lock()
	t.alters = append(t.alters, req)
	answer := t.answer
	t.mu.Unlock()
	if answer == nil {
		return nil, errors.New("no controller")
	}
	return answer(req)
}

func (t *fakeTransport) sent() []*kmsg.AlterPartitionRequest {
	t.mu.Lock()
	defer t.mu.Unlock()
	return slices.Clone(t.alters)
}

// accept answers an AlterPartition as a controller that takes it.
func accept(req *kmsg.AlterPartitionRequest) (*kmsg.AlterPartitionResponse, error) {
	resp := kmsg.NewPtrAlterPartitionResponse()
	rp := req.Topics[0].Partitions[0]
	t := kmsg.NewAlterPartitionResponseTopic()
	t.TopidID = req.Topics[0].TopicID
	out := kmsg.NewAlterPartitionResponseTopicPartition()
	out.Partition, out.LeaderID, out.LeaderEpoch = rp.Partition, req.BrokerID, rp.LeaderEpoch
	out.PartitionEpoch = rp.PartitionEpoch + 1
	for _, e := range rp.NewEpochISR {
		out.ISR = append(out.ISR, e.BrokerID)
	}
	t.Partitions = append(t.Partitions, out)
	resp.Topics = append(resp.Topics, t)
	return resp, nil
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

var testTP = checkpoint.TopicPartition{Topic: "t", Partition: 0}

func newTestPartition(t *testing.T, tr *fakeTransport) (*Manager, *Partition, *testHost, *clock) {
	t.Helper()
	log, err := storage.Open(t.TempDir(), testTP, storage.Options{Config: storage.DefaultConfig()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { log.Close() })
	clk := &clock{t: time.Unix(1_700_000_000, 0)}
	m := NewManager(Config{NodeID: 1, BrokerEpoch: func() int64 { return 7 }, LagTime: 10 * time.Second,
		FetchWait: 10 * time.Millisecond, FetchBackoff: 10 * time.Millisecond, Now: clk.Now}, tr)
	t.Cleanup(m.Close)
	h := &testHost{log: log}
	return m, m.Add(testTP, metadata.UUID{1}, h), h, clk
}

func image(leader, leaderEpoch, partitionEpoch int32, replicas, isr []int32) *metadata.PartitionImage {
	return &metadata.PartitionImage{Topic: "t", Partition: 0, Leader: leader, LeaderEpoch: leaderEpoch,
		PartitionEpoch: partitionEpoch, Replicas: replicas, ISR: isr}
}

// appendAsLeader appends n one-record batches at the partition's epoch.
func appendAsLeader(t *testing.T, p *Partition, n int) {
	t.Helper()
	for range n {
		b := record.NewBuilder(record.CodecNone, 0, 1)
		b.Add(record.Record{Value: []byte("v")})
		batch, err := b.Build(nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.log.Append(batch, storage.AppendOptions{LeaderEpoch: p.LeaderEpoch()}); err != nil {
			t.Fatal(err)
		}
		p.LeaderAppended()
	}
}

func TestSoloLeaderHighWatermarkFollowsAppends(t *testing.T) {
	m, p, _, _ := newTestPartition(t, &fakeTransport{})
	m.Apply(p, image(1, 0, 0, []int32{1}, []int32{1}))
	appendAsLeader(t, p, 3)
	if hw := p.log.HighWatermark(); hw != 3 {
		t.Fatalf("high watermark %d, want 3", hw)
	}
	if err := <-p.Await(3, 1).C; err != nil {
		t.Fatalf("await: %v", err)
	}
	if err := <-p.Await(3, 2).C; !errors.Is(err, ErrNotEnoughReplicasAfterAppend) {
		t.Fatalf("await with min ISR 2: %v", err)
	}
}

func TestHighWatermarkIsTheSlowestInSyncReplica(t *testing.T) {
	m, p, _, clk := newTestPartition(t, &fakeTransport{})
	m.Apply(p, image(1, 3, 5, []int32{1, 2, 3}, []int32{1, 2, 3}))
	appendAsLeader(t, p, 10)
	if hw := p.log.HighWatermark(); hw != 0 {
		t.Fatalf("high watermark %d before followers fetched, want 0", hw)
	}
	w := p.Await(10, 2)
	if _, err := p.FollowerFetched(2, 1, 10, clk.Now()); err != nil {
		t.Fatal(err)
	}
	if hw := p.log.HighWatermark(); hw != 0 {
		t.Fatalf("high watermark %d with replica 3 unheard, want 0", hw)
	}
	if _, err := p.FollowerFetched(3, 1, 4, clk.Now()); err != nil {
		t.Fatal(err)
	}
	if hw := p.log.HighWatermark(); hw != 4 {
		t.Fatalf("high watermark %d, want 4", hw)
	}
	select {
	case err := <-w.C:
		t.Fatalf("wait for offset 10 ended at high watermark 4: %v", err)
	default:
	}
	if _, err := p.FollowerFetched(3, 1, 10, clk.Now()); err != nil {
		t.Fatal(err)
	}
	if err := <-w.C; err != nil {
		t.Fatalf("await: %v", err)
	}
	if _, err := p.FollowerFetched(4, 1, 10, clk.Now()); !errors.Is(err, ErrNotAssigned) {
		t.Fatalf("fetch from a non-replica: %v", err)
	}
}

func TestLeadershipLossFailsWaiters(t *testing.T) {
	m, p, _, _ := newTestPartition(t, &fakeTransport{})
	m.Apply(p, image(1, 0, 0, []int32{1, 2}, []int32{1, 2}))
	appendAsLeader(t, p, 1)
	w := p.Await(1, 1)
	m.Apply(p, image(-1, 1, 1, []int32{1, 2}, []int32{1, 2}))
	if err := <-w.C; !errors.Is(err, ErrNotLeader) {
		t.Fatalf("await after losing leadership: %v", err)
	}
	if p.IsLeader() {
		t.Fatal("still leading")
	}
	m.Apply(p, image(1, 0, 9, []int32{1, 2}, []int32{1})) // an older epoch: ignored
	if p.IsLeader() {
		t.Fatal("an image of an older leader epoch made the replica lead")
	}
}

func TestISRExpandsWhenAFollowerCatchesUp(t *testing.T) {
	tr := &fakeTransport{answer: accept}
	m, p, _, clk := newTestPartition(t, tr)
	m.Apply(p, image(1, 2, 4, []int32{1, 2}, []int32{1}))
	appendAsLeader(t, p, 5)
	if hw := p.log.HighWatermark(); hw != 5 {
		t.Fatalf("high watermark %d, want 5 (ISR of one)", hw)
	}
	if _, err := p.FollowerFetched(2, 11, 3, clk.Now()); err != nil {
		t.Fatal(err)
	}
	if n := len(tr.sent()); n != 0 {
		t.Fatalf("%d AlterPartition sent for a follower behind the high watermark", n)
	}
	if _, err := p.FollowerFetched(2, 11, 5, clk.Now()); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the expanded ISR", func() bool { return p.ISRSize() == 2 })
	req := tr.sent()[0]
	rp := req.Topics[0].Partitions[0]
	if req.BrokerID != 1 || req.BrokerEpoch != 7 || rp.LeaderEpoch != 2 || rp.PartitionEpoch != 4 {
		t.Fatalf("AlterPartition %+v partition %+v", req, rp)
	}
	want := []kmsg.AlterPartitionRequestTopicPartitionNewEpochISR{{BrokerID: 1, BrokerEpoch: 7}, {BrokerID: 2, BrokerEpoch: 11}}
	if !slices.EqualFunc(rp.NewEpochISR, want, func(a, b kmsg.AlterPartitionRequestTopicPartitionNewEpochISR) bool {
		return a.BrokerID == b.BrokerID && a.BrokerEpoch == b.BrokerEpoch
	}) {
		t.Fatalf("new ISR %+v, want %+v", rp.NewEpochISR, want)
	}
	if s := p.State(); s.PartitionEpoch != 5 {
		t.Fatalf("partition epoch %d after the answer, want 5", s.PartitionEpoch)
	}
}

func TestISRShrinksAfterTheLagTime(t *testing.T) {
	tr := &fakeTransport{answer: accept}
	m, p, _, clk := newTestPartition(t, tr)
	m.Apply(p, image(1, 0, 0, []int32{1, 2, 3}, []int32{1, 2, 3}))
	appendAsLeader(t, p, 2)
	p.FollowerFetched(2, 1, 2, clk.Now())
	p.FollowerFetched(3, 1, 2, clk.Now())
	appendAsLeader(t, p, 2)
	clk.add(5 * time.Second)
	p.FollowerFetched(2, 1, 4, clk.Now()) // 2 keeps up, 3 does not
	p.maybeShrinkISR(clk.Now())
	if n := len(tr.sent()); n != 0 {
		t.Fatalf("shrank within the lag time (%d requests)", n)
	}
	clk.add(6 * time.Second)
	p.maybeShrinkISR(clk.Now())
	waitUntil(t, "the shrunk ISR", func() bool { return p.ISRSize() == 2 })
	if s := p.State(); !slices.Equal(s.ISR, []int32{1, 2}) {
		t.Fatalf("ISR %v, want [1 2]", s.ISR)
	}
	if hw := p.log.HighWatermark(); hw != 4 {
		t.Fatalf("high watermark %d after dropping the slow replica, want 4", hw)
	}
}

func TestRefusedAlterPartitionEndsTheProposal(t *testing.T) {
	tr := &fakeTransport{}
	m, p, _, clk := newTestPartition(t, tr)
	m.Apply(p, image(1, 0, 0, []int32{1, 2}, []int32{1}))
	p.FollowerFetched(2, 1, 0, clk.Now())
	waitUntil(t, "the failed proposal to end", func() bool { return len(p.State().PendingISR) == 0 && len(tr.sent()) == 1 })
	p.FollowerFetched(2, 1, 0, clk.Now())
	waitUntil(t, "a second proposal", func() bool { return len(tr.sent()) == 2 })
	if p.ISRSize() != 1 {
		t.Fatal("ISR changed without the controller")
	}
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestUncleanLeaderReportsRecovery(t *testing.T) {
	tr := &fakeTransport{answer: accept}
	m, p, _, _ := newTestPartition(t, tr)
	pi := image(1, 4, 8, []int32{1, 2, 3}, []int32{1})
	pi.LeaderRecoveryState = recovering
	m.Apply(p, pi)
	waitUntil(t, "the recovery report", func() bool { return len(tr.sent()) == 1 })
	rp := tr.sent()[0].Topics[0].Partitions[0]
	if rp.LeaderRecoveryState != 0 || len(rp.NewEpochISR) != 1 || rp.NewEpochISR[0].BrokerID != 1 {
		t.Fatalf("recovery AlterPartition %+v", rp)
	}
}

// TestApplyAfterClose: images keep coming while a node stops (the quorum
// closes after the replicas); they start nothing.
func TestApplyAfterClose(t *testing.T) {
	m, p, _, _ := newTestPartition(t, &fakeTransport{})
	m.Close()
	m.Apply(p, image(2, 1, 1, []int32{1, 2}, []int32{1, 2}))
	if p.IsLeader() || p.State().Leader != -1 {
		t.Fatalf("a closed manager applied an image: %+v", p.State())
	}
}
