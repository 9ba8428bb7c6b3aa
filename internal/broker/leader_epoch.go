package broker

// OffsetForLeaderEpoch, versions 2-4: the end offset of a leader epoch
// from the leader epoch cache (the start offset of the next epoch, or the
// log end offset for the latest), after checking the caller's current
// leader epoch.

import (
	"github.com/gofka/gofka/internal/wire"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func (n *Node) handleOffsetForLeaderEpoch(req *wire.Request, reply wire.Reply) {
	r := req.Msg.(*kmsg.OffsetForLeaderEpochRequest)
	resp := r.ResponseKind().(*kmsg.OffsetForLeaderEpochResponse)
	resp.SetVersion(req.Version)
	for _, t := range r.Topics {
		rt := kmsg.NewOffsetForLeaderEpochResponseTopic()
		rt.Topic = t.Topic
		denied := !n.authorizeEpochs(req, r, t.Topic)
		for _, rp := range t.Partitions {
			if denied {
				out := kmsg.NewOffsetForLeaderEpochResponseTopicPartition()
				out.Partition, out.LeaderEpoch, out.EndOffset, out.ErrorCode = rp.Partition, -1, -1, kerr.TopicAuthorizationFailed.Code
				rt.Partitions = append(rt.Partitions, out)
				continue
			}
			rt.Partitions = append(rt.Partitions, n.epochEnd(t.Topic, rp))
		}
		resp.Topics = append(resp.Topics, rt)
	}
	reply.Send(resp)
}

// authorizeEpochs: a follower (replica id >= 0) needs ClusterAction, a
// consumer Describe on the topic.
func (n *Node) authorizeEpochs(req *wire.Request, r *kmsg.OffsetForLeaderEpochRequest, topic string) bool {
	if r.ReplicaID >= 0 {
		return n.authorizeCluster(req, opClusterAction)
	}
	return n.authorize(req, opDescribe, resTopic, topic)
}

func (n *Node) epochEnd(topic string, rp kmsg.OffsetForLeaderEpochRequestTopicPartition) kmsg.OffsetForLeaderEpochResponseTopicPartition {
	out := kmsg.NewOffsetForLeaderEpochResponseTopicPartition()
	out.Partition, out.LeaderEpoch, out.EndOffset = rp.Partition, -1, -1
	p := n.parts.get(topic, rp.Partition)
	if p == nil {
		out.ErrorCode = kerr.UnknownTopicOrPartition.Code
		return out
	}
	if !p.rep.IsLeader() {
		out.ErrorCode = kerr.NotLeaderForPartition.Code
		return out
	}
	if code := checkLeaderEpoch(rp.CurrentLeaderEpoch, p.leaderEpoch.Load()); code != nil {
		out.ErrorCode = code.Code
		return out
	}
	out.LeaderEpoch, out.EndOffset = p.log.EndOffsetForEpoch(rp.LeaderEpoch)
	return out
}
