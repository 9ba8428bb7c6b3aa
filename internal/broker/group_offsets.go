package broker

// OffsetCommit (v2-10), OffsetFetch (v1-10) and OffsetDelete (v0), as
// Kafka's offset manager: commits are validated against the group's
// generation (classic) or member epoch (KIP-848), written to
// __consumer_offsets in Kafka's OffsetCommitKey/Value format, and fetched
// from memory. OffsetFetch batches groups from v8 and both name topics by
// id from v10. With RequireStable (v7+) partitions with offsets in an open
// transaction (TxnOffsetCommit, txn_offset_commit.go) answer
// UNSTABLE_OFFSET_COMMIT.

import (
	"github.com/gofka/gofka/internal/wire"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func (n *Node) handleOffsetCommit(req *wire.Request, reply wire.Reply) {
	r := req.Msg.(*kmsg.OffsetCommitRequest)
	denied, groupErr := n.offsetCommitAuthz(req, r)
	if groupErr {
		resp := r.ResponseKind().(*kmsg.OffsetCommitResponse)
		resp.Topics = denied
		reply.Send(resp)
		return
	}
	resp := n.groups.coord.OffsetCommit(r)
	resp.Topics = append(resp.Topics, denied...)
	reply.Send(resp)
}

func (n *Node) handleOffsetFetch(req *wire.Request, reply wire.Reply) {
	r := req.Msg.(*kmsg.OffsetFetchRequest)
	groups := []string{r.Group}
	if req.Version >= 8 {
		groups = nil
		for _, g := range r.Groups {
			groups = append(groups, g.Group)
		}
	}
	resp := n.groups.coord.OffsetFetch(r)
	n.offsetFetchAuthz(req, resp, groups)
	reply.Send(resp)
}

func (n *Node) handleOffsetDelete(req *wire.Request, reply wire.Reply) {
	reply.Send(n.groups.coord.OffsetDelete(req.Msg.(*kmsg.OffsetDeleteRequest)))
}
