package broker

// InitProducerId (v0-5), AddPartitionsToTxn (v0-5, batched and verify-only
// forms from v4), AddOffsetsToTxn (v0-4), EndTxn (v0-5; v5 is transactions
// v2 with an epoch bump at every end) and WriteTxnMarkers (v1-2), as Kafka's
// KafkaApis and TransactionCoordinator answer them. Idempotent producers
// (no transactional id) get a fresh producer id at epoch 0 on every call,
// as Kafka does; KIP-360 epoch bumps of idempotent producers need no
// broker round trip.

import (
	"github.com/gofka/gofka/internal/authz"
	"github.com/gofka/gofka/internal/txn"
	"github.com/gofka/gofka/internal/wire"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// initProducerIDDenied: Write on the transactional id, or for an
// idempotent producer IdempotentWrite on the cluster or Write on some
// topic (Kafka's authorizeByResourceType).
func (n *Node) initProducerIDDenied(req *wire.Request, r *kmsg.InitProducerIDRequest) *kerr.Error {
	if r.TransactionalID != nil && *r.TransactionalID != "" {
		if !n.authorize(req, opWrite, resTxnID, *r.TransactionalID) {
			return kerr.TransactionalIDAuthorizationFailed
		}
		return nil
	}
	if !n.authorizeQuiet(req, opIdempotentWrite, resCluster, authz.ClusterName) && !n.authorizeAny(req, opWrite, resTopic) {
		n.authorizeCluster(req, opIdempotentWrite) // count the denial
		return kerr.ClusterAuthorizationFailed
	}
	return nil
}

func (n *Node) handleInitProducerID(req *wire.Request, reply wire.Reply) {
	r := req.Msg.(*kmsg.InitProducerIDRequest)
	resp := r.ResponseKind().(*kmsg.InitProducerIDResponse)
	resp.ProducerID, resp.ProducerEpoch = -1, -1
	if code := n.initProducerIDDenied(req, r); code != nil {
		resp.ErrorCode = code.Code
		reply.Send(resp)
		return
	}
	if r.TransactionalID == nil || *r.TransactionalID == "" {
		pid, err := n.txns.pids.newProducerID()
		if err != nil {
			n.log.Error("init producer id", "err", err)
			resp.ErrorCode = kerr.CoordinatorNotAvailable.Code
		} else {
			resp.ProducerID, resp.ProducerEpoch = pid, 0
		}
		reply.Send(resp)
		return
	}
	if err := n.ensureTxnTopic(); err != nil {
		resp.ErrorCode = err.Code
		reply.Send(resp)
		return
	}
	res := n.txns.coord.InitProducerID(*r.TransactionalID, r.TransactionTimeoutMillis, r.ProducerID, r.ProducerEpoch)
	resp.ErrorCode = fencedCode(res.Err, req.Version, 4)
	if res.Err == nil {
		resp.ProducerID, resp.ProducerEpoch = res.ProducerID, res.Epoch
	}
	reply.Send(resp)
}

// fencedCode maps PRODUCER_FENCED to INVALID_PRODUCER_EPOCH for request
// versions older than since, which predate the code (KIP-588).
func fencedCode(err *kerr.Error, version, since int16) int16 {
	if err == nil {
		return 0
	}
	if err == kerr.ProducerFenced && version < since {
		return kerr.InvalidProducerEpoch.Code
	}
	return err.Code
}

func (n *Node) handleAddPartitionsToTxn(req *wire.Request, reply wire.Reply) {
	r := req.Msg.(*kmsg.AddPartitionsToTxnRequest)
	resp := r.ResponseKind().(*kmsg.AddPartitionsToTxnResponse)
	if req.Version < 4 {
		parts := topicPartitions(r.Topics)
		errs := n.deniedPartitions(req, parts)
		if errs == nil {
			errs = n.txns.coord.AddPartitions(r.TransactionalID, r.ProducerID, r.ProducerEpoch, parts)
		}
		for _, t := range r.Topics {
			rt := kmsg.NewAddPartitionsToTxnResponseTopic()
			rt.Topic = t.Topic
			for _, p := range t.Partitions {
				rt.Partitions = append(rt.Partitions, kmsg.AddPartitionsToTxnResponseTopicPartition{
					Partition: p, ErrorCode: fencedCode(errs[txn.TopicPartition{Topic: t.Topic, Partition: p}], req.Version, 3)})
			}
			resp.Topics = append(resp.Topics, rt)
		}
		reply.Send(resp)
		return
	}
	for _, t := range r.Transactions {
		resp.Transactions = append(resp.Transactions, n.addPartitionsBatched(t, req.Version))
	}
	reply.Send(resp)
}

// deniedPartitions is Kafka's Write check of a client's
// AddPartitionsToTxn (v0-3): when the principal may not write a topic
// (never an internal one), nothing is added, its partitions answer
// TOPIC_AUTHORIZATION_FAILED, unknown ones UNKNOWN_TOPIC_OR_PARTITION and
// the rest OPERATION_NOT_ATTEMPTED; nil when every topic is allowed.
func (n *Node) deniedPartitions(req *wire.Request, parts []txn.TopicPartition) map[txn.TopicPartition]*kerr.Error {
	denied, anyDenied := map[string]bool{}, false
	for _, tp := range parts {
		if _, seen := denied[tp.Topic]; !seen {
			denied[tp.Topic] = isInternalTopic(tp.Topic) || !n.authorize(req, opWrite, resTopic, tp.Topic)
			anyDenied = anyDenied || denied[tp.Topic]
		}
	}
	if !anyDenied {
		return nil
	}
	img := n.meta.Current()
	out := make(map[txn.TopicPartition]*kerr.Error, len(parts))
	for _, tp := range parts {
		switch {
		case denied[tp.Topic]:
			out[tp] = kerr.TopicAuthorizationFailed
		case img.Partition(tp.Topic, tp.Partition) == nil:
			out[tp] = kerr.UnknownTopicOrPartition
		default:
			out[tp] = kerr.OperationNotAttempted
		}
	}
	return out
}

func topicPartitions(ts []kmsg.AddPartitionsToTxnRequestTopic) []txn.TopicPartition {
	var out []txn.TopicPartition
	for _, t := range ts {
		for _, p := range t.Partitions {
			out = append(out, txn.TopicPartition{Topic: t.Topic, Partition: p})
		}
	}
	return out
}

// addPartitionsBatched answers one transaction of the v4+ (broker to
// coordinator) form: add, or with VerifyOnly check membership only.
func (n *Node) addPartitionsBatched(t kmsg.AddPartitionsToTxnRequestTransaction, version int16) kmsg.AddPartitionsToTxnResponseTransaction {
	var parts []txn.TopicPartition
	for _, tt := range t.Topics {
		for _, p := range tt.Partitions {
			parts = append(parts, txn.TopicPartition{Topic: tt.Topic, Partition: p})
		}
	}
	var errs map[txn.TopicPartition]*kerr.Error
	switch {
	case t.VerifyOnly:
		errs = n.txns.coord.Verify(t.TransactionalID, t.ProducerID, t.ProducerEpoch, parts)
	case version >= 5: // a partition leader adding for a transactions v2 write (txn_remote.go)
		errs = map[txn.TopicPartition]*kerr.Error{}
		for _, tp := range parts {
			errs[tp] = n.txns.coord.VerifyPartition(t.TransactionalID, t.ProducerID, t.ProducerEpoch, tp, true)
		}
	default:
		errs = n.txns.coord.AddPartitions(t.TransactionalID, t.ProducerID, t.ProducerEpoch, parts)
	}
	rt := kmsg.NewAddPartitionsToTxnResponseTransaction()
	rt.TransactionalID = t.TransactionalID
	for _, tt := range t.Topics {
		top := kmsg.NewAddPartitionsToTxnResponseTransactionTopic()
		top.Topic = tt.Topic
		for _, p := range tt.Partitions {
			top.Partitions = append(top.Partitions, kmsg.AddPartitionsToTxnResponseTransactionTopicPartition{
				Partition: p, ErrorCode: fencedCode(errs[txn.TopicPartition{Topic: tt.Topic, Partition: p}], version, 3)})
		}
		rt.Topics = append(rt.Topics, top)
	}
	return rt
}

// handleAddOffsetsToTxn adds the group's __consumer_offsets partition to
// the transaction, so EndTxn writes a marker there.
func (n *Node) handleAddOffsetsToTxn(req *wire.Request, reply wire.Reply) {
	r := req.Msg.(*kmsg.AddOffsetsToTxnRequest)
	resp := r.ResponseKind().(*kmsg.AddOffsetsToTxnResponse)
	if err := n.ensureOffsetsTopic(); err != nil {
		resp.ErrorCode = err.Code
		reply.Send(resp)
		return
	}
	tp := txn.TopicPartition{Topic: offsetsTopic, Partition: n.groups.coord.PartitionFor(r.Group)}
	errs := n.txns.coord.AddPartitions(r.TransactionalID, r.ProducerID, r.ProducerEpoch, []txn.TopicPartition{tp})
	resp.ErrorCode = fencedCode(errs[tp], req.Version, 2)
	reply.Send(resp)
}

func (n *Node) handleEndTxn(req *wire.Request, reply wire.Reply) {
	r := req.Msg.(*kmsg.EndTxnRequest)
	resp := r.ResponseKind().(*kmsg.EndTxnResponse)
	res := n.txns.coord.EndTxn(r.TransactionalID, r.ProducerID, r.ProducerEpoch, r.Commit, req.Version >= 5)
	resp.ErrorCode = fencedCode(res.Err, req.Version, 2)
	resp.ProducerID, resp.ProducerEpoch = res.ProducerID, res.Epoch
	reply.Send(resp)
}

// handleWriteTxnMarkers appends the requested markers (normally sent by a
// coordinator to partition leaders; here the coordinator writes them in
// process, and the API serves tools and tests).
func (n *Node) handleWriteTxnMarkers(req *wire.Request, reply wire.Reply) {
	r := req.Msg.(*kmsg.WriteTxnMarkersRequest)
	resp := r.ResponseKind().(*kmsg.WriteTxnMarkersResponse)
	for _, m := range r.Markers {
		rm := kmsg.NewWriteTxnMarkersResponseMarker()
		rm.ProducerID = m.ProducerID
		for _, t := range m.Topics {
			rt := kmsg.NewWriteTxnMarkersResponseMarkerTopic()
			rt.Topic = t.Topic
			for _, part := range t.Partitions {
				code := int16(0)
				if p := n.parts.get(t.Topic, part); p == nil {
					code = kerr.UnknownTopicOrPartition.Code
				} else if err := n.writeMarker(p, m.ProducerID, m.ProducerEpoch, m.Committed, m.CoordinatorEpoch); err != nil {
					code = err.Code
				} else {
					n.onMarkerWritten(txn.TopicPartition{Topic: t.Topic, Partition: part}, m.ProducerID, m.Committed)
				}
				rt.Partitions = append(rt.Partitions, kmsg.WriteTxnMarkersResponseMarkerTopicPartition{Partition: part, ErrorCode: code})
			}
			rm.Topics = append(rm.Topics, rt)
		}
		resp.Markers = append(resp.Markers, rm)
	}
	reply.Send(resp)
}
