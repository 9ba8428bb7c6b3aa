package broker

// The produce path's producer checks (idempotence and transactions), as
// Kafka's UnifiedLog.analyzeAndValidateProducerState: sequence and epoch
// checks against the partition's producer state under its lock around the
// append, duplicates of the last five batches answered with their original
// offsets, transactional batches verified with the coordinator first
// (KIP-890: Produce v12+ adds the partition implicitly), and transaction
// markers appended as control batches.

import (
	"errors"
	"time"

	"github.com/gofka/gofka/internal/record"
	"github.com/gofka/gofka/internal/storage"
	"github.com/gofka/gofka/internal/storage/producerstate"
	"github.com/gofka/gofka/internal/txn"
	"github.com/twmb/franz-go/pkg/kerr"
)

// producedBatch is what an append produced: offsets, or the original
// offsets of a duplicate.
type producedBatch struct {
	res storage.AppendResult
	dup *producerstate.BatchMeta
}

// appendProduce appends a validated batch to its partition under the
// producer-state lock. The caller then moves the high watermark
// (leaderAppended), outside that lock: the lock order is the replica's
// lock, then the producer-state lock.
func (n *Node) appendProduce(p *partition, batch []byte, txnID *string, version int16, now time.Time) (producedBatch, *produceReject, error) {
	h, err := record.ParseHeader(batch)
	if err != nil {
		return producedBatch{}, &produceReject{err: kerr.CorruptMessage, msg: err.Error()}, nil
	}
	if h.Idempotent() {
		if rej := n.checkProducerID(&h); rej != nil {
			return producedBatch{}, rej, nil
		}
	}
	if h.Transactional() {
		if rej := n.verifyTxnPartition(p, &h, txnID, version); rej != nil {
			return producedBatch{}, rej, nil
		}
	}
	pl := p.prod
	pl.mu.Lock()
	defer pl.mu.Unlock()
	if h.Idempotent() {
		dup, err := pl.st.Check(batchOf(&h))
		if err != nil {
			return producedBatch{}, &produceReject{err: producerErrorCode(err), msg: err.Error()}, nil
		}
		if dup != nil {
			return producedBatch{dup: dup}, nil, nil
		}
	}
	res, err := p.log.Append(batch, appendOptions(p, now))
	if err != nil {
		return producedBatch{}, nil, err
	}
	pl.afterRoll(p.log, res.FirstOffset)
	if h.Idempotent() {
		b := batchOf(&h)
		b.MaxTimestamp = max(res.MaxTimestamp, now.UnixMilli())
		pl.st.Append(b, res.FirstOffset, res.LastOffset)
		pl.publish()
	} else {
		pl.st.SetEnd(res.LastOffset + 1)
	}
	return producedBatch{res: res}, nil, nil
}

// producerIDWait bounds how long a write waits for this node's metadata to
// learn of the producer id block its producer id came from.
const producerIDWait = 3 * time.Second

// checkProducerID refuses producer ids this cluster never handed out. A
// block of ids is committed by the controller and given to the node that
// asked (a transaction coordinator) at once, but reaches the other nodes'
// metadata a moment later: a producer may write to one of them first (its
// offsets, after a coordinator move). An id past the blocks this node
// knows waits for its metadata, at most producerIDWait, before it is
// refused; refused at once, a producer with a good id failed for good.
// The caller holds no lock.
func (n *Node) checkProducerID(h *record.Header) *produceReject {
	known := func() bool { return h.ProducerID < max(n.meta.Current().NextProducerID(), 0) }
	for deadline := time.Now().Add(producerIDWait); !known(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			return &produceReject{err: kerr.UnknownProducerID, msg: "producer id was not allocated by this cluster"}
		}
	}
	return nil
}

// verifyTxnPartition checks that a transactional batch's partition is in
// its producer's ongoing transaction (transaction.partition.verification.
// enable), adding it under transactions v2. It must run without the
// partition's lock (the coordinator takes partition locks for markers).
func (n *Node) verifyTxnPartition(p *partition, h *record.Header, txnID *string, version int16) *produceReject {
	if txnID == nil {
		return &produceReject{err: kerr.TransactionalIDAuthorizationFailed, msg: "transactional records need a transactional id"}
	}
	implicit := version >= 12
	if !implicit && !n.cfg.TransactionPartitionVerification {
		return nil
	}
	p.prod.mu.Lock()
	e := p.prod.st.Get(h.ProducerID)
	ongoing := e != nil && e.TxnFirstOffset != producerstate.NoOffset && e.Epoch == h.ProducerEpoch
	p.prod.mu.Unlock()
	if ongoing {
		return nil
	}
	if n.txnCoordinator() == nil {
		return &produceReject{err: kerr.CoordinatorNotAvailable}
	}
	tp := txn.TopicPartition{Topic: p.tp.Topic, Partition: p.tp.Partition}
	switch err := n.verifyTxn(*txnID, h.ProducerID, h.ProducerEpoch, tp, implicit); err {
	case nil:
		return nil
	case kerr.ProducerFenced:
		return &produceReject{err: kerr.InvalidProducerEpoch, msg: "producer epoch is fenced"}
	case kerr.NotCoordinator, kerr.CoordinatorNotAvailable, kerr.CoordinatorLoadInProgress:
		// retriable for the producer, as Kafka's AddPartitionsToTxnManager maps them
		return &produceReject{err: kerr.NotEnoughReplicas, msg: "the transaction coordinator is not available"}
	default:
		return &produceReject{err: err, msg: "partition is not in the transaction"}
	}
}

// producerErrorCode maps producer-state errors to Kafka's codes.
func producerErrorCode(err error) *kerr.Error {
	switch {
	case errors.Is(err, producerstate.ErrOutOfOrderSequence):
		return kerr.OutOfOrderSequenceNumber
	case errors.Is(err, producerstate.ErrInvalidProducerEpoch):
		return kerr.InvalidProducerEpoch
	case errors.Is(err, producerstate.ErrInvalidTxnState):
		return kerr.InvalidTxnState
	case errors.Is(err, producerstate.ErrCoordinatorFenced):
		return kerr.TransactionCoordinatorFenced
	}
	return kerr.UnknownServerError
}

// markerBatch builds a transaction marker control batch.
func markerBatch(pid int64, epoch int16, commit bool, coordEpoch int32, now time.Time) []byte {
	typ := byte(0)
	if commit {
		typ = 1
	}
	b := record.NewBuilder(record.CodecNone, 0, now.UnixMilli())
	b.SetProducer(pid, epoch, -1)
	b.SetTransactional(true)
	b.SetControl(true)
	ce := uint32(coordEpoch)
	b.Add(record.Record{
		Offset: 0, Timestamp: now.UnixMilli(),
		Key:   []byte{0, 0, 0, typ},
		Value: []byte{0, 0, byte(ce >> 24), byte(ce >> 16), byte(ce >> 8), byte(ce)},
	})
	out, _ := b.Build(nil)
	return out
}

// writeMarker appends a marker to a partition, ends the producer's
// transaction there and waits for the ISR to have it, as Kafka writes
// markers with acks=all.
func (n *Node) writeMarker(p *partition, pid int64, epoch int16, commit bool, coordEpoch int32) *kerr.Error {
	if !p.rep.IsLeader() {
		return kerr.NotLeaderForPartition
	}
	end, code := n.appendMarker(p, pid, epoch, commit, coordEpoch)
	if code != nil {
		return code
	}
	p.leaderAppended()
	return n.awaitReplicated(p, end, ms(int64(n.cfg.RequestTimeoutMs)))
}

// appendMarker appends the marker under the producer-state lock and
// returns the log end offset after it.
func (n *Node) appendMarker(p *partition, pid int64, epoch int16, commit bool, coordEpoch int32) (int64, *kerr.Error) {
	now := n.now()
	m := producerstate.Marker{ProducerID: pid, Epoch: epoch, CoordinatorEpoch: coordEpoch, Commit: commit, Timestamp: now.UnixMilli()}
	pl := p.prod
	pl.mu.Lock()
	defer pl.mu.Unlock()
	if err := pl.st.CheckMarker(m); err != nil {
		return -1, producerErrorCode(err)
	}
	res, err := p.log.Append(markerBatch(pid, epoch, commit, coordEpoch, now), appendOptions(p, now))
	if err != nil {
		n.log.Error("marker append failed", "partition", p.tp.String(), "err", err)
		return -1, kerr.KafkaStorageError
	}
	pl.afterRoll(p.log, res.FirstOffset)
	if err := pl.applyMarker(p.log, m, res.FirstOffset); err != nil {
		n.log.Error("txn index write failed", "partition", p.tp.String(), "err", err)
	}
	pl.publish()
	return res.LastOffset + 1, nil
}
