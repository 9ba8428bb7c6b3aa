package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofka/gofka/internal/record"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// The raw produce driver writes pre-encoded ProduceRequests straight to
// TCP connections, several in flight on each, so the runner's client
// work per record is zero: what is left is the broker.

// rawTopic is the topic the raw produce phase writes, separate from
// benchTopic so its end offsets count only the raw driver's records.
const rawTopic = "bench-raw"

// rawProduceVersion is the Produce version sent: flexible, topic by name,
// served by Gofka (3..13) and kfake alike.
const rawProduceVersion = 9

// errRawProduce means a raw produce response was malformed or out of order.
var errRawProduce = errors.New("bench: raw produce")

// rawOptions shape one raw produce run.
type rawOptions struct {
	Conns       int           // TCP connections
	Depth       int           // requests in flight per connection (acks=1/-1)
	BatchBytes  int           // value bytes per batch (one batch per partition per request)
	Duration    time.Duration // stop sending after this (0: only MaxRequests)
	MaxRequests int           // stop after this many requests in all (0: only Duration)
}

// rawRequest is one encoded request frame and what it carries.
type rawRequest struct {
	frame      []byte // size prefix, header and body; correlation id at offset 8
	records    int    // records in the whole request
	partitions int    // partitions it writes, one batch each
	acks       int16
}

// batchRecords is the records per batch for a value size.
func batchRecords(batchBytes, size int) int { return max(batchBytes/size, 1) }

// buildBatch builds one uncompressed RecordBatch v2 of n records of random
// values, CreateTime = now. Offsets start at 0; the broker assigns them.
func buildBatch(n, size int, now time.Time) ([]byte, error) {
	vals := make([]byte, n*size)
	_, _ = rand.Read(vals)
	ts := now.UnixMilli()
	b := record.NewBuilder(record.CodecNone, 0, ts)
	for i := range n {
		b.Add(record.Record{Offset: int64(i), Timestamp: ts, Value: vals[i*size : (i+1)*size]})
	}
	batch, err := b.Build(nil)
	if err != nil {
		return nil, fmt.Errorf("bench: raw produce batch: %w", err)
	}
	return batch, nil
}

// buildRawRequest encodes a ProduceRequest with one batch (the same bytes)
// for every partition of topic, framed with a request header.
func buildRawRequest(topic string, partitions int32, size int, acks int16, o rawOptions, now time.Time) (rawRequest, error) {
	n := batchRecords(o.BatchBytes, size)
	batch, err := buildBatch(n, size, now)
	if err != nil {
		return rawRequest{}, err
	}
	req := kmsg.NewPtrProduceRequest()
	req.Version, req.Acks, req.TimeoutMillis = rawProduceVersion, acks, 30_000
	t := kmsg.NewProduceRequestTopic()
	t.Topic = topic
	for p := range partitions {
		pp := kmsg.NewProduceRequestTopicPartition()
		pp.Partition, pp.Records = p, batch
		t.Partitions = append(t.Partitions, pp)
	}
	req.Topics = append(req.Topics, t)
	return rawRequest{frame: frameRequest(req), records: n * int(partitions), partitions: int(partitions), acks: acks}, nil
}

// frameRequest encodes req behind a size prefix and a request header v2
// (flexible) or v1, with correlation id 0 and client id "bench-raw".
func frameRequest(req kmsg.Request) []byte {
	const client = "bench-raw"
	f := make([]byte, 4, 64)
	f = binary.BigEndian.AppendUint16(f, uint16(req.Key()))
	f = binary.BigEndian.AppendUint16(f, uint16(req.GetVersion()))
	f = binary.BigEndian.AppendUint32(f, 0)
	f = binary.BigEndian.AppendUint16(f, uint16(len(client)))
	f = append(f, client...)
	if req.IsFlexible() {
		f = append(f, 0) // no tagged fields
	}
	f = req.AppendTo(f)
	binary.BigEndian.PutUint32(f, uint32(len(f)-4))
	return f
}

// rawRun is the shared state of one raw produce run.
type rawRun struct {
	req      rawRequest
	o        rawOptions
	deadline time.Time
	sent     atomic.Int64 // requests started, for MaxRequests
	acked    atomic.Int64 // records acknowledged (acks=0: sent)
	hist     *histogram   // request latency, write to response
	mu       sync.Mutex
	err      error
}

// fail keeps the first error.
func (r *rawRun) fail(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err == nil {
		r.err = err
	}
}

func (r *rawRun) failed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err != nil
}

// next says whether another request may be sent.
func (r *rawRun) next(now time.Time) bool {
	if r.failed() || (r.o.Duration > 0 && !now.Before(r.deadline)) {
		return false
	}
	return r.o.MaxRequests == 0 || r.sent.Add(1) <= int64(r.o.MaxRequests)
}

// rawProduce sends req over o.Conns connections until o says stop, then
// waits for every response (acks=1/-1). Records counts what was
// acknowledged without error; Produce holds per-request latencies.
func rawProduce(ctx context.Context, addr string, req rawRequest, size int, o rawOptions) (phaseResult, error) {
	r := &rawRun{req: req, o: o, hist: new(histogram)}
	conns := make([]net.Conn, 0, o.Conns)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	var d net.Dialer
	for range o.Conns {
		c, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			return phaseResult{}, fmt.Errorf("%w: dial: %w", errRawProduce, err)
		}
		conns = append(conns, c)
	}
	stop := context.AfterFunc(ctx, func() {
		for _, c := range conns {
			c.Close()
		}
	})
	defer stop()
	start := time.Now()
	r.deadline = start.Add(o.Duration)
	var wg sync.WaitGroup
	for _, c := range conns {
		wg.Go(func() { r.drive(c) })
	}
	wg.Wait()
	elapsed := time.Since(start)
	if r.err != nil {
		return phaseResult{}, r.err
	}
	n := int(r.acked.Load())
	return phaseResult{Records: n, Bytes: int64(n) * int64(size), Elapsed: elapsed, Produce: r.hist.summary()}, nil
}

// drive runs one connection: a writer (this goroutine) and, unless
// acks=0, a reader matching responses to requests in order.
func (r *rawRun) drive(c net.Conn) {
	frame := append([]byte(nil), r.req.frame...)
	if r.req.acks == 0 {
		for id := int32(1); r.next(time.Now()); id++ {
			binary.BigEndian.PutUint32(frame[8:], uint32(id))
			if _, err := c.Write(frame); err != nil {
				r.fail(fmt.Errorf("%w: write: %w", errRawProduce, err))
				return
			}
			r.acked.Add(int64(r.req.records))
		}
		return
	}
	pending := make(chan time.Time, r.o.Depth)
	var wg sync.WaitGroup
	wg.Go(func() { r.read(c, pending) })
	for id := int32(1); r.next(time.Now()); id++ {
		binary.BigEndian.PutUint32(frame[8:], uint32(id))
		pending <- time.Now() // blocks while Depth requests are out
		if _, err := c.Write(frame); err != nil {
			r.fail(fmt.Errorf("%w: write: %w", errRawProduce, err))
			break
		}
	}
	close(pending)
	wg.Wait()
}

// read reads one response per pending request, in order, checking the
// correlation id and every partition's error code.
func (r *rawRun) read(c net.Conn, pending <-chan time.Time) {
	br := bufio.NewReaderSize(c, 64<<10)
	var buf []byte
	for id := int32(1); ; id++ {
		sent, ok := <-pending
		if !ok {
			return
		}
		var err error
		if buf, err = readFrame(br, buf); err == nil {
			err = r.check(buf, id)
		}
		if err != nil {
			r.fail(err)
			c.Close() // unblocks the writer
			for range pending {
			}
			return
		}
		r.hist.record(time.Since(sent))
		r.acked.Add(int64(r.req.records))
	}
}

// readFrame reads one size-prefixed frame into buf.
func readFrame(br *bufio.Reader, buf []byte) ([]byte, error) {
	var sz [4]byte
	if _, err := io.ReadFull(br, sz[:]); err != nil {
		return buf, fmt.Errorf("%w: read: %w", errRawProduce, err)
	}
	n := int(int32(binary.BigEndian.Uint32(sz[:])))
	if n < 4 || n > 64<<20 {
		return buf, fmt.Errorf("%w: response size %d", errRawProduce, n)
	}
	buf = append(buf[:0], make([]byte, n)...)
	if _, err := io.ReadFull(br, buf); err != nil {
		return buf, fmt.Errorf("%w: read: %w", errRawProduce, err)
	}
	return buf, nil
}

// check decodes a Produce response frame (after the size) and fails on a
// wrong correlation id or any error code.
func (r *rawRun) check(b []byte, id int32) error {
	if got := int32(binary.BigEndian.Uint32(b)); got != id {
		return fmt.Errorf("%w: correlation id %d, want %d", errRawProduce, got, id)
	}
	body, err := skipTags(b[4:])
	if err != nil {
		return err
	}
	resp := kmsg.NewPtrProduceResponse()
	resp.Version = rawProduceVersion
	if err := resp.ReadFrom(body); err != nil {
		return fmt.Errorf("%w: decode: %w", errRawProduce, err)
	}
	parts := 0
	for _, t := range resp.Topics {
		for _, p := range t.Partitions {
			if err := kerr.ErrorForCode(p.ErrorCode); err != nil {
				return fmt.Errorf("%w: %s-%d: %w", errRawProduce, t.Topic, p.Partition, err)
			}
			parts++
		}
	}
	if want := r.req.partitions; parts != want {
		return fmt.Errorf("%w: %d partitions answered, want %d", errRawProduce, parts, want)
	}
	return nil
}

// skipTags skips the tagged fields of a response header v1.
func skipTags(b []byte) ([]byte, error) {
	n, l := binary.Uvarint(b)
	if l <= 0 {
		return nil, fmt.Errorf("%w: bad response header", errRawProduce)
	}
	b = b[l:]
	for range n {
		if _, l = binary.Uvarint(b); l <= 0 {
			return nil, fmt.Errorf("%w: bad response header tag", errRawProduce)
		}
		b = b[l:]
		sz, l := binary.Uvarint(b)
		if l <= 0 || uint64(len(b)-l) < sz {
			return nil, fmt.Errorf("%w: bad response header tag", errRawProduce)
		}
		b = b[l+int(sz):]
	}
	return b, nil
}
