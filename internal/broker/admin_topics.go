package broker

// CreateTopics (v2-7), DeleteTopics (v1-6) and CreatePartitions (v0-3).
// Validation and the metadata records are the controller's; the handlers
// adapt requests and responses. Changes are committed and applied before
// the response, so the topic is usable as soon as the client hears back.
// Each is under the client's controller_mutation_rate (KIP-599): strict
// from CreateTopics v6, DeleteTopics v5 and CreatePartitions v3 (topics
// over the quota fail with THROTTLING_QUOTA_EXCEEDED), permissive before
// (everything is applied, then the client is throttled).

import (
	"time"

	"github.com/gofka/gofka/internal/controller"
	"github.com/gofka/gofka/internal/quota"
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
	q := n.mutationQuota(req, 6)
	resp.Topics = append(n.ctrl.CreateTopicsQuota(allowed, q), denied...)
	resp.ThrottleMillis = q.throttleMs()
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
	q := n.mutationQuota(req, 5)
	resp.Topics = append(n.ctrl.DeleteTopicsQuota(allowed, q), denied...)
	resp.ThrottleMillis = q.throttleMs()
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
	q := n.mutationQuota(req, 3)
	resp.Topics = append(n.ctrl.CreatePartitionsQuota(allowed, q), denied...)
	resp.ThrottleMillis = q.throttleMs()
	reply.Send(resp)
}

// validateTopicName is the controller's rule, used by auto-creation.
func validateTopicName(name string) error { return controller.ValidateTopicName(name) }

// mutationQuota is one request's controller mutation quota; it implements
// controller.MutationQuota.
type mutationQuota struct {
	n        *Node
	c        quota.Client
	strict   bool
	throttle time.Duration
}

// mutationQuota returns the quota of req's client, strict from version
// strictFrom on.
func (n *Node) mutationQuota(req *wire.Request, strictFrom int16) *mutationQuota {
	return &mutationQuota{n: n, c: clientOf(req), strict: req.Version >= strictFrom}
}

// Admit refuses a strict mutation while the client's bucket is in debt,
// and otherwise takes the partitions from it.
func (q *mutationQuota) Admit(partitions int) bool {
	mgr, now := q.n.quotas.mgr, q.n.now()
	if q.strict {
		if exceeded, d := mgr.MutationCheck(q.c, now); exceeded {
			q.throttle = max(q.throttle, d)
			return false
		}
	}
	q.throttle = max(q.throttle, mgr.RecordMutation(q.c, partitions, now))
	return true
}

func (q *mutationQuota) throttleMs() int32 { return throttleMs(q.throttle) }
