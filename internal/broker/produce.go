package broker

// Produce, versions 3-13. Follows Kafka's KafkaApis/ReplicaManager/
// LogValidator for magic v2: exactly one batch per partition, CRC and
// record checks, max.message.bytes, timestamp bounds
// (message.timestamp.before/after.max.ms) with per-record errors (KIP-467),
// recompression when the topic's compression.type differs from the
// producer's codec, LogAppendTime stamping. acks=0 gets no response. With a
// single replica the ISR is the leader alone, so acks=-1 completes once the
// leader has appended. Version 13 names topics by id (KIP-516). The
// request's size counts against the client's producer_byte_rate; the
// response carries the throttle time and the connection is muted for it.

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/gofka/gofka/internal/metadata"
	"github.com/gofka/gofka/internal/quota"
	"github.com/gofka/gofka/internal/record"
	"github.com/gofka/gofka/internal/storage"
	"github.com/gofka/gofka/internal/wire"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

var scratchPool = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}

func (n *Node) handleProduce(req *wire.Request, reply wire.Reply) {
	r := req.Msg.(*kmsg.ProduceRequest)
	resp := r.ResponseKind().(*kmsg.ProduceResponse)
	resp.SetVersion(req.Version)
	img := n.meta.Current()
	resp.Topics = make([]kmsg.ProduceResponseTopic, len(r.Topics))
	txnDenied := r.TransactionID != nil && !n.authorize(req, opWrite, resTxnID, *r.TransactionID)
	var jobs []produceJob
	for i := range r.Topics {
		t, rt := &r.Topics[i], &resp.Topics[i]
		*rt = kmsg.NewProduceResponseTopic()
		rt.Topic, rt.TopicID = t.Topic, t.TopicID
		name, idErr := n.produceTopic(img, req.Version >= 13, t.Topic, t.TopicID)
		idErr = n.produceAuthz(req, txnDenied, name, idErr)
		rt.Partitions = make([]kmsg.ProduceResponseTopicPartition, len(t.Partitions))
		for j := range t.Partitions {
			if idErr != nil {
				rt.Partitions[j] = produceError(t.Partitions[j].Partition, idErr, "")
			}
			jobs = append(jobs, produceJob{topic: name, idErr: idErr != nil, pp: &t.Partitions[j], out: &rt.Partitions[j]})
		}
	}
	for i := range jobs {
		if j := &jobs[i]; !j.idErr {
			*j.out, j.part, j.until = n.producePartition(j.topic, r.TransactionID, req.Version, r.Acks, j.pp)
		}
	}
	throttle := n.recordQuota(quota.Produce, req, float64(req.Size))
	if r.Acks == 0 {
		reply.Throttle(throttle)
		reply.Skip()
		return
	}
	resp.ThrottleMillis = throttleMs(throttle)
	if r.Acks == -1 && !n.replicatedNow(jobs) {
		timeout := time.Duration(r.TimeoutMillis) * time.Millisecond
		n.goAsync(func(<-chan struct{}) {
			n.awaitProduce(jobs, timeout)
			reply.Send(resp)
		})
		return
	}
	reply.Send(resp)
}

// produceJob is one partition of a Produce request and where its answer
// goes. The partitions are appended one after the other on the reader
// goroutine: appending a large request's partitions on several goroutines
// was measured to cost more CPU per GB and to bring no throughput
// (docs/benchmarks-produce.md, December 2026).
type produceJob struct {
	topic string
	idErr bool
	pp    *kmsg.ProduceRequestTopicPartition
	out   *kmsg.ProduceResponseTopicPartition
	part  *partition // set once appended
	until int64      // acks=all: the offset the high watermark must reach
}

// produceAuthz applies Kafka's produce authorization: Write on the
// transactional id, then Write on the topic (a topic named by an unknown
// id keeps its UNKNOWN_TOPIC_ID).
func (n *Node) produceAuthz(req *wire.Request, txnDenied bool, name string, idErr *kerr.Error) *kerr.Error {
	switch {
	case txnDenied:
		return kerr.TransactionalIDAuthorizationFailed
	case name != "" && !n.authorize(req, opWrite, resTopic, name):
		return kerr.TopicAuthorizationFailed
	}
	return idErr
}

func produceError(partition int32, err *kerr.Error, msg string) kmsg.ProduceResponseTopicPartition {
	rp := kmsg.NewProduceResponseTopicPartition()
	rp.Partition = partition
	rp.ErrorCode = err.Code
	rp.BaseOffset = -1
	rp.LogAppendTime = -1
	rp.LogStartOffset = -1
	if msg != "" {
		rp.ErrorMessage = &msg
	}
	return rp
}

// produceReject is a validation failure with Kafka's error and, for
// INVALID_TIMESTAMP and INVALID_RECORD, the failing records (KIP-467).
type produceReject struct {
	err     *kerr.Error
	msg     string
	records []kmsg.ProduceResponseTopicPartitionErrorRecord
}

// producePartition appends one partition's batch; with acks=all it also
// returns the partition and the offset its high watermark must reach.
func (n *Node) producePartition(topic string, txnID *string, version, acks int16, pp *kmsg.ProduceRequestTopicPartition) (kmsg.ProduceResponseTopicPartition, *partition, int64) {
	p := n.parts.get(topic, pp.Partition)
	if p == nil {
		return produceError(pp.Partition, kerr.UnknownTopicOrPartition, ""), nil, -1
	}
	if code := n.producePrecheck(p, acks); code != nil {
		return produceError(pp.Partition, code, ""), nil, -1
	}
	now := n.now()
	batch, rej := n.validateProduce(p, txnID, pp.Records, now)
	if rej != nil {
		rp := produceError(pp.Partition, rej.err, rej.msg)
		rp.ErrorRecords = rej.records
		return rp, nil, -1
	}
	out, rej, err := n.appendProduce(p, batch, txnID, version, now)
	if errors.Is(err, storage.ErrClosed) { // moved or closed meanwhile: retry
		return produceError(pp.Partition, kerr.NotLeaderForPartition, ""), nil, -1
	}
	if err != nil {
		n.log.Error("produce append failed", "partition", p.tp.String(), "err", err)
		n.checkDirFailure(p, err)
		return produceError(pp.Partition, kerr.KafkaStorageError, err.Error()), nil, -1
	}
	if rej != nil {
		return produceError(pp.Partition, rej.err, rej.msg), nil, -1
	}
	rp := kmsg.NewProduceResponseTopicPartition()
	rp.Partition = pp.Partition
	rp.LogStartOffset = p.log.LogStartOffset()
	if out.dup != nil { // a retry: the original offsets, nothing appended
		rp.BaseOffset, rp.LogAppendTime = out.dup.FirstOffset, -1
		return rp, p, out.dup.LastOffset + 1
	}
	p.leaderAppendedInline()
	n.observeProduce(p, out.res)
	rp.BaseOffset = out.res.FirstOffset
	rp.LogAppendTime = out.res.LogAppendTime
	return rp, p, out.res.LastOffset + 1
}

// producePrecheck refuses an append this replica may not take: an offline
// log dir, a follower, or acks=all with an ISR below min.insync.replicas
// (NOT_ENOUGH_REPLICAS, nothing appended).
func (n *Node) producePrecheck(p *partition, acks int16) *kerr.Error {
	switch {
	case p.offline.Load():
		return kerr.KafkaStorageError
	case !p.rep.IsLeader():
		return kerr.NotLeaderForPartition
	case acks == -1 && p.rep.ISRSize() < int(p.config().MinInSyncReplicas):
		return kerr.NotEnoughReplicas
	}
	return nil
}

func appendOptions(p *partition, now time.Time) storage.AppendOptions {
	o := storage.AppendOptions{LeaderEpoch: p.leaderEpoch.Load()}
	if p.config().MessageTimestampType == "LogAppendTime" {
		o.LogAppendTime = now.UnixMilli()
	}
	return o
}

// validateProduce checks the partition's records as Kafka does and returns
// the bytes to append (recompressed if the topic asks for another codec).
func (n *Node) validateProduce(p *partition, txnID *string, b []byte, now time.Time) ([]byte, *produceReject) {
	cfg := p.config()
	size, err := record.PeekSize(b)
	switch {
	case len(b) == 0:
		return nil, &produceReject{err: kerr.InvalidRecord, msg: "produce request must have exactly one record batch per partition"}
	case err == nil && size < len(b):
		return nil, &produceReject{err: kerr.InvalidRecord, msg: "produce request must have exactly one record batch per partition"}
	case err == nil && size > len(b):
		return nil, &produceReject{err: kerr.CorruptMessage, msg: "record batch is truncated"}
	}
	if len(b) > int(cfg.MaxMessageBytes) {
		return nil, &produceReject{err: kerr.MessageTooLarge, msg: fmt.Sprintf("record batch of %d bytes exceeds max.message.bytes %d", len(b), cfg.MaxMessageBytes)}
	}
	sp := scratchPool.Get().(*[]byte)
	defer scratchPool.Put(sp)
	info, scratch, err := record.Validate(b, (*sp)[:0])
	*sp = scratch
	if err != nil {
		return nil, &produceReject{err: recordErrorCode(err), msg: err.Error()}
	}
	if rej := checkProducer(&info.Header, txnID); rej != nil {
		return nil, rej
	}
	if rej := checkTimestamps(b, &info, cfg.MessageTimestampType, cfg.MessageTimestampBeforeMaxMs, cfg.MessageTimestampAfterMaxMs, now, sp); rej != nil {
		return nil, rej
	}
	return recompressIfNeeded(b, info.Header.Codec(), cfg.CompressionType, sp)
}

// recordErrorCode maps a record validation error to Kafka's error code.
func recordErrorCode(err error) *kerr.Error {
	if errors.Is(err, record.ErrMagic) || errors.Is(err, record.ErrInvalidRecord) {
		return kerr.InvalidRecord
	}
	return kerr.CorruptMessage
}

// checkProducer checks a batch's producer fields that need no state:
// clients never write control batches, and transactional batches need a
// producer id. Sequence and epoch checks run under the partition's lock
// (appendProduce, txn_produce.go).
func checkProducer(h *record.Header, txnID *string) *produceReject {
	if h.Control() {
		return &produceReject{err: kerr.InvalidRecord, msg: "clients may not write control batches"}
	}
	if h.Transactional() && !h.Idempotent() {
		return &produceReject{err: kerr.InvalidRecord, msg: "transactional batches need a producer id"}
	}
	return nil
}

// checkTimestamps enforces message.timestamp.before.max.ms and
// message.timestamp.after.max.ms for CreateTime topics, naming each
// offending record as KIP-467 asks.
func checkTimestamps(b []byte, info *record.Info, tsType string, beforeMax, afterMax int64, now time.Time, sp *[]byte) *produceReject {
	if tsType == "LogAppendTime" {
		return nil
	}
	nowMs := now.UnixMilli()
	tooNew := afterMax >= 0 && info.MaxTimestamp > nowMs+afterMax
	tooOld := beforeMax >= 0 && beforeMax != maxLong && info.MinTimestamp != record.NoTimestamp && info.MinTimestamp < nowMs-beforeMax
	if !tooNew && !tooOld {
		return nil // every record is in range: skip the per-record walk
	}
	var bad []kmsg.ProduceResponseTopicPartitionErrorRecord
	idx := int32(0)
	scratch, _ := record.Iterate(b, (*sp)[:0], func(_ *record.Header, r *record.Record) error {
		if (afterMax >= 0 && r.Timestamp > nowMs+afterMax) || (beforeMax >= 0 && beforeMax != maxLong && r.Timestamp < nowMs-beforeMax) {
			msg := fmt.Sprintf("timestamp %d of record %d is out of range", r.Timestamp, idx)
			bad = append(bad, kmsg.ProduceResponseTopicPartitionErrorRecord{RelativeOffset: idx, ErrorMessage: &msg})
		}
		idx++
		return nil
	})
	*sp = scratch
	if len(bad) == 0 {
		return nil
	}
	return &produceReject{err: kerr.InvalidTimestamp, msg: "one or more records have a timestamp out of the allowed range", records: bad}
}

const maxLong = int64(^uint64(0) >> 1)

// recompressIfNeeded re-encodes the batch when compression.type names a
// codec other than the producer's.
func recompressIfNeeded(b []byte, have record.Codec, topicType string, sp *[]byte) ([]byte, *produceReject) {
	want, keep := topicCodec(topicType)
	if keep || want == have {
		return b, nil
	}
	out, scratch, err := record.Recompress(nil, b, want, (*sp)[:0])
	*sp = scratch
	if err != nil {
		return nil, &produceReject{err: kerr.CorruptMessage, msg: err.Error()}
	}
	return out, nil
}

// topicCodec maps compression.type to a codec; keep is true for "producer".
func topicCodec(t string) (c record.Codec, keep bool) {
	switch t {
	case "uncompressed":
		return record.CodecNone, false
	case "gzip":
		return record.CodecGzip, false
	case "snappy":
		return record.CodecSnappy, false
	case "lz4":
		return record.CodecLZ4, false
	case "zstd":
		return record.CodecZstd, false
	}
	return 0, true
}

// produceTopic names the topic of a produce entry; v13+ names it by id.
func (n *Node) produceTopic(img *metadata.Image, byID bool, name string, id [16]byte) (string, *kerr.Error) {
	name, _ = n.resolveTopic(img, byID, name, id)
	if byID && name == "" {
		return "", kerr.UnknownTopicID
	}
	return name, nil
}
