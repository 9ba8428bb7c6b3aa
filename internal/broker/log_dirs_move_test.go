package broker

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gofka/gofka/internal/storage"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// TestMoveOnlineUnderLoad moves a large partition while a producer and a
// consumer keep using it: the producer sees no error (kgo retries the
// swap's retriable errors), and afterwards every record is there once.
func TestMoveOnlineUnderLoad(t *testing.T) {
	n, dirs, _, adm := jbodNode(t)
	ctx := context.Background()
	cl, err := kgo.NewClient(kgo.SeedBrokers(n.Addr()), kgo.RecordPartitioner(kgo.ManualPartitioner()),
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{"t": {0: kgo.NewOffset().AtStart()}}))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	const before = 6000
	val := make([]byte, 1000)
	for i := 0; i < before; i += 200 {
		recs := make([]*kgo.Record, 200)
		for j := range recs {
			recs[j] = &kgo.Record{Topic: "t", Partition: 0, Key: fmt.Appendf(nil, "%d", i+j), Value: val}
		}
		if err := cl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var produced int
	var perr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		produced, perr = produceUntil(ctx, cl, before, stop)
	}()
	seen := map[string]int{}
	consumed := make(chan error, 1)
	want := make(chan int, 1)
	go func() { consumed <- consumeAll(ctx, cl, seen, want) }()
	dest := dirs[0]
	if n.logs.DirOf(n.parts.get("t", 0).tp) == dest {
		dest = dirs[1]
	}
	res, err := adm.AlterAllReplicaLogDirs(ctx, moveReq(dest, 0))
	res.Each(func(r kadm.AlterReplicaLogDirsResponse) {
		if err == nil {
			err = r.Err
		}
	})
	close(stop)
	wg.Wait()
	want <- produced + 1 // and the record jbodNode wrote
	if err != nil || perr != nil {
		t.Fatalf("move: %v, produce: %v", err, perr)
	}
	if got := n.logs.DirOf(n.parts.get("t", 0).tp); got != dest {
		t.Fatalf("in %s, want %s", got, dest)
	}
	if err := <-consumed; err != nil {
		t.Fatal(err)
	}
	t.Logf("%d records produced during the move", produced-before)
	// one record from jbodNode, then keys 0..produced-1 once each
	if len(seen) != produced+1 {
		t.Fatalf("consumed %d distinct keys, produced %d", len(seen), produced+1)
	}
	for k, c := range seen {
		if c != 1 {
			t.Fatalf("key %q consumed %d times", k, c)
		}
	}
}

// produceUntil produces numbered records from next on until stop, one
// batch at a time, and returns the number of keys produced in all.
func produceUntil(ctx context.Context, cl *kgo.Client, next int, stop <-chan struct{}) (int, error) {
	for {
		select {
		case <-stop:
			return next, nil
		default:
		}
		recs := make([]*kgo.Record, 20)
		for j := range recs {
			recs[j] = &kgo.Record{Topic: "t", Partition: 0, Key: fmt.Appendf(nil, "%d", next+j), Value: []byte("v")}
		}
		if err := cl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
			return next, err
		}
		next += len(recs)
	}
}

// consumeAll counts the keys of partition 0 until it has seen the
// number sent on want (or 30s pass); errors other than retriable ones
// fail.
func consumeAll(ctx context.Context, cl *kgo.Client, seen map[string]int, want <-chan int) error {
	target := -1
	deadline := time.Now().Add(30 * time.Second)
	for target < 0 || len(seen) < target {
		if time.Now().After(deadline) {
			return fmt.Errorf("consumed %d keys, want %d", len(seen), target)
		}
		fctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
		fs := cl.PollFetches(fctx)
		cancel()
		for _, e := range fs.Errors() {
			if !errors.Is(e.Err, context.DeadlineExceeded) && !kerr.IsRetriable(e.Err) {
				return e.Err
			}
		}
		fs.EachRecord(func(r *kgo.Record) { seen[string(r.Key)]++ })
		select {
		case target = <-want:
		default:
		}
	}
	return nil
}

// failOn returns a fault hook failing op on path with EIO.
func failOn(op storage.FaultOp, path string) storage.FaultHook {
	return func(o storage.FaultOp, p string) error {
		if o == op && p == path {
			return &fs.PathError{Op: "injected", Path: p, Err: syscall.EIO}
		}
		return nil
	}
}

// TestReadAndCheckpointFaultsTakeDirOffline: a fetch read error takes the
// partition's dir offline, a checkpoint write error the other dir; only
// their partitions answer KAFKA_STORAGE_ERROR.
func TestReadAndCheckpointFaultsTakeDirOffline(t *testing.T) {
	n, dirs, cl, _ := jbodNode(t)
	ctx := context.Background()
	p0 := n.parts.get("t", 0)
	dir0 := n.logs.DirOf(p0.tp)
	n.logs.SetFaultHook(failOn(storage.FaultRead, p0.log.Dir()))
	fetchOnce(t, n, cl, 0)
	if !p0.offline.Load() || n.logs.DirOnline(dir0) {
		t.Fatal("read error did not take the dir offline")
	}
	other := dirs[0]
	if other == dir0 {
		other = dirs[1]
	}
	n.logs.SetFaultHook(failOn(storage.FaultCheckpoint, other))
	if err := n.logs.Checkpoint(); err == nil {
		t.Fatal("checkpoint: no error")
	}
	for p := range int32(4) {
		if !n.parts.get("t", p).offline.Load() {
			t.Fatalf("partition %d online", p)
		}
	}
	if err := cl.ProduceSync(ctx, &kgo.Record{Topic: "t", Partition: 1, Value: []byte("x")}).FirstErr(); err == nil {
		t.Fatal("produce to an offline partition")
	}
}

// fetchOnce fetches partition p of "t" from the start once.
func fetchOnce(t *testing.T, n *Node, cl *kgo.Client, p int32) {
	t.Helper()
	c, err := kgo.NewClient(kgo.SeedBrokers(n.Addr()),
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{"t": {p: kgo.NewOffset().AtStart()}}))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	c.PollFetches(ctx)
}
