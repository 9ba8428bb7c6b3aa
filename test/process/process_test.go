// Package process runs the real gofka binary as a process and kills it.
package process

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gofka/gofka/test/faults"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "gofka-bin")
	if err != nil {
		panic(err)
	}
	if binary, err = faults.Build(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// server is one gofka process on a fixed port and data dir.
type server struct {
	t    *testing.T
	dir  string
	addr string
	cmd  *exec.Cmd
	logs *os.File
}

func newServer(t *testing.T) *server {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return &server{t: t, dir: t.TempDir(), addr: addr}
}

func (s *server) start(extra ...string) {
	s.t.Helper()
	s.launch(extra...)
	s.waitReady()
}

// launch starts the process without waiting for its listener.
func (s *server) launch(extra ...string) {
	s.t.Helper()
	args := append([]string{"server",
		"--set", "log.dirs=" + filepath.Join(s.dir, "data"),
		"--set", "listeners=PLAINTEXT://" + s.addr,
	}, extra...)
	logs, err := os.OpenFile(filepath.Join(s.dir, "server.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		s.t.Fatal(err)
	}
	s.logs = logs
	s.cmd = exec.Command(binary, args...)
	s.cmd.Stdout, s.cmd.Stderr = logs, logs
	if err := s.cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	s.t.Cleanup(func() { s.kill() })
}

func (s *server) waitReady() {
	s.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := net.DialTimeout("tcp", s.addr, 100*time.Millisecond); err == nil {
			c.Close()
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	out, _ := os.ReadFile(filepath.Join(s.dir, "server.log"))
	s.t.Fatalf("server did not start:\n%s", out)
}

func (s *server) kill() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
	_ = s.cmd.Wait()
	s.logs.Close()
	s.cmd = nil
}

// stop sends SIGTERM and waits for a clean exit.
func (s *server) stop() error {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	err := s.cmd.Wait()
	s.logs.Close()
	s.cmd = nil
	return err
}

func iterations() int {
	if n, err := strconv.Atoi(os.Getenv("GOFKA_FAULT_ITERS")); err == nil && n > 0 {
		return n
	}
	return 1
}

type acked struct {
	partition int32
	offset    int64
	value     string
}

// TestKillDuringProduce produces with acks=all, kills the server with
// SIGKILL mid-stream, restarts it, and requires every acknowledged record
// at its acknowledged offset, each partition's offsets contiguous and no
// value twice.
func TestKillDuringProduce(t *testing.T) {
	s := newServer(t)
	s.start()
	const topic = "kill9"
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	admin(t, s.addr, func(adm *kadm.Client) {
		if _, err := adm.CreateTopic(ctx, 3, 1, nil, topic); err != nil {
			t.Fatal(err)
		}
	})
	var all []acked
	for i := 0; i < iterations(); i++ {
		all = append(all, produceUntilKilled(t, s, topic, i)...)
		s.start()
		verify(t, s.addr, topic, all)
	}
	if err := s.stop(); err != nil {
		t.Errorf("clean stop after kills: %v", err)
	}
}

func admin(t *testing.T, addr string, fn func(*kadm.Client)) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	fn(kadm.NewClient(cl))
}

// produceUntilKilled keeps producing until some records are acknowledged,
// kills the server while requests are in flight, and returns the acks.
func produceUntilKilled(t *testing.T, s *server, topic string, round int) []acked {
	cl, err := kgo.NewClient(kgo.SeedBrokers(s.addr), kgo.RequiredAcks(kgo.AllISRAcks()), kgo.DisableIdempotentWrite(),
		kgo.RecordRetries(0), kgo.ProducerLinger(0))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	var mu sync.Mutex
	var acks []acked
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; ctx.Err() == nil; i++ {
			v := fmt.Sprintf("r%d-%07d", round, i)
			cl.Produce(ctx, &kgo.Record{Topic: topic, Key: []byte(v), Value: []byte(v)}, func(r *kgo.Record, err error) {
				if err == nil {
					mu.Lock()
					acks = append(acks, acked{r.Partition, r.Offset, string(r.Value)})
					mu.Unlock()
				}
			})
		}
	}()
	deadline := time.Now().Add(time.Minute)
	for {
		mu.Lock()
		n := len(acks)
		mu.Unlock()
		if n >= 20_000 || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	s.kill()
	cancel()
	<-done
	cl.Close() // fails whatever is still buffered; nothing is retried after the restart
	mu.Lock()
	defer mu.Unlock()
	if len(acks) == 0 {
		t.Fatal("no record was acknowledged before the kill")
	}
	return append([]acked(nil), acks...)
}

func verify(t *testing.T, addr, topic string, acks []acked) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var ends kadm.ListedOffsets
	admin(t, addr, func(adm *kadm.Client) {
		var err error
		if ends, err = adm.ListEndOffsets(ctx, topic); err != nil {
			t.Fatal(err)
		}
	})
	total := int64(0)
	ends.Each(func(o kadm.ListedOffset) { total += o.Offset })
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	log := map[int32][]string{}
	seen := map[string]bool{}
	for n := int64(0); n < total; {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("read %d of %d records", n, total)
		}
		fs.EachRecord(func(r *kgo.Record) {
			n++
			if int64(len(log[r.Partition])) != r.Offset {
				t.Fatalf("partition %d: offset %d follows %d records (gap)", r.Partition, r.Offset, len(log[r.Partition]))
			}
			if seen[string(r.Value)] {
				t.Errorf("duplicate record %s", r.Value)
			}
			seen[string(r.Value)] = true
			log[r.Partition] = append(log[r.Partition], string(r.Value))
		})
	}
	for _, a := range acks {
		p := log[a.partition]
		if a.offset >= int64(len(p)) || p[a.offset] != a.value {
			t.Fatalf("acknowledged record %s at %d/%d is lost", a.value, a.partition, a.offset)
		}
	}
	t.Logf("%d acknowledged records all present among %d", len(acks), total)
}

// TestBadConfigStopsStartup: an unknown or invalid property stops the
// server before it serves, with a message naming the property.
func TestBadConfigStopsStartup(t *testing.T) {
	for _, set := range []string{"no.such.thing=1", "log.retention.ms=soon", "listeners=nonsense"} {
		out, err := exec.Command(binary, "server", "--set", "log.dirs="+t.TempDir(), "--set", set).CombinedOutput()
		name, _, _ := strings.Cut(set, "=")
		if err == nil || !strings.Contains(string(out), name) {
			t.Errorf("--set %s: err %v, output %q; want a failure naming %s", set, err, out, name)
		}
	}
}

// TestSIGTERMShutsDownCleanly: SIGTERM exits 0 and leaves the clean
// shutdown marker, and the data is there after a restart.
func TestSIGTERMShutsDownCleanly(t *testing.T) {
	s := newServer(t)
	s.start()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cl, err := kgo.NewClient(kgo.SeedBrokers(s.addr), kgo.AllowAutoTopicCreation(), kgo.DisableIdempotentWrite())
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 100; i++ {
		if err := cl.ProduceSync(ctx, &kgo.Record{Topic: "term", Value: []byte(fmt.Sprint(i))}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	cl.Close()
	if err := s.stop(); err != nil {
		t.Fatalf("SIGTERM: %v", err)
	}
	if _, err := os.Stat(filepath.Join(s.dir, "data", ".kafka_cleanshutdown")); err != nil {
		t.Fatalf("no clean shutdown marker: %v", err)
	}
	s.start()
	verify(t, s.addr, "term", nil)
}
