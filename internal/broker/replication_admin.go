package broker

// The controller's replication APIs. ElectLeaders (key 43, v0-2),
// AlterPartitionAssignments (45, v0-1) and ListPartitionReassignments
// (46, v0) are authorized here (ALTER, ALTER and DESCRIBE on the cluster:
// refuse.go) and forwarded to the active controller, as Kafka's brokers
// do. AlterPartition (56, v2-3) is served on the controller listener only:
// partition leaders send it to the active controller (toController).

import (
	"github.com/gofka/gofka/internal/wire"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func (n *Node) handleElectLeaders(req *wire.Request, reply wire.Reply) {
	if n.forwarded(req, reply) {
		return
	}
	resp := n.ctrl.ElectLeaders(req.Msg.(*kmsg.ElectLeadersRequest))
	resp.SetVersion(req.Version)
	reply.Send(resp)
}

func (n *Node) handleAlterPartitionAssignments(req *wire.Request, reply wire.Reply) {
	if n.forwarded(req, reply) {
		return
	}
	resp := n.ctrl.AlterPartitionAssignments(req.Msg.(*kmsg.AlterPartitionAssignmentsRequest))
	resp.SetVersion(req.Version)
	reply.Send(resp)
}

func (n *Node) handleListPartitionReassignments(req *wire.Request, reply wire.Reply) {
	if n.forwarded(req, reply) {
		return
	}
	r := req.Msg.(*kmsg.ListPartitionReassignmentsRequest)
	resp := r.ResponseKind().(*kmsg.ListPartitionReassignmentsResponse)
	resp.SetVersion(req.Version)
	resp.Topics = n.ctrl.ListPartitionReassignments(r.Topics)
	reply.Send(resp)
}

// handleAlterPartition applies a partition leader's ISR change (controller
// listener; the active controller only).
func (n *Node) handleAlterPartition(req *wire.Request, reply wire.Reply) {
	resp := n.ctrl.AlterPartition(req.Msg.(*kmsg.AlterPartitionRequest))
	resp.SetVersion(req.Version)
	reply.Send(resp)
}
