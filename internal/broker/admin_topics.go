package broker

// CreateTopics (v2-7), DeleteTopics (v1-6) and CreatePartitions (v0-3).
// Validation and the metadata records are the controller's; the handlers
// adapt requests and responses. Changes are committed and applied before
// the response, so the topic is usable as soon as the client hears back.

import (
	"github.com/gofka/gofka/internal/controller"
	"github.com/gofka/gofka/internal/wire"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func (n *Node) handleCreateTopics(req *wire.Request, reply wire.Reply) {
	if n.forwarded(req, reply) {
		return
	}
	r := req.Msg.(*kmsg.CreateTopicsRequest)
	resp := r.ResponseKind().(*kmsg.CreateTopicsResponse)
	resp.SetVersion(req.Version)
	allowed, denied := n.splitCreateTopics(req, r)
	resp.Topics = append(n.ctrl.CreateTopics(allowed), denied...)
	reply.Send(resp)
}

func (n *Node) handleDeleteTopics(req *wire.Request, reply wire.Reply) {
	if n.forwarded(req, reply) {
		return
	}
	r := req.Msg.(*kmsg.DeleteTopicsRequest)
	resp := r.ResponseKind().(*kmsg.DeleteTopicsResponse)
	resp.SetVersion(req.Version)
	allowed, denied := n.splitDeleteTopics(req, r)
	resp.Topics = append(n.ctrl.DeleteTopics(allowed), denied...)
	reply.Send(resp)
}

func (n *Node) handleCreatePartitions(req *wire.Request, reply wire.Reply) {
	if n.forwarded(req, reply) {
		return
	}
	r := req.Msg.(*kmsg.CreatePartitionsRequest)
	resp := r.ResponseKind().(*kmsg.CreatePartitionsResponse)
	resp.SetVersion(req.Version)
	allowed, denied := n.splitCreatePartitions(req, r)
	resp.Topics = append(n.ctrl.CreatePartitions(allowed), denied...)
	reply.Send(resp)
}

// validateTopicName is the controller's rule, used by auto-creation.
func validateTopicName(name string) error { return controller.ValidateTopicName(name) }
