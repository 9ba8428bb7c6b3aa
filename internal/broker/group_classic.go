package broker

// JoinGroup (v2-9), SyncGroup (v0-5), Heartbeat (v0-4) and LeaveGroup
// (v0-5): the classic group protocol, as Kafka's classic group
// coordinator. JoinGroup and SyncGroup park until the rebalance step
// completes; the coordinator answers through the reply later. Member ids
// are required from JoinGroup v4 (KIP-394), static membership from v5
// (KIP-345), LeaveGroup batches members from v3.

import (
	"github.com/gofka/gofka/internal/wire"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func (n *Node) handleJoinGroup(req *wire.Request, reply wire.Reply) {
	r := req.Msg.(*kmsg.JoinGroupRequest)
	if n.shares.coord.IsShareGroup(r.Group) { // share groups share the namespace
		resp := r.ResponseKind().(*kmsg.JoinGroupResponse)
		resp.ErrorCode, resp.MemberID = kerr.InconsistentGroupProtocol.Code, r.MemberID
		reply.Send(resp)
		return
	}
	n.groups.coord.JoinGroup(r, req.ClientIDString(), clientHost(req), func(resp *kmsg.JoinGroupResponse) {
		reply.Send(resp)
	})
}

func (n *Node) handleSyncGroup(req *wire.Request, reply wire.Reply) {
	r := req.Msg.(*kmsg.SyncGroupRequest)
	n.groups.coord.SyncGroup(r, func(resp *kmsg.SyncGroupResponse) { reply.Send(resp) })
}

func (n *Node) handleHeartbeat(req *wire.Request, reply wire.Reply) {
	reply.Send(n.groups.coord.Heartbeat(req.Msg.(*kmsg.HeartbeatRequest)))
}

func (n *Node) handleLeaveGroup(req *wire.Request, reply wire.Reply) {
	reply.Send(n.groups.coord.LeaveGroup(req.Msg.(*kmsg.LeaveGroupRequest)))
}
