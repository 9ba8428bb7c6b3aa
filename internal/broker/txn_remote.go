package broker

// The transaction coordinator and the partition leaders on other brokers,
// as Kafka's TransactionMarkerChannelManager and AddPartitionsToTxnManager
// talk to them: markers go to each partition's leader as WriteTxnMarkers,
// and a leader checks a transactional write against the transactional
// id's coordinator with AddPartitionsToTxn (v4+, the broker form:
// VerifyOnly, or an add under transactions v2). Both go over the
// inter-broker listener, one connection per peer address.

import (
	"context"
	"fmt"
	"time"

	"github.com/gofka/gofka/internal/txn"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// peerTimeout bounds one request to another broker.
const peerTimeout = 10 * time.Second

// sendPeer sends req to another broker.
func (n *Node) sendPeer(id int32, req kmsg.Request) (kmsg.Response, error) {
	addr, err := n.brokerAddr(id)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), peerTimeout)
	defer cancel()
	return n.coord.peers.client(addr).Request(ctx, req)
}

// sendMarkers writes one transaction's markers on partitions another
// broker leads. A partition deleted meanwhile needs no marker.
func (n *Node) sendMarkers(leader int32, pid int64, epoch int16, commit bool, coordEpoch int32, tps []txn.TopicPartition) error {
	if leader < 0 {
		return fmt.Errorf("broker: markers for %v: %w", tps, kerr.LeaderNotAvailable)
	}
	req := kmsg.NewPtrWriteTxnMarkersRequest()
	req.SetVersion(1)
	m := kmsg.NewWriteTxnMarkersRequestMarker()
	m.ProducerID, m.ProducerEpoch, m.Committed, m.CoordinatorEpoch = pid, epoch, commit, coordEpoch
	byTopic := map[string]int{}
	for _, tp := range tps {
		i, ok := byTopic[tp.Topic]
		if !ok {
			i = len(m.Topics)
			byTopic[tp.Topic] = i
			m.Topics = append(m.Topics, kmsg.WriteTxnMarkersRequestMarkerTopic{Topic: tp.Topic})
		}
		m.Topics[i].Partitions = append(m.Topics[i].Partitions, tp.Partition)
	}
	req.Markers = append(req.Markers, m)
	resp, err := n.sendPeer(leader, req)
	if err != nil {
		return fmt.Errorf("broker: markers to broker %d: %w", leader, err)
	}
	for _, rm := range resp.(*kmsg.WriteTxnMarkersResponse).Markers {
		for _, t := range rm.Topics {
			for _, p := range t.Partitions {
				if p.ErrorCode != 0 && p.ErrorCode != kerr.UnknownTopicOrPartition.Code {
					return fmt.Errorf("broker: marker for %s-%d on broker %d: %w", t.Topic, p.Partition, leader, kerr.ErrorForCode(p.ErrorCode))
				}
			}
		}
	}
	return nil
}

// verifyTxn checks, before a transactional write to tp, that tp is in the
// producer's ongoing transaction (adding it with implicit), with the
// transactional id's coordinator wherever it is.
func (n *Node) verifyTxn(id string, pid int64, epoch int16, tp txn.TopicPartition, implicit bool) *kerr.Error {
	leader := coordinatorLeader(n.meta.Current(), txn.Topic, id)
	switch {
	case leader == n.nodeID:
		return n.txns.coord.VerifyPartition(id, pid, epoch, tp, implicit)
	case leader < 0:
		return kerr.CoordinatorNotAvailable
	}
	req := kmsg.NewPtrAddPartitionsToTxnRequest()
	req.SetVersion(4)
	if implicit {
		req.SetVersion(5) // transactions v2: the coordinator adds the partition
	}
	t := kmsg.NewAddPartitionsToTxnRequestTransaction()
	t.TransactionalID, t.ProducerID, t.ProducerEpoch, t.VerifyOnly = id, pid, epoch, !implicit
	t.Topics = []kmsg.AddPartitionsToTxnRequestTransactionTopic{{Topic: tp.Topic, Partitions: []int32{tp.Partition}}}
	req.Transactions = append(req.Transactions, t)
	resp, err := n.sendPeer(leader, req)
	if err != nil {
		n.log.Warn("verify transaction with its coordinator", "transactional.id", id, "coordinator", leader, "err", err)
		return kerr.CoordinatorNotAvailable
	}
	r := resp.(*kmsg.AddPartitionsToTxnResponse)
	if r.ErrorCode != 0 {
		return kerrOf(r.ErrorCode)
	}
	for _, rt := range r.Transactions {
		for _, top := range rt.Topics {
			for _, p := range top.Partitions {
				if p.ErrorCode != 0 {
					return kerrOf(p.ErrorCode)
				}
			}
		}
	}
	return nil
}

// kerrOf is the kerr.Error of a code.
func kerrOf(code int16) *kerr.Error {
	if e, ok := kerr.ErrorForCode(code).(*kerr.Error); ok {
		return e
	}
	return kerr.UnknownServerError
}
