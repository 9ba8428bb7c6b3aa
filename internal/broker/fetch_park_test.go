package broker

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"log/slog"
	"net"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"go.uber.org/goleak"
)

// countingHandler counts the log records with "twice" in their message
// ("wire: reply used twice": a request answered more than once).
type countingHandler struct{ twice *atomic.Int64 }

func (h countingHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h countingHandler) Handle(_ context.Context, r slog.Record) error {
	if strings.Contains(r.Message, "twice") {
		h.twice.Add(1)
	}
	return nil
}
func (h countingHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h countingHandler) WithGroup(string) slog.Handler      { return h }

// parkNode starts a node whose log counts double answers, and a client
// of it; the caller closes both.
func parkNode(t *testing.T) (*Node, *atomic.Int64, *kgo.Client) {
	t.Helper()
	twice := new(atomic.Int64)
	n := startTestNodeLog(t, t.TempDir(), nil, slog.New(countingHandler{twice}))
	cl, err := kgo.NewClient(kgo.SeedBrokers(n.Addr()), kgo.AllowAutoTopicCreation(), kgo.DisableIdempotentWrite())
	if err != nil {
		t.Fatal(err)
	}
	return n, twice, cl
}

// rawConn sends Fetch v11 requests (non-flexible header) and reads their
// responses on one connection, as many in flight as wanted.
type rawConn struct {
	nc   net.Conn
	r    *bufio.Reader
	corr int32
}

func dialRaw(t *testing.T, addr string) *rawConn {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	return &rawConn{nc: nc, r: bufio.NewReader(nc)}
}

// fetch sends a sessionless Fetch of topic/0 from offset.
func (c *rawConn) fetch(topic string, offset int64, maxWait time.Duration) error {
	req := kmsg.NewPtrFetchRequest()
	req.Version = 11
	req.ReplicaID = -1
	req.MaxWaitMillis = int32(maxWait / time.Millisecond)
	req.MinBytes = 1
	req.MaxBytes = 1 << 20
	req.SessionEpoch = -1
	rt := kmsg.NewFetchRequestTopic()
	rt.Topic = topic
	rp := kmsg.NewFetchRequestTopicPartition()
	rp.FetchOffset, rp.PartitionMaxBytes, rp.CurrentLeaderEpoch = offset, 1<<20, -1
	rt.Partitions = append(rt.Partitions, rp)
	req.Topics = append(req.Topics, rt)
	c.corr++
	b := make([]byte, 4, 64)
	b = binary.BigEndian.AppendUint16(b, uint16(req.Key()))
	b = binary.BigEndian.AppendUint16(b, uint16(req.Version))
	b = binary.BigEndian.AppendUint32(b, uint32(c.corr))
	b = binary.BigEndian.AppendUint16(b, 4)
	b = append(b, "park"...)
	b = req.AppendTo(b)
	binary.BigEndian.PutUint32(b, uint32(len(b)-4))
	_, err := c.nc.Write(b)
	return err
}

// read reads the next response and checks its correlation id.
func (c *rawConn) read(want int32) (*kmsg.FetchResponse, error) {
	var size [4]byte
	if _, err := io.ReadFull(c.r, size[:]); err != nil {
		return nil, err
	}
	b := make([]byte, binary.BigEndian.Uint32(size[:]))
	if _, err := io.ReadFull(c.r, b); err != nil {
		return nil, err
	}
	if got := int32(binary.BigEndian.Uint32(b)); got != want {
		return nil, fmt.Errorf("correlation id %d, want %d", got, want)
	}
	resp := kmsg.NewPtrFetchResponse()
	resp.Version = 11
	return resp, resp.ReadFrom(b[4:])
}

// partitionOf is the only partition of a Fetch response.
func partitionOf(t *testing.T, r *kmsg.FetchResponse) kmsg.FetchResponseTopicPartition {
	t.Helper()
	if len(r.Topics) != 1 || len(r.Topics[0].Partitions) != 1 {
		t.Fatalf("response: %+v", r)
	}
	return r.Topics[0].Partitions[0]
}

// waitParked waits until the node has want parked fetches.
func waitParked(t *testing.T, n *Node, want int) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); n.parked.size() != want; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d fetches parked, want %d", n.parked.size(), want)
		}
	}
}

// allAnsweredOnce checks that no fetch is left parked and none was
// answered twice.
func allAnsweredOnce(t *testing.T, n *Node, twice *atomic.Int64) {
	t.Helper()
	waitParked(t, n, 0)
	if twice.Load() != 0 {
		t.Fatalf("%d fetches were answered twice", twice.Load())
	}
}

func produceOne(t *testing.T, cl *kgo.Client, topic string) int64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r, err := cl.ProduceSync(ctx, &kgo.Record{Topic: topic, Value: []byte("v")}).First()
	if err != nil {
		t.Fatal(err)
	}
	return r.Offset
}

// TestParkedFetchesAnswerOnAppend: many fetches parked at the log end
// hold no goroutine each, and one append answers every one of them,
// once, with the record; none is left parked.
func TestParkedFetchesAnswerOnAppend(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	n, twice, cl := parkNode(t)
	defer n.Close()
	defer cl.Close()
	end := produceOne(t, cl, "wake") + 1
	const conns, each = 4, 50 // under the connection's in-flight limit
	cs := make([]*rawConn, conns)
	before := runtime.NumGoroutine()
	for i := range cs {
		cs[i] = dialRaw(t, n.Addr())
		for range each {
			if err := cs[i].fetch("wake", end, time.Minute); err != nil {
				t.Fatal(err)
			}
		}
	}
	waitParked(t, n, conns*each)
	if grew := runtime.NumGoroutine() - before; grew > conns*each/4 {
		t.Errorf("%d parked fetches added %d goroutines", conns*each, grew)
	}
	produceOne(t, cl, "wake")
	for _, c := range cs {
		c.nc.SetReadDeadline(time.Now().Add(30 * time.Second)) // well before the minute's wait
		for i := range int32(each) {
			resp, err := c.read(i + 1)
			if err != nil {
				t.Fatal(err)
			}
			if p := partitionOf(t, resp); p.ErrorCode != 0 || len(p.RecordBatches) == 0 || p.HighWatermark != end+1 {
				t.Fatalf("fetch %d: error %d, %d bytes, high watermark %d", i, p.ErrorCode, len(p.RecordBatches), p.HighWatermark)
			}
		}
	}
	allAnsweredOnce(t, n, twice)
}

// TestParkedFetchExpires: a fetch no append answers is answered empty
// once its MaxWaitMillis passes, exactly once, even while appends and
// expiries race (short waits on a partition being written).
func TestParkedFetchExpires(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	n, twice, cl := parkNode(t)
	defer n.Close()
	defer cl.Close()
	end := produceOne(t, cl, "expire") + 1
	produceOne(t, cl, "race")
	c := dialRaw(t, n.Addr())
	if err := c.fetch("expire", end, 50*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	resp, err := c.read(1)
	if err != nil {
		t.Fatal(err)
	}
	if p := partitionOf(t, resp); p.ErrorCode != 0 || len(p.RecordBatches) != 0 || p.HighWatermark != end {
		t.Fatalf("expired fetch: error %d, %d bytes, high watermark %d", p.ErrorCode, len(p.RecordBatches), p.HighWatermark)
	}

	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // appends racing the expiries
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			cl.Produce(context.Background(), &kgo.Record{Topic: "race", Value: []byte("v")}, nil)
			time.Sleep(200 * time.Microsecond)
		}
	}()
	r := dialRaw(t, n.Addr())
	const rounds = 300
	for i := range int32(rounds) {
		ends, err := kadm.NewClient(cl).ListEndOffsets(context.Background(), "race")
		if err != nil {
			t.Fatal(err)
		}
		o, _ := ends.Lookup("race", 0)
		if err := r.fetch("race", o.Offset, time.Duration(i%4)*time.Millisecond+time.Millisecond); err != nil {
			t.Fatal(err)
		}
		if _, err := r.read(i + 1); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	if err := cl.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	allAnsweredOnce(t, n, twice)
}

// TestParkedFetchAnswersOnDelete: deleting the topic answers a fetch
// parked on it at once (an error), not at the end of its wait.
func TestParkedFetchAnswersOnDelete(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	n, twice, cl := parkNode(t)
	defer n.Close()
	defer cl.Close()
	end := produceOne(t, cl, "gone") + 1
	c := dialRaw(t, n.Addr())
	if err := c.fetch("gone", end, 10*time.Minute); err != nil {
		t.Fatal(err)
	}
	waitParked(t, n, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := kadm.NewClient(cl).DeleteTopics(ctx, "gone"); err != nil {
		t.Fatal(err)
	}
	c.nc.SetReadDeadline(time.Now().Add(time.Minute)) // well before the ten minutes
	resp, err := c.read(1)
	if err != nil {
		t.Fatal(err)
	}
	if p := partitionOf(t, resp); p.ErrorCode == 0 {
		t.Fatalf("fetch of a deleted topic answered without an error: %+v", p)
	} else {
		t.Logf("answered %v", kerr.ErrorForCode(p.ErrorCode))
	}
	allAnsweredOnce(t, n, twice)
}

// TestParkedFetchesClosedOnShutdown: closing the node answers every
// parked fetch (their connection closes) and leaves no goroutine.
func TestParkedFetchesClosedOnShutdown(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	n, _, cl := parkNode(t)
	end := produceOne(t, cl, "closing") + 1
	cl.Close()
	c := dialRaw(t, n.Addr())
	for range 20 {
		if err := c.fetch("closing", end, 10*time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	waitParked(t, n, 20)
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	if n.parked.size() != 0 {
		t.Fatalf("%d fetches parked after close", n.parked.size())
	}
	c.nc.SetReadDeadline(time.Now().Add(30 * time.Second))
	if _, err := c.read(1); err == nil {
		t.Fatal("a fetch parked at close was answered with data; want its connection closed")
	}
}
