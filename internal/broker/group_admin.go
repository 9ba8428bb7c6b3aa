package broker

// ListGroups (v0-5, state filter v4, type filter v5), DescribeGroups (v0-6)
// and DeleteGroups (v0-3), as Kafka's group coordinator: only empty groups
// are deleted, with tombstones for their metadata and offsets.

import (
	"github.com/gofka/gofka/internal/wire"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func (n *Node) handleListGroups(req *wire.Request, reply wire.Reply) {
	reply.Send(n.groups.coord.ListGroups(req.Msg.(*kmsg.ListGroupsRequest)))
}

func (n *Node) handleDescribeGroups(req *wire.Request, reply wire.Reply) {
	r := req.Msg.(*kmsg.DescribeGroupsRequest)
	resp := n.groups.coord.DescribeGroups(r)
	if r.IncludeAuthorizedOperations {
		for i := range resp.Groups {
			// DELETE 6, DESCRIBE 8, READ 3: every group operation, no authorizer.
			resp.Groups[i].AuthorizedOperations = 1<<3 | 1<<6 | 1<<8
		}
	}
	reply.Send(resp)
}

func (n *Node) handleDeleteGroups(req *wire.Request, reply wire.Reply) {
	reply.Send(n.groups.coord.DeleteGroups(req.Msg.(*kmsg.DeleteGroupsRequest)))
}
