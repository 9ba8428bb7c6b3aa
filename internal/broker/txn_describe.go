package broker

// DescribeProducers (v0), DescribeTransactions (v0) and ListTransactions
// (v0-2: v1 duration filter, KIP-994; v2 transactional id pattern,
// KIP-1152), as Kafka's KafkaApis answers them.

import (
	"regexp"

	"github.com/gofka/gofka/internal/txn"
	"github.com/gofka/gofka/internal/wire"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func (n *Node) handleDescribeProducers(req *wire.Request, reply wire.Reply) {
	r := req.Msg.(*kmsg.DescribeProducersRequest)
	resp := r.ResponseKind().(*kmsg.DescribeProducersResponse)
	for _, t := range r.Topics {
		rt := kmsg.NewDescribeProducersResponseTopic()
		rt.Topic = t.Topic
		denied := !n.authorize(req, opRead, resTopic, t.Topic)
		for _, part := range t.Partitions {
			if denied {
				rp := kmsg.NewDescribeProducersResponseTopicPartition()
				rp.Partition, rp.ErrorCode = part, kerr.TopicAuthorizationFailed.Code
				rt.Partitions = append(rt.Partitions, rp)
				continue
			}
			rt.Partitions = append(rt.Partitions, n.describeProducers(t.Topic, part))
		}
		resp.Topics = append(resp.Topics, rt)
	}
	reply.Send(resp)
}

func (n *Node) describeProducers(topic string, part int32) kmsg.DescribeProducersResponseTopicPartition {
	rp := kmsg.NewDescribeProducersResponseTopicPartition()
	rp.Partition = part
	p := n.parts.get(topic, part)
	if p == nil || p.prod == nil {
		rp.ErrorCode = kerr.UnknownTopicOrPartition.Code
		return rp
	}
	p.prod.mu.Lock()
	defer p.prod.mu.Unlock()
	for _, e := range p.prod.st.Entries() {
		ap := kmsg.NewDescribeProducersResponseTopicPartitionActiveProducer()
		ap.ProducerID, ap.ProducerEpoch, ap.LastSequence = e.ProducerID, int32(e.Epoch), e.LastSeq()
		ap.LastTimestamp, ap.CoordinatorEpoch, ap.CurrentTxnStartOffset = e.LastTimestamp, e.CoordinatorEpoch, e.TxnFirstOffset
		rp.ActiveProducers = append(rp.ActiveProducers, ap)
	}
	return rp
}

func (n *Node) handleDescribeTransactions(req *wire.Request, reply wire.Reply) {
	r := req.Msg.(*kmsg.DescribeTransactionsRequest)
	resp := r.ResponseKind().(*kmsg.DescribeTransactionsResponse)
	for i, m := range n.txns.coord.Describe(r.TransactionalIDs) {
		st := kmsg.NewDescribeTransactionsResponseTransactionState()
		st.TransactionalID = r.TransactionalIDs[i]
		if !n.authorize(req, opDescribe, resTxnID, st.TransactionalID) {
			st.ErrorCode = kerr.TransactionalIDAuthorizationFailed.Code
			resp.TransactionStates = append(resp.TransactionStates, st)
			continue
		}
		if err := n.txns.coord.Owner(st.TransactionalID); err != nil {
			st.ErrorCode = err.Code
			resp.TransactionStates = append(resp.TransactionStates, st)
			continue
		}
		if m == nil {
			st.ErrorCode = kerr.TransactionalIDNotFound.Code
			resp.TransactionStates = append(resp.TransactionStates, st)
			continue
		}
		st.State, st.TimeoutMillis, st.StartTimestamp = txn.StateName(m.State), m.TimeoutMs, m.StartMs
		st.ProducerID, st.ProducerEpoch = m.ProducerID, m.Epoch
		for _, tp := range m.SortedPartitions() {
			if k := len(st.Topics); k > 0 && st.Topics[k-1].Topic == tp.Topic {
				st.Topics[k-1].Partitions = append(st.Topics[k-1].Partitions, tp.Partition)
				continue
			}
			st.Topics = append(st.Topics, kmsg.DescribeTransactionsResponseTransactionStateTopic{Topic: tp.Topic, Partitions: []int32{tp.Partition}})
		}
		resp.TransactionStates = append(resp.TransactionStates, st)
	}
	reply.Send(resp)
}

var knownStates = map[string]bool{"Empty": true, "Ongoing": true, "PrepareCommit": true, "PrepareAbort": true,
	"CompleteCommit": true, "CompleteAbort": true, "Dead": true, "PrepareEpochFence": true}

func (n *Node) handleListTransactions(req *wire.Request, reply wire.Reply) {
	r := req.Msg.(*kmsg.ListTransactionsRequest)
	resp := r.ResponseKind().(*kmsg.ListTransactionsResponse)
	f := txn.ListFilter{ProducerIDs: r.ProducerIDFilters, MinDuration: -1}
	if req.Version >= 1 {
		f.MinDuration = r.DurationFilterMillis
	}
	for _, s := range r.StateFilters {
		if knownStates[s] {
			f.States = append(f.States, s)
		} else {
			resp.UnknownStateFilters = append(resp.UnknownStateFilters, s)
		}
	}
	if len(r.StateFilters) > 0 && len(f.States) == 0 {
		reply.Send(resp) // only unknown states: nothing can match
		return
	}
	if req.Version >= 2 && r.TransactionalIDPattern != nil && *r.TransactionalIDPattern != "" {
		re, err := regexp.Compile(*r.TransactionalIDPattern)
		if err != nil {
			resp.ErrorCode = kerr.InvalidRegularExpression.Code
			reply.Send(resp)
			return
		}
		f.Pattern = re.MatchString
	}
	for _, m := range n.txns.coord.List(f) {
		if !n.authorizeQuiet(req, opDescribe, resTxnID, m.TransactionalID) {
			continue
		}
		resp.TransactionStates = append(resp.TransactionStates, kmsg.ListTransactionsResponseTransactionState{
			TransactionalID: m.TransactionalID, ProducerID: m.ProducerID, TransactionState: txn.StateName(m.State)})
	}
	reply.Send(resp)
}
