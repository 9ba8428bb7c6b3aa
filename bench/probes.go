package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// diskProbe is the machine's sequential append bandwidth, measured by the
// runner in the same temp dir the brokers write to.
type diskProbe struct {
	Chunk   int
	Bytes   int64
	Elapsed time.Duration
}

// MBps is the probe's bandwidth, 1 MB = 10^6 bytes.
func (d diskProbe) MBps() float64 { return mbPerSec(d.Bytes, d.Elapsed) }

// probeDisk appends chunk-sized writes (one write(2) each) to a new file
// in dir for d, without fsync, and removes the file.
func probeDisk(dir string, chunk int, d time.Duration) (diskProbe, error) {
	f, err := os.CreateTemp(dir, "disk-probe")
	if err != nil {
		return diskProbe{}, fmt.Errorf("bench: disk probe: %w", err)
	}
	defer os.Remove(f.Name())
	defer f.Close()
	buf := make([]byte, chunk)
	_, _ = rand.Read(buf)
	p := diskProbe{Chunk: chunk}
	start := time.Now()
	end := start.Add(d)
	for i := 0; ; i++ {
		if i%64 == 0 && !time.Now().Before(end) {
			break
		}
		n, err := f.Write(buf)
		p.Bytes += int64(n)
		if err != nil {
			return p, fmt.Errorf("bench: disk probe: %w", err)
		}
	}
	p.Elapsed = time.Since(start)
	return p, nil
}

// startup is the cold start and idle memory of one target.
type startup struct {
	Listening time.Duration // exec to the port accepting connections
	FirstAck  time.Duration // exec to the first acknowledged produce
	IdleRSS   int64         // VmRSS after a little traffic and an idle pause
}

// probeStartup execs t on a fresh data dir, then as fast as it can creates
// a one-partition topic and produces one record with acks=all, retrying
// until the port answers; then it produces idleRecords more, waits idle
// and reads VmRSS.
func probeStartup(ctx context.Context, t target, s settings, tmp string) (startup, error) {
	s.Observe, s.ProfileDir = false, ""
	srv, err := t.exec(tmp, s)
	if err != nil {
		return startup{}, err
	}
	defer srv.remove()
	defer srv.stop()
	var st startup
	if err := pollListening(srv.Addr, 30*time.Second, time.Millisecond); err != nil {
		return st, fmt.Errorf("%w\n%s", err, srv.logTail())
	}
	st.Listening = time.Since(srv.started)
	if err := firstProduce(ctx, srv.Addr); err != nil {
		return st, fmt.Errorf("%w\n%s", err, srv.logTail())
	}
	st.FirstAck = time.Since(srv.started)
	if err := idleTraffic(ctx, srv.Addr); err != nil {
		return st, err
	}
	time.Sleep(s.Idle)
	m, err := readMem(srv.Pid())
	st.IdleRSS = m.RSS
	return st, err
}

const startTopic = "cold-start"

// firstProduce creates the topic and produces one record, retrying.
func firstProduce(ctx context.Context, addr string) error {
	if err := createTopic(ctx, addr, startTopic, 1); err != nil {
		return err
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.DefaultProduceTopic(startTopic),
		kgo.RetryBackoffFn(func(int) time.Duration { return time.Millisecond }))
	if err != nil {
		return fmt.Errorf("bench: client: %w", err)
	}
	defer cl.Close()
	if err := cl.ProduceSync(ctx, &kgo.Record{Value: []byte("first")}).FirstErr(); err != nil {
		return fmt.Errorf("bench: first produce: %w", err)
	}
	return nil
}

// idleTraffic produces and consumes 1,000 small records.
func idleTraffic(ctx context.Context, addr string) error {
	c := config{Size: 100, Acks: -1, Partitions: 1}
	p, err := newProducer(addr, startTopic, c, settings{InFlightBytes: 1 << 20, Requests: 5})
	if err != nil {
		return err
	}
	defer p.close()
	if _, err := p.produceCount(ctx, 1000); err != nil {
		return err
	}
	_, err = consumeAll(ctx, addr, startTopic, 1001)
	return err
}
