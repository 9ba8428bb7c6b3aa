package broker

// InitializeShareGroupState (v0), ReadShareGroupState (v0),
// WriteShareGroupState (v0-1), DeleteShareGroupState (v0) and
// ReadShareGroupStateSummary (v0-1): the share coordinator's APIs, which
// Kafka's partition leaders call. Here leader and share coordinator are
// one process and the broker uses the store directly; the APIs are served
// for tools and tests over the same store, with state- and leader-epoch
// fencing.

import (
	"github.com/gofka/gofka/internal/share"
	"github.com/gofka/gofka/internal/wire"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func shareKey(group string, topic [16]byte, p int32) share.Key {
	return share.Key{Group: group, TopicID: topic, Partition: p}
}

// shareStateCheck answers every partition of a state request when the
// group id is missing or the state topic cannot be made.
func (n *Node) shareStateCheck(group string) *kerr.Error {
	if group == "" {
		return kerr.InvalidRequest
	}
	return n.ensureShareStateTopic()
}

func codeOf(err *kerr.Error) int16 {
	if err == nil {
		return 0
	}
	return err.Code
}

func (n *Node) handleInitializeShareGroupState(req *wire.Request, reply wire.Reply) {
	r := req.Msg.(*kmsg.InitializeShareGroupStateRequest)
	resp := r.ResponseKind().(*kmsg.InitializeShareGroupStateResponse)
	pre := n.shareStateCheck(r.GroupID)
	for _, t := range r.Topics {
		rt := kmsg.InitializeShareGroupStateResponseTopic{TopicID: t.TopicID}
		for _, p := range t.Partitions {
			err := n.shareKeyOwner(pre, shareKey(r.GroupID, t.TopicID, p.Partition))
			if err == nil {
				err = n.shares.coord.InitializeAPI(shareKey(r.GroupID, t.TopicID, p.Partition), p.StateEpoch, p.StartOffset)
			}
			rt.Partitions = append(rt.Partitions, kmsg.InitializeShareGroupStateResponseTopicPartition{Partition: p.Partition, ErrorCode: codeOf(err)})
		}
		resp.Topics = append(resp.Topics, rt)
	}
	reply.Send(resp)
}

func (n *Node) handleReadShareGroupState(req *wire.Request, reply wire.Reply) {
	r := req.Msg.(*kmsg.ReadShareGroupStateRequest)
	resp := r.ResponseKind().(*kmsg.ReadShareGroupStateResponse)
	pre := n.shareStateCheck(r.GroupID)
	for _, t := range r.Topics {
		rt := kmsg.ReadShareGroupStateResponseTopic{TopicID: t.TopicID}
		for _, p := range t.Partitions {
			rp := kmsg.NewReadShareGroupStateResponseTopicPartition()
			rp.Partition = p.Partition
			st, err := share.PartitionState{}, n.shareKeyOwner(pre, shareKey(r.GroupID, t.TopicID, p.Partition))
			if err == nil {
				st, err = n.shares.coord.ReadAPI(shareKey(r.GroupID, t.TopicID, p.Partition), p.LeaderEpoch)
			}
			rp.ErrorCode, rp.StateEpoch, rp.StartOffset = codeOf(err), st.StateEpoch, st.Start
			for _, b := range st.Batches {
				rp.StateBatches = append(rp.StateBatches, kmsg.ReadShareGroupStateResponseTopicPartitionStateBatch{
					FirstOffset: b.First, LastOffset: b.Last, DeliveryState: int8(b.State), DeliveryCount: b.Count})
			}
			rt.Partitions = append(rt.Partitions, rp)
		}
		resp.Topics = append(resp.Topics, rt)
	}
	reply.Send(resp)
}

func (n *Node) handleWriteShareGroupState(req *wire.Request, reply wire.Reply) {
	r := req.Msg.(*kmsg.WriteShareGroupStateRequest)
	resp := r.ResponseKind().(*kmsg.WriteShareGroupStateResponse)
	pre := n.shareStateCheck(r.GroupID)
	for _, t := range r.Topics {
		rt := kmsg.WriteShareGroupStateResponseTopic{TopicID: t.TopicID}
		for _, p := range t.Partitions {
			err := n.shareKeyOwner(pre, shareKey(r.GroupID, t.TopicID, p.Partition))
			if err == nil {
				var bs []share.Batch
				for _, b := range p.StateBatches {
					bs = append(bs, share.Batch{First: b.FirstOffset, Last: b.LastOffset, State: share.State(b.DeliveryState), Count: b.DeliveryCount})
				}
				err = n.shares.coord.WriteAPI(shareKey(r.GroupID, t.TopicID, p.Partition), p.StateEpoch, p.LeaderEpoch, p.StartOffset, bs)
			}
			rt.Partitions = append(rt.Partitions, kmsg.WriteShareGroupStateResponseTopicPartition{Partition: p.Partition, ErrorCode: codeOf(err)})
		}
		resp.Topics = append(resp.Topics, rt)
	}
	reply.Send(resp)
}

func (n *Node) handleDeleteShareGroupState(req *wire.Request, reply wire.Reply) {
	r := req.Msg.(*kmsg.DeleteShareGroupStateRequest)
	resp := r.ResponseKind().(*kmsg.DeleteShareGroupStateResponse)
	pre := n.shareStateCheck(r.GroupID)
	for _, t := range r.Topics {
		rt := kmsg.DeleteShareGroupStateResponseTopic{TopicID: t.TopicID}
		for _, p := range t.Partitions {
			err := n.shareKeyOwner(pre, shareKey(r.GroupID, t.TopicID, p.Partition))
			if err == nil {
				err = n.shares.coord.DeleteAPI(shareKey(r.GroupID, t.TopicID, p.Partition))
			}
			rt.Partitions = append(rt.Partitions, kmsg.DeleteShareGroupStateResponseTopicPartition{Partition: p.Partition, ErrorCode: codeOf(err)})
		}
		resp.Topics = append(resp.Topics, rt)
	}
	reply.Send(resp)
}

// handleReadShareGroupStateSummary answers start offsets and epochs; v1's
// DeliveryCompleteCount counts the acknowledged and archived records in
// flight.
func (n *Node) handleReadShareGroupStateSummary(req *wire.Request, reply wire.Reply) {
	r := req.Msg.(*kmsg.ReadShareGroupStateSummaryRequest)
	resp := r.ResponseKind().(*kmsg.ReadShareGroupStateSummaryResponse)
	pre := n.shareStateCheck(r.GroupID)
	for _, t := range r.Topics {
		rt := kmsg.ReadShareGroupStateSummaryResponseTopic{TopicID: t.TopicID}
		for _, p := range t.Partitions {
			rp := kmsg.NewReadShareGroupStateSummaryResponseTopicPartition()
			rp.Partition = p.Partition
			st, err := share.PartitionState{}, n.shareKeyOwner(pre, shareKey(r.GroupID, t.TopicID, p.Partition))
			if err == nil {
				st, err = n.shares.coord.ReadAPI(shareKey(r.GroupID, t.TopicID, p.Partition), p.LeaderEpoch)
			}
			rp.ErrorCode, rp.StateEpoch, rp.LeaderEpoch, rp.StartOffset = codeOf(err), st.StateEpoch, st.LeaderEpoch, st.Start
			rp.DeliveryCompleteCount = deliveryComplete(st)
			rt.Partitions = append(rt.Partitions, rp)
		}
		resp.Topics = append(resp.Topics, rt)
	}
	reply.Send(resp)
}

func deliveryComplete(st share.PartitionState) int32 {
	var n int64
	for _, b := range st.Batches {
		if b.State == share.Acknowledged || b.State == share.Archived {
			n += b.Last - b.First + 1
		}
	}
	return int32(min(n, 1<<31-1))
}
