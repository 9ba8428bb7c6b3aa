package broker

// Authorization of the group APIs, as Kafka's KafkaApis and
// GroupCoordinator checks: JoinGroup, SyncGroup, Heartbeat, LeaveGroup,
// OffsetCommit and ConsumerGroupHeartbeat need Read on the group;
// OffsetFetch, DescribeGroups and ConsumerGroupDescribe Describe; DeleteGroups
// and OffsetDelete Delete; FindCoordinator Describe on the group (or the
// transactional id). OffsetCommit also needs Read on each topic, and
// OffsetFetch answers only topics the principal may Describe. ListGroups
// lists the groups the principal may Describe (all with Describe on the
// cluster).

import (
	"github.com/gofka/gofka/internal/authz"
	"github.com/gofka/gofka/internal/metadata"
	"github.com/gofka/gofka/internal/wire"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

var groupDenied = kerr.GroupAuthorizationFailed.Code

// authorizeGroup checks op on the group.
func (n *Node) authorizeGroup(req *wire.Request, op authz.Operation, group string) bool {
	return n.authorize(req, op, resGroup, group)
}

// offsetCommitAuthz answers OffsetCommit when the group is refused, and
// otherwise removes the topics without Read from r, returning their
// TOPIC_AUTHORIZATION_FAILED answers.
func (n *Node) offsetCommitAuthz(req *wire.Request, r *kmsg.OffsetCommitRequest) (denied []kmsg.OffsetCommitResponseTopic, groupErr bool) {
	groupErr = !n.authorizeGroup(req, opRead, r.Group)
	kept := r.Topics[:0:0]
	img := n.meta.Current()
	for _, t := range r.Topics {
		name := t.Topic
		if ti := img.TopicByID(metadata.UUID(t.TopicID)); name == "" && ti != nil {
			name = ti.Name
		}
		if !groupErr && n.authorize(req, opRead, resTopic, name) {
			kept = append(kept, t)
			continue
		}
		code := kerr.TopicAuthorizationFailed.Code
		if groupErr {
			code = groupDenied
		}
		rt := kmsg.NewOffsetCommitResponseTopic()
		rt.Topic, rt.TopicID = t.Topic, t.TopicID
		for _, p := range t.Partitions {
			rp := kmsg.NewOffsetCommitResponseTopicPartition()
			rp.Partition, rp.ErrorCode = p.Partition, code
			rt.Partitions = append(rt.Partitions, rp)
		}
		denied = append(denied, rt)
	}
	r.Topics = kept
	return denied, groupErr
}

// offsetFetchAuthz marks groups without Describe and drops topics without
// Describe from an OffsetFetch response.
func (n *Node) offsetFetchAuthz(req *wire.Request, resp *kmsg.OffsetFetchResponse, groups []string) {
	if len(resp.Groups) == 0 && len(groups) == 1 {
		if !n.authorizeGroup(req, opDescribe, groups[0]) {
			resp.Topics, resp.ErrorCode = nil, groupDenied
			return
		}
		resp.Topics = filterTopics(resp.Topics, func(t string) bool { return n.authorizeQuiet(req, opDescribe, resTopic, t) })
		return
	}
	for i := range resp.Groups {
		g := &resp.Groups[i]
		if !n.authorizeGroup(req, opDescribe, g.Group) {
			g.Topics, g.ErrorCode = nil, groupDenied
			continue
		}
		kept := g.Topics[:0]
		img := n.meta.Current()
		for _, t := range g.Topics {
			name := t.Topic
			if ti := img.TopicByID(metadata.UUID(t.TopicID)); name == "" && ti != nil {
				name = ti.Name
			}
			if n.authorizeQuiet(req, opDescribe, resTopic, name) {
				kept = append(kept, t)
			}
		}
		g.Topics = kept
	}
}

func filterTopics(ts []kmsg.OffsetFetchResponseTopic, keep func(string) bool) []kmsg.OffsetFetchResponseTopic {
	out := ts[:0]
	for _, t := range ts {
		if keep(t.Topic) {
			out = append(out, t)
		}
	}
	return out
}

// groupOps is the KIP-430 bitfield of a group.
func (n *Node) groupOps(req *wire.Request, group string) int32 {
	return n.authorizedOps(req, resGroup, group)
}
