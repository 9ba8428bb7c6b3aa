package broker

// ShareFetch responses and ShareAcknowledge (v1-2): acknowledgements on
// their own, in the member's share session (epoch -1 closes it and
// releases what the member still holds). Acknowledgements on a topic the
// principal may not Read answer TOPIC_AUTHORIZATION_FAILED, as Kafka.

import (
	"github.com/gofka/gofka/internal/metadata"
	"github.com/gofka/gofka/internal/share"
	"github.com/gofka/gofka/internal/wire"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// respond answers a ShareFetch: every partition the request named (with
// its acknowledgement outcome) and every partition with records or an
// error.
func (op *shareFetchOp) respond(got []sharePartResult) {
	resp := op.r.ResponseKind().(*kmsg.ShareFetchResponse)
	resp.AcquisitionLockTimeoutMillis = int32(op.set.Limits.LockMs)
	var order []share.TP
	seen := map[share.TP]bool{}
	for _, tp := range op.listed {
		if !seen[tp] {
			seen[tp] = true
			order = append(order, tp)
		}
	}
	for _, g := range got {
		if !seen[g.tp] {
			seen[g.tp] = true
			order = append(order, g.tp)
		}
	}
	byTP := shareFetchLayout(resp, order)
	for _, g := range got {
		p := byTP[g.tp]
		p.ErrorCode, p.Records = g.errCode, g.data
		p.CurrentLeader.LeaderID, p.CurrentLeader.LeaderEpoch = g.leader, g.epoch
		for _, r := range g.acquired {
			p.AcquiredRecords = append(p.AcquiredRecords, kmsg.ShareFetchResponseTopicPartitionAcquiredRecord{
				FirstOffset: r.First, LastOffset: r.Last, DeliveryCount: r.Count,
			})
		}
	}
	for tp, code := range op.acks {
		byTP[tp].AcknowledgeErrorCode = code
	}
	op.reply.Send(resp)
}

// shareFetchLayout adds a response partition for each tp, grouped by
// topic, and indexes them once the slices no longer grow.
func shareFetchLayout(resp *kmsg.ShareFetchResponse, order []share.TP) map[share.TP]*kmsg.ShareFetchResponseTopicPartition {
	topicIdx := map[[16]byte]int{}
	for _, tp := range order {
		i, ok := topicIdx[tp.TopicID]
		if !ok {
			i = len(resp.Topics)
			topicIdx[tp.TopicID] = i
			resp.Topics = append(resp.Topics, kmsg.ShareFetchResponseTopic{TopicID: tp.TopicID})
		}
		p := kmsg.NewShareFetchResponseTopicPartition()
		p.Partition = tp.Partition
		p.CurrentLeader.LeaderID, p.CurrentLeader.LeaderEpoch = -1, -1
		resp.Topics[i].Partitions = append(resp.Topics[i].Partitions, p)
	}
	byTP := map[share.TP]*kmsg.ShareFetchResponseTopicPartition{}
	for i := range resp.Topics {
		for j := range resp.Topics[i].Partitions {
			p := &resp.Topics[i].Partitions[j]
			byTP[share.TP{TopicID: resp.Topics[i].TopicID, Partition: p.Partition}] = p
		}
	}
	return byTP
}

func (n *Node) handleShareAcknowledge(req *wire.Request, reply wire.Reply) {
	r := req.Msg.(*kmsg.ShareAcknowledgeRequest)
	resp := r.ResponseKind().(*kmsg.ShareAcknowledgeResponse)
	if err := n.shareAcknowledge(req, r, resp); err != nil {
		resp.ErrorCode = err.Code
		resp.Topics = nil
	}
	reply.Send(resp)
}

func (n *Node) shareAcknowledge(req *wire.Request, r *kmsg.ShareAcknowledgeRequest, resp *kmsg.ShareAcknowledgeResponse) *kerr.Error {
	if !n.sharesEnabled() {
		return kerr.UnsupportedVersion
	}
	if r.GroupID == nil || *r.GroupID == "" || r.MemberID == nil || *r.MemberID == "" {
		return kerr.InvalidRequest
	}
	if r.ShareSessionEpoch == share.InitialEpoch {
		return kerr.InvalidShareSessionEpoch
	}
	groupID, member := *r.GroupID, *r.MemberID
	u := share.SessionUpdate{Group: groupID, Member: member, Epoch: r.ShareSessionEpoch}
	if _, err := n.shares.coord.Session(u); err != nil {
		return err
	}
	img := n.meta.Current()
	for _, t := range r.Topics {
		rt := kmsg.ShareAcknowledgeResponseTopic{TopicID: t.TopicID}
		ti := img.TopicByID(metadata.UUID(t.TopicID))
		denied := ti != nil && !n.authorize(req, opRead, resTopic, ti.Name)
		for _, p := range t.Partitions {
			tp := share.TP{TopicID: t.TopicID, Partition: p.Partition}
			rp := kmsg.NewShareAcknowledgeResponseTopicPartition()
			rp.Partition = p.Partition
			rp.CurrentLeader.LeaderID, rp.CurrentLeader.LeaderEpoch = n.nodeID, -1
			if denied {
				rp.ErrorCode = kerr.TopicAuthorizationFailed.Code
			} else {
				rp.ErrorCode = n.shareAck(groupID, member, tp, ackBatches(p.AcknowledgementBatches), r.IsRenewAck)
			}
			rt.Partitions = append(rt.Partitions, rp)
		}
		resp.Topics = append(resp.Topics, rt)
	}
	if r.ShareSessionEpoch == share.FinalEpoch {
		n.shares.coord.CloseSession(groupID, member)
	}
	return nil
}

func ackBatches(in []kmsg.ShareAcknowledgeRequestTopicPartitionAcknowledgementBatch) []share.AckBatch {
	out := make([]share.AckBatch, len(in))
	for i, b := range in {
		out[i] = share.AckBatch{First: b.FirstOffset, Last: b.LastOffset, Types: ackTypes(b.AcknowledgeTypes)}
	}
	return out
}
