package process

import (
	"context"
	"crypto/rand"
	"fmt"
	mrand "math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// keyed is what a compacted topic must keep: each key's latest value at
// its acknowledged offset, and every record read must be one that was
// written at that offset.
type keyed struct {
	latest  map[string]int64 // key -> offset of its latest value
	written map[int64]string // offset -> value written there
}

// produceKeyed writes n records over keys keys (values random, 2 KB, so
// segments fill and cleaning has work) and records what was acknowledged.
func produceKeyed(t *testing.T, addr, topic string, n, keys int, k *keyed) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.ProducerBatchCompression(kgo.NoCompression()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var rs []*kgo.Record
	for i := 0; i < n; i++ {
		v := make([]byte, 2000)
		_, _ = rand.Read(v)
		copy(v, fmt.Sprintf("%08d", mrand.Int()))
		rs = append(rs, &kgo.Record{Topic: topic, Key: []byte(fmt.Sprintf("key-%03d", i%keys)), Value: v})
	}
	for _, r := range cl.ProduceSync(ctx, rs...) {
		if r.Err != nil {
			t.Fatal(r.Err)
		}
		k.latest[string(r.Record.Key)] = r.Record.Offset
		k.written[r.Record.Offset] = string(r.Record.Value)
	}
}

// verifyKeyed reads the whole partition and checks it against k.
func verifyKeyed(t *testing.T, addr, topic string, k *keyed) int {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var end int64
	admin(t, addr, func(adm *kadm.Client) {
		ends, err := adm.ListEndOffsets(ctx, topic)
		if err != nil {
			t.Fatal(err)
		}
		o, _ := ends.Lookup(topic, 0)
		end = o.Offset
	})
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	seen, last, n := map[string]int64{}, int64(-1), 0
	for last < end-1 {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("read up to %d of %d", last, end)
		}
		fs.EachRecord(func(r *kgo.Record) {
			n++
			if r.Offset <= last {
				t.Fatalf("offset %d after %d: duplicated", r.Offset, last)
			}
			last = r.Offset
			if w, ok := k.written[r.Offset]; !ok || w != string(r.Value) {
				t.Fatalf("offset %d holds a value never written there", r.Offset)
			}
			seen[string(r.Key)] = r.Offset
		})
	}
	for key, off := range k.latest {
		if seen[key] != off {
			t.Fatalf("key %s: latest value at %d, read %d: lost", key, off, seen[key])
		}
	}
	return n
}

// TestKillDuringCleaning kills the server while the cleaner (throttled
// so that a pass takes seconds) rewrites segments, restarts it and checks
// that nothing was lost or duplicated; the cleaning completes later.
func TestKillDuringCleaning(t *testing.T) {
	s := newServer(t)
	opts := []string{"--set", "log.cleaner.backoff.ms=20", "--set", "log.cleaner.io.max.bytes.per.second=4000000"}
	s.start(opts...)
	const topic = "compact-kill"
	admin(t, s.addr, func(adm *kadm.Client) {
		_, err := adm.CreateTopic(context.Background(), 1, 1, map[string]*string{"cleanup.policy": kadm.StringPtr("compact"),
			"segment.bytes": kadm.StringPtr("1048576"), "min.cleanable.dirty.ratio": kadm.StringPtr("0.01")}, topic)
		if err != nil {
			t.Fatal(err)
		}
	})
	k := &keyed{latest: map[string]int64{}, written: map[int64]string{}}
	for i := 0; i < iterations(); i++ {
		produceKeyed(t, s.addr, topic, 8000, 200, k)
		time.Sleep(time.Duration(300+mrand.IntN(1500)) * time.Millisecond) // inside a throttled pass
		s.kill()
		s.start(opts...)
		n := verifyKeyed(t, s.addr, topic, k)
		t.Logf("round %d: %d records read, %d keys", i, n, len(k.latest))
	}
	deadline := time.Now().Add(time.Minute)
	for n := verifyKeyed(t, s.addr, topic, k); n > 2000; n = verifyKeyed(t, s.addr, topic, k) {
		if time.Now().After(deadline) {
			t.Fatalf("%d records left after cleaning", n)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err := s.stop(); err != nil {
		t.Errorf("clean stop: %v", err)
	}
}

// TestKillDuringLogDirMove kills the server while AlterReplicaLogDirs
// copies a partition to the other log dir, restarts it and checks that
// every acknowledged record is there once, in one of the dirs.
func TestKillDuringLogDirMove(t *testing.T) {
	s := newServer(t)
	dirs := []string{filepath.Join(s.dir, "a"), filepath.Join(s.dir, "b")}
	opts := []string{"--set", "log.dirs=" + dirs[0] + "," + dirs[1]}
	s.start(opts...)
	const topic = "move-kill"
	admin(t, s.addr, func(adm *kadm.Client) {
		if _, err := adm.CreateTopic(context.Background(), 1, 1, nil, topic); err != nil {
			t.Fatal(err)
		}
	})
	k := &keyed{latest: map[string]int64{}, written: map[int64]string{}}
	for i := 0; i < iterations(); i++ {
		produceKeyed(t, s.addr, topic, 20000, 20000, k)
		dest := dirs[i%2]
		go moveAsync(s.addr, topic, dest)
		waitMoving(filepath.Join(dest, topic+"-0"), i%3)
		s.kill()
		s.start(opts...)
		n := verifyKeyed(t, s.addr, topic, k)
		t.Logf("round %d (move to %s): %d records, all present in %s", i, filepath.Base(dest), n, holder(t, dirs, topic+"-0"))
	}
	if err := s.stop(); err != nil {
		t.Errorf("clean stop: %v", err)
	}
}

// moveAsync asks for a log dir move; the kill may cut it short.
func moveAsync(addr, topic, dest string) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr))
	if err != nil {
		return
	}
	defer cl.Close()
	req := kadm.AlterReplicaLogDirsReq{}
	req.Add(dest, kadm.TopicsSet{topic: {0: {}}})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, _ = kadm.NewClient(cl).AlterAllReplicaLogDirs(ctx, req)
}

// holder names the one log dir holding part, failing on none, two, or a
// leftover -future copy.
func holder(t *testing.T, dirs []string, part string) string {
	var in []string
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, part)); err == nil {
			in = append(in, filepath.Base(d))
		}
		if _, err := os.Stat(filepath.Join(d, part+"-future")); err == nil {
			t.Fatalf("-future copy left in %s", d)
		}
	}
	if len(in) != 1 {
		t.Fatalf("%s held by %v", part, in)
	}
	return in[0]
}

// waitMoving waits for a move into final to reach a stage: 0 the copy
// started, 1 a little later (mid-copy or just after), 2 the move is done.
func waitMoving(final string, stage int) {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		_, errF := os.Stat(final + "-future")
		_, errD := os.Stat(final)
		switch {
		case stage < 2 && (errF == nil || errD == nil):
			if stage == 1 {
				time.Sleep(time.Duration(mrand.IntN(30)) * time.Millisecond)
			}
			return
		case stage == 2 && errD == nil && errF != nil:
			return
		}
		time.Sleep(time.Millisecond)
	}
}
