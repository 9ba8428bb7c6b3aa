package broker

// DescribeShareGroupOffsets (v0-1), AlterShareGroupOffsets (v0) and
// DeleteShareGroupOffsets (v0): the share-partition start offsets of a
// share group, and their lag (v1: records from the start offset to the
// high watermark not yet acknowledged or archived). Altering and deleting
// need an empty group (GROUP_NOT_EMPTY); a deleted start offset starts
// again by the auto offset reset.

import (
	"github.com/gofka/gofka/internal/metadata"
	"github.com/gofka/gofka/internal/share"
	"github.com/gofka/gofka/internal/wire"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func (n *Node) handleDescribeShareGroupOffsets(req *wire.Request, reply wire.Reply) {
	r := req.Msg.(*kmsg.DescribeShareGroupOffsetsRequest)
	resp := r.ResponseKind().(*kmsg.DescribeShareGroupOffsetsResponse)
	for _, g := range r.Groups {
		if !n.authorizeGroup(req, opDescribe, g.GroupID) {
			resp.Groups = append(resp.Groups, kmsg.DescribeShareGroupOffsetsResponseGroup{GroupID: g.GroupID, ErrorCode: groupDenied})
			continue
		}
		resp.Groups = append(resp.Groups, n.describeShareOffsets(g))
	}
	reply.Send(resp)
}

func (n *Node) describeShareOffsets(g kmsg.DescribeShareGroupOffsetsRequestGroup) kmsg.DescribeShareGroupOffsetsResponseGroup {
	out := kmsg.DescribeShareGroupOffsetsResponseGroup{GroupID: g.GroupID}
	if !n.shares.coord.IsShareGroup(g.GroupID) {
		out.ErrorCode = kerr.GroupIDNotFound.Code
		return out
	}
	img := n.meta.Current()
	topics := g.Topics
	if topics == nil {
		topics = n.shareStateTopics(img, g.GroupID)
	}
	for _, t := range topics {
		rt := kmsg.DescribeShareGroupOffsetsResponseGroupTopic{Topic: t.Topic}
		mt := img.Topic(t.Topic)
		if mt != nil {
			rt.TopicID = [16]byte(mt.ID)
		}
		for _, p := range t.Partitions {
			rt.Partitions = append(rt.Partitions, n.describeSharePartition(g.GroupID, mt, p))
		}
		out.Topics = append(out.Topics, rt)
	}
	return out
}

// shareStateTopics lists the topics and partitions a group has state for.
func (n *Node) shareStateTopics(img *metadata.Image, groupID string) []kmsg.DescribeShareGroupOffsetsRequestGroupTopic {
	var out []kmsg.DescribeShareGroupOffsetsRequestGroupTopic
	for _, k := range n.shares.coord.State().Keys(groupID) {
		t := img.TopicByID(metadata.UUID(k.TopicID))
		if t == nil {
			continue
		}
		if l := len(out); l > 0 && out[l-1].Topic == t.Name {
			out[l-1].Partitions = append(out[l-1].Partitions, k.Partition)
			continue
		}
		out = append(out, kmsg.DescribeShareGroupOffsetsRequestGroupTopic{Topic: t.Name, Partitions: []int32{k.Partition}})
	}
	return out
}

func (n *Node) describeSharePartition(groupID string, t *metadata.TopicImage, p int32) kmsg.DescribeShareGroupOffsetsResponseGroupTopicPartition {
	out := kmsg.DescribeShareGroupOffsetsResponseGroupTopicPartition{Partition: p, StartOffset: -1, LeaderEpoch: -1, Lag: -1}
	if t == nil || p < 0 || int(p) >= len(t.Partitions) {
		out.ErrorCode = kerr.UnknownTopicOrPartition.Code
		return out
	}
	st, ok := n.shares.coord.State().Read(share.Key{Group: groupID, TopicID: [16]byte(t.ID), Partition: p})
	if !ok {
		return out
	}
	out.StartOffset, out.LeaderEpoch = st.Start, st.LeaderEpoch
	if lp := n.parts.get(t.Name, p); lp != nil {
		out.Lag = share.Lag(st, lp.log.HighWatermark())
	}
	return out
}

func (n *Node) handleAlterShareGroupOffsets(req *wire.Request, reply wire.Reply) {
	r := req.Msg.(*kmsg.AlterShareGroupOffsetsRequest)
	resp := r.ResponseKind().(*kmsg.AlterShareGroupOffsetsResponse)
	if err := n.shareOffsetsPrecheck(r.GroupID); err != nil {
		resp.ErrorCode = err.Code
		reply.Send(resp)
		return
	}
	img := n.meta.Current()
	for _, t := range r.Topics {
		rt := kmsg.AlterShareGroupOffsetsResponseTopic{Topic: t.Topic}
		mt := img.Topic(t.Topic)
		if mt != nil {
			rt.TopicID = [16]byte(mt.ID)
		}
		for _, p := range t.Partitions {
			rp := kmsg.NewAlterShareGroupOffsetsResponseTopicPartition()
			rp.Partition = p.Partition
			rp.ErrorCode = n.alterShareStart(r.GroupID, mt, p.Partition, p.StartOffset)
			rt.Partitions = append(rt.Partitions, rp)
		}
		resp.Topics = append(resp.Topics, rt)
	}
	reply.Send(resp)
}

// shareOffsetsPrecheck answers for a whole alter or delete: the state
// topic must exist and the group must be a share group with no members.
func (n *Node) shareOffsetsPrecheck(groupID string) *kerr.Error {
	switch {
	case groupID == "":
		return kerr.InvalidGroupID
	case n.groups.coord.Exists(groupID):
		return kerr.GroupIDNotFound
	case !n.shares.coord.Empty(groupID):
		return kerr.NonEmptyGroup
	}
	return n.ensureShareStateTopic()
}

func (n *Node) alterShareStart(groupID string, t *metadata.TopicImage, p int32, offset int64) int16 {
	if t == nil || p < 0 || int(p) >= len(t.Partitions) {
		return kerr.UnknownTopicOrPartition.Code
	}
	if lp := n.parts.get(t.Name, p); lp != nil && (offset < lp.log.LogStartOffset() || offset > lp.log.HighWatermark()) {
		return kerr.InvalidRequest.Code
	}
	if err := n.shares.coord.SetStart(share.Key{Group: groupID, TopicID: [16]byte(t.ID), Partition: p}, offset); err != nil {
		return err.Code
	}
	return 0
}

func (n *Node) handleDeleteShareGroupOffsets(req *wire.Request, reply wire.Reply) {
	r := req.Msg.(*kmsg.DeleteShareGroupOffsetsRequest)
	resp := r.ResponseKind().(*kmsg.DeleteShareGroupOffsetsResponse)
	if err := n.shareOffsetsPrecheck(r.GroupID); err != nil {
		resp.ErrorCode = err.Code
		reply.Send(resp)
		return
	}
	img := n.meta.Current()
	for _, t := range r.Topics {
		rt := kmsg.DeleteShareGroupOffsetsResponseTopic{Topic: t.Topic}
		rt.ErrorCode = n.deleteShareStarts(r.GroupID, img.Topic(t.Topic))
		if mt := img.Topic(t.Topic); mt != nil {
			rt.TopicID = [16]byte(mt.ID)
		}
		resp.Topics = append(resp.Topics, rt)
	}
	reply.Send(resp)
}

func (n *Node) deleteShareStarts(groupID string, t *metadata.TopicImage) int16 {
	if t == nil {
		return kerr.UnknownTopicOrPartition.Code
	}
	for _, k := range n.shares.coord.State().Keys(groupID) {
		if k.TopicID != [16]byte(t.ID) {
			continue
		}
		if err := n.shares.coord.DeleteStart(k); err != nil {
			return err.Code
		}
	}
	return 0
}
