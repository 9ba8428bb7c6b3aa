package main

import (
	"context"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Fetch sizes of the raw consumer: kgo's consumer defaults.
const (
	rawFetchMaxBytes     = 50 << 20
	rawFetchPartMaxBytes = 1 << 20
	// rawTailPartMaxBytes is the raw both tailer's per-partition limit:
	// with kgo's 1 MiB one 512 KiB batch of 1 KiB records fills a
	// response, and the tailer's round trips, not the broker, set the
	// pace (about 400 MB/s on both targets on a 2-CPU machine).
	rawTailPartMaxBytes = 8 << 20
)

// Offsets inside a RecordBatch v2 header.
const (
	batchLengthOff     = 8
	batchLastDeltaOff  = 23
	batchNumRecordsOff = 57
	batchHeaderLen     = 61
)

// rawFetchAll reads topic from offset 0 with plain Fetch requests (one in
// flight, kgo's default sizes) until want records have arrived, counting
// records from the batch headers without decoding them: the consume
// throughput the broker delivers, without the client's per-record work.
// Bytes are want times the value size, as in the other phases.
func rawFetchAll(ctx context.Context, addr, topic string, partitions int32, want, size int) (phaseResult, error) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr))
	if err != nil {
		return phaseResult{}, fmt.Errorf("bench: raw fetch client: %w", err)
	}
	defer cl.Close()
	id, err := topicID(ctx, cl, topic)
	if err != nil {
		return phaseResult{}, err
	}
	next := make([]int64, partitions)
	var r phaseResult
	start := time.Now()
	for r.Records < want {
		n, err := rawFetchOnce(ctx, cl, topic, id, next, rawFetchPartMaxBytes)
		if err != nil {
			return r, err
		}
		r.Records += n
	}
	r.Elapsed = time.Since(start)
	if r.Records != want {
		return r, fmt.Errorf("%w: raw fetch got %d, want %d", errCountMismatch, r.Records, want)
	}
	r.Bytes = int64(r.Records) * int64(size)
	return r, nil
}

// topicID looks up the topic's id, for Fetch v13 and later.
func topicID(ctx context.Context, cl *kgo.Client, topic string) ([16]byte, error) {
	tds, err := kadm.NewClient(cl).ListTopics(ctx, topic)
	if err != nil {
		return [16]byte{}, fmt.Errorf("bench: raw fetch metadata: %w", err)
	}
	td, ok := tds[topic]
	if !ok || td.Err != nil {
		return [16]byte{}, fmt.Errorf("bench: raw fetch metadata: topic %s: %v", topic, td.Err)
	}
	return td.ID, nil
}

// rawFetchOnce sends one Fetch for every partition at next, advances next
// past the complete batches returned and returns their record count.
func rawFetchOnce(ctx context.Context, cl *kgo.Client, topic string, id [16]byte, next []int64, partMax int32) (int, error) {
	req := kmsg.NewPtrFetchRequest()
	req.ReplicaID, req.MaxWaitMillis, req.MinBytes, req.MaxBytes, req.SessionEpoch = -1, 500, 1, rawFetchMaxBytes, -1
	t := kmsg.NewFetchRequestTopic()
	t.Topic, t.TopicID = topic, id
	for p, off := range next {
		fp := kmsg.NewFetchRequestTopicPartition()
		fp.Partition, fp.FetchOffset, fp.PartitionMaxBytes = int32(p), off, partMax
		t.Partitions = append(t.Partitions, fp)
	}
	req.Topics = append(req.Topics, t)
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		return 0, fmt.Errorf("bench: raw fetch: %w", err)
	}
	if err := kerr.ErrorForCode(resp.ErrorCode); err != nil {
		return 0, fmt.Errorf("bench: raw fetch: %w", err)
	}
	n := 0
	for _, rt := range resp.Topics {
		for _, rp := range rt.Partitions {
			if err := kerr.ErrorForCode(rp.ErrorCode); err != nil {
				return n, fmt.Errorf("bench: raw fetch partition %d: %w", rp.Partition, err)
			}
			cnt, end := countBatches(rp.RecordBatches, next[rp.Partition])
			n += cnt
			next[rp.Partition] = end
		}
	}
	return n, nil
}

// countBatches walks the complete v2 batches in b and returns their
// record count and the offset after the last one (from when b has none).
func countBatches(b []byte, from int64) (records int, next int64) {
	next = from
	for len(b) >= batchHeaderLen {
		total := batchLengthOff + 4 + int(int32(binary.BigEndian.Uint32(b[batchLengthOff:])))
		if total < batchHeaderLen || total > len(b) {
			break
		}
		base := int64(binary.BigEndian.Uint64(b))
		next = base + int64(int32(binary.BigEndian.Uint32(b[batchLastDeltaOff:]))) + 1
		records += int(int32(binary.BigEndian.Uint32(b[batchNumRecordsOff:])))
		b = b[total:]
	}
	return records, next
}
