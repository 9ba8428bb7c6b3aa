package broker

// DeleteRecords, versions 0-2: advances a partition's log start offset
// (offset -1 means the high watermark), deleting whole segments below it;
// answers with the new low watermark.

import (
	"github.com/gofka/gofka/internal/wire"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func (n *Node) handleDeleteRecords(req *wire.Request, reply wire.Reply) {
	r := req.Msg.(*kmsg.DeleteRecordsRequest)
	resp := r.ResponseKind().(*kmsg.DeleteRecordsResponse)
	resp.SetVersion(req.Version)
	for _, t := range r.Topics {
		rt := kmsg.NewDeleteRecordsResponseTopic()
		rt.Topic = t.Topic
		denied := !n.authorize(req, opDelete, resTopic, t.Topic)
		for _, rp := range t.Partitions {
			if denied {
				out := kmsg.NewDeleteRecordsResponseTopicPartition()
				out.Partition, out.LowWatermark, out.ErrorCode = rp.Partition, -1, kerr.TopicAuthorizationFailed.Code
				rt.Partitions = append(rt.Partitions, out)
				continue
			}
			rt.Partitions = append(rt.Partitions, n.deleteRecords(t.Topic, rp))
		}
		resp.Topics = append(resp.Topics, rt)
	}
	reply.Send(resp)
}

func (n *Node) deleteRecords(topic string, rp kmsg.DeleteRecordsRequestTopicPartition) kmsg.DeleteRecordsResponseTopicPartition {
	out := kmsg.NewDeleteRecordsResponseTopicPartition()
	out.Partition, out.LowWatermark = rp.Partition, -1
	p := n.parts.get(topic, rp.Partition)
	if p == nil {
		out.ErrorCode = kerr.UnknownTopicOrPartition.Code
		return out
	}
	if !p.rep.IsLeader() {
		out.ErrorCode = kerr.NotLeaderForPartition.Code
		return out
	}
	off := rp.Offset
	if off == -1 {
		off = p.log.HighWatermark()
	}
	if off < 0 || off > p.log.HighWatermark() {
		out.ErrorCode = kerr.OffsetOutOfRange.Code
		return out
	}
	if err := p.log.DeleteRecordsBefore(off); err != nil {
		out.ErrorCode = storageErrorCode(err).Code
		return out
	}
	out.LowWatermark = p.log.LogStartOffset()
	return out
}
