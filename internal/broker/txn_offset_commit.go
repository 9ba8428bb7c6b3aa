package broker

// TxnOffsetCommit (v0-6; v6 names topics by id), as Kafka's KafkaApis and group coordinator: the
// producer is checked with the transaction coordinator first (id, epoch and
// the group's __consumer_offsets partition in its ongoing transaction,
// added by AddOffsetsToTxn; v5+ is transactions v2, which adds it
// implicitly), then the group coordinator validates the generation and
// member (v3+) and writes the offsets as a transactional batch, pending
// until the transaction's marker on that partition commits or aborts them.
// Partitions of topics the principal may not Read answer
// TOPIC_AUTHORIZATION_FAILED and are not committed; the others are.

import (
	"errors"
	"fmt"

	"github.com/gofka/gofka/internal/group"
	"github.com/gofka/gofka/internal/metadata"
	"github.com/gofka/gofka/internal/record"
	"github.com/gofka/gofka/internal/txn"
	"github.com/gofka/gofka/internal/wire"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func (n *Node) handleTxnOffsetCommit(req *wire.Request, reply wire.Reply) {
	r := req.Msg.(*kmsg.TxnOffsetCommitRequest)
	allowed, denied := n.splitTxnOffsetCommit(req, r)
	var resp *kmsg.TxnOffsetCommitResponse
	switch code := n.checkTxnOffsetCommit(r, req.Version); {
	case code != 0:
		resp = txnOffsetCommitFailed(allowed, code)
	case len(allowed.Topics) == 0:
		resp = txnOffsetCommitFailed(allowed, 0)
	default:
		resp = n.groups.coord.TxnOffsetCommit(allowed)
	}
	resp.Topics = append(resp.Topics, txnOffsetCommitFailed(denied, kerr.TopicAuthorizationFailed.Code).Topics...)
	reply.Send(resp)
}

// splitTxnOffsetCommit splits a request's topics by Read permission.
func (n *Node) splitTxnOffsetCommit(req *wire.Request, r *kmsg.TxnOffsetCommitRequest) (allowed, denied *kmsg.TxnOffsetCommitRequest) {
	a, d := *r, *r
	a.Topics, d.Topics = nil, nil
	img := n.meta.Current()
	for _, t := range r.Topics {
		name := t.Topic
		if ti := img.TopicByID(metadata.UUID(t.TopicID)); name == "" && ti != nil {
			name = ti.Name
		}
		if name != "" && !n.authorize(req, opRead, resTopic, name) {
			d.Topics = append(d.Topics, t)
		} else {
			a.Topics = append(a.Topics, t)
		}
	}
	return &a, &d
}

// checkTxnOffsetCommit validates the producer with the transaction
// coordinator. It runs without the group coordinator's lock: the
// transaction coordinator calls into the group coordinator (markers).
func (n *Node) checkTxnOffsetCommit(r *kmsg.TxnOffsetCommitRequest, version int16) int16 {
	if r.Group == "" {
		return kerr.InvalidGroupID.Code
	}
	if err := n.ensureOffsetsTopic(); err != nil {
		return err.Code
	}
	tp := txn.TopicPartition{Topic: offsetsTopic, Partition: n.groups.coord.PartitionFor(r.Group)}
	if err := n.coordOwner(offsetsTopic, tp.Partition); err != nil {
		return err.Code
	}
	err := n.verifyTxn(r.TransactionalID, r.ProducerID, r.ProducerEpoch, tp, version >= 5)
	return fencedCode(err, version, 5)
}

// txnOffsetCommitFailed answers every partition of a request with code.
func txnOffsetCommitFailed(r *kmsg.TxnOffsetCommitRequest, code int16) *kmsg.TxnOffsetCommitResponse {
	resp := r.ResponseKind().(*kmsg.TxnOffsetCommitResponse)
	for _, t := range r.Topics {
		rt := kmsg.NewTxnOffsetCommitResponseTopic()
		rt.Topic, rt.TopicID = t.Topic, t.TopicID
		for _, p := range t.Partitions {
			rt.Partitions = append(rt.Partitions, kmsg.TxnOffsetCommitResponseTopicPartition{Partition: p.Partition, ErrorCode: code})
		}
		resp.Topics = append(resp.Topics, rt)
	}
	return resp
}

// WriteTransactional appends a transactional offset commit batch under
// the partition's producer-state lock: an epoch older than the partition
// has seen is fenced, and the batch opens (or joins) the producer's
// transaction there, so the marker written at its end finds it. The
// coordinator waits for the ISR through Await, without its lock.
func (s groupStore) WriteTransactional(partition int32, batch []byte) (int64, error) {
	p := s.n.parts.get(offsetsTopic, partition)
	if p == nil {
		return -1, s.lost(partition, fmt.Errorf("%w: %s-%d", errNoPartition, offsetsTopic, partition))
	}
	if !p.rep.IsLeader() {
		return -1, s.lost(partition, fmt.Errorf("%w: %s", errNotLeader, p.tp.String()))
	}
	end, err := s.appendTransactional(p, batch)
	switch {
	case errors.Is(err, group.ErrProducerFenced):
		return -1, err
	case err != nil:
		return -1, s.lost(partition, err)
	}
	p.leaderAppended()
	return end, nil
}

// appendTransactional appends under the producer-state lock and returns
// the log end offset after the batch.
func (s groupStore) appendTransactional(p *partition, batch []byte) (int64, error) {
	h, err := record.ParseHeader(batch)
	if err != nil {
		return -1, fmt.Errorf("broker: transactional offsets: %w", err)
	}
	now := s.n.now()
	pl := p.prod
	pl.mu.Lock()
	defer pl.mu.Unlock()
	if e := pl.st.Get(h.ProducerID); e != nil && h.ProducerEpoch < e.Epoch {
		return -1, fmt.Errorf("broker: producer %d epoch %d older than %d: %w", h.ProducerID, h.ProducerEpoch, e.Epoch, group.ErrProducerFenced)
	}
	res, err := p.log.Append(batch, appendOptions(p, now))
	if err != nil {
		return -1, err
	}
	pl.afterRoll(p.log, res.FirstOffset)
	b := batchOf(&h)
	b.MaxTimestamp = max(res.MaxTimestamp, now.UnixMilli())
	pl.st.Append(b, res.FirstOffset, res.LastOffset)
	pl.publish()
	return res.LastOffset + 1, nil
}
