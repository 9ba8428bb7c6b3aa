package broker

// ConsumerGroupHeartbeat (v0-1) and ConsumerGroupDescribe (v0-1): KIP-848
// consumer groups. The coordinator assigns partitions server-side (uniform
// and range assignors), subscriptions are topic names or a regex (v1),
// members reconcile by epoch and revoke before partitions move, and
// offset commits are fenced by member epoch.

import (
	"github.com/gofka/gofka/internal/wire"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func (n *Node) handleConsumerGroupHeartbeat(req *wire.Request, reply wire.Reply) {
	r := req.Msg.(*kmsg.ConsumerGroupHeartbeatRequest)
	if n.shares.coord.IsShareGroup(r.Group) { // share groups share the namespace
		resp := r.ResponseKind().(*kmsg.ConsumerGroupHeartbeatResponse)
		msg := "Group " + r.Group + " is not a consumer group."
		resp.ErrorCode, resp.ErrorMessage = kerr.GroupIDNotFound.Code, &msg
		reply.Send(resp)
		return
	}
	reply.Send(n.groups.coord.ConsumerGroupHeartbeat(r, req.ClientIDString(), clientHost(req)))
}

func (n *Node) handleConsumerGroupDescribe(req *wire.Request, reply wire.Reply) {
	r := req.Msg.(*kmsg.ConsumerGroupDescribeRequest)
	resp := n.groups.coord.ConsumerGroupDescribe(r)
	for i := range resp.Groups {
		g := &resp.Groups[i]
		if !n.authorizeGroup(req, opDescribe, g.Group) {
			*g = kmsg.ConsumerGroupDescribeResponseGroup{Group: g.Group, ErrorCode: groupDenied}
			continue
		}
		if r.IncludeAuthorizedOperations {
			g.AuthorizedOperations = n.groupOps(req, g.Group)
		}
	}
	reply.Send(resp)
}
