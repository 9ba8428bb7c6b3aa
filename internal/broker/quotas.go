package broker

// DescribeClientQuotas (v0-1, DESCRIBE_CONFIGS on the cluster) and
// AlterClientQuotas (v0-1, ALTER_CONFIGS on the cluster), KIP-546, and
// the wiring of client quotas (internal/quota) into the node: the quota
// manager follows the metadata image's ClientQuotaRecords, the connection
// quotas follow the dynamic broker config, the request quota is recorded
// around every handler and throttles through wire.Throttler (KIP-219:
// answer at once with the throttle time, then mute the connection).
// The quota user is the connection's principal name (security.go):
// ANONYMOUS on PLAINTEXT listeners and before SASL authentication.

import (
	"math"
	"sort"
	"time"

	"github.com/gofka/gofka/internal/metadata"
	"github.com/gofka/gofka/internal/metrics"
	"github.com/gofka/gofka/internal/quota"
	"github.com/gofka/gofka/internal/security"
	"github.com/gofka/gofka/internal/wire"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// quotaState is the node's quota enforcement.
type quotaState struct {
	mgr   *quota.Manager
	conns *quota.ConnQuotas
}

// startQuotas creates the managers and keeps them in step with metadata.
func (n *Node) startQuotas() {
	n.quotas.mgr = quota.NewManager(quota.Config{
		Window:         window(n.cfg.QuotaWindowNum, n.cfg.QuotaWindowSizeSeconds),
		MutationWindow: window(n.cfg.ControllerQuotaWindowNum, n.cfg.ControllerQuotaWindowSizeSeconds),
	})
	n.quotas.conns = quota.NewConnQuotas(n.connConfig(n.meta.Current()), nil)
	n.meta.Subscribe(func(_, next *metadata.Image, d metadata.Delta) { n.updateQuotas(next, d) })
	n.updateQuotas(n.meta.Current(), metadata.Delta{ChangedConfigs: []metadata.ConfigKey{{}}})
}

func window(num, seconds int32) quota.Window {
	return quota.Window{Num: int(num), Size: time.Duration(seconds) * time.Second}
}

// updateQuotas applies a new image's quotas and, when broker configs
// changed, the connection limits.
func (n *Node) updateQuotas(img *metadata.Image, d metadata.Delta) {
	n.quotas.mgr.Update(img.Quotas())
	n.quotas.conns.SetQuotas(img.Quotas())
	if len(d.ChangedConfigs) > 0 {
		n.quotas.conns.SetConfig(n.connConfig(img))
	}
}

// clientOf names the quota client of a request: its connection's
// principal name and its client id.
func clientOf(req *wire.Request) quota.Client {
	user := security.Anonymous.Name
	if req.Conn != nil {
		if s, ok := req.Conn.Session.Load().(*connSession); ok {
			user = s.principal.Name
		}
	}
	return quota.Client{User: user, ClientID: req.ClientIDString()}
}

// Throttle implements wire.Throttler: the request-quota throttle of the
// request's client.
func (n *Node) Throttle(req *wire.Request) time.Duration {
	if !n.quotas.mgr.Active(quota.Request) {
		return 0
	}
	return n.quotas.mgr.Throttle(quota.Request, clientOf(req), n.now())
}

// recordQuota charges value to the request client's quota of type t and
// returns its throttle time; with no quota of the type set it costs one
// atomic load (the produce hot path).
func (n *Node) recordQuota(t quota.Type, req *wire.Request, value float64) time.Duration {
	if !n.quotas.mgr.Active(t) {
		return 0
	}
	return n.quotas.mgr.Record(t, clientOf(req), value, n.now())
}

// recordRequestTime charges a handler's time to its client's request
// quota.
func (n *Node) recordRequestTime(req *wire.Request, start time.Time) {
	if n.quotas.mgr.Active(quota.Request) {
		now := n.now()
		n.quotas.mgr.RecordRequestTime(clientOf(req), now.Sub(start), now)
	}
}

// throttleMs converts a throttle time to a response's ThrottleMillis.
func throttleMs(d time.Duration) int32 {
	return int32(min(d.Milliseconds(), math.MaxInt32))
}

func (n *Node) handleDescribeClientQuotas(req *wire.Request, reply wire.Reply) {
	r := req.Msg.(*kmsg.DescribeClientQuotasRequest)
	resp := r.ResponseKind().(*kmsg.DescribeClientQuotasResponse)
	if !n.authorizeCluster(req, opDescribeConfigs) {
		resp.ErrorCode = kerr.ClusterAuthorizationFailed.Code
		reply.Send(resp)
		return
	}
	f := quota.Filter{Strict: r.Strict}
	for _, c := range r.Components {
		comp := quota.Component{Type: c.EntityType, Match: int8(c.MatchType)}
		if c.Match != nil {
			comp.Name = *c.Match
		}
		f.Components = append(f.Components, comp)
	}
	if err := f.Validate(); err != nil {
		msg := err.Error()
		resp.ErrorCode, resp.ErrorMessage = kerr.InvalidRequest.Code, &msg
		reply.Send(resp)
		return
	}
	resp.Entries = describeQuotas(n.meta.Current().Quotas(), f)
	reply.Send(resp)
}

// describeQuotas lists the entities passing f with their values, sorted by
// entity for stable output.
func describeQuotas(q *metadata.Quotas, f quota.Filter) []kmsg.DescribeClientQuotasResponseEntry {
	var out []kmsg.DescribeClientQuotasResponseEntry
	for e, kv := range q.Entities() {
		if !f.Matches(e) {
			continue
		}
		entry := kmsg.NewDescribeClientQuotasResponseEntry()
		for _, d := range e.EntityData() {
			entry.Entity = append(entry.Entity, kmsg.DescribeClientQuotasResponseEntryEntity{Type: d.EntityType, Name: d.EntityName})
		}
		for k, v := range kv {
			entry.Values = append(entry.Values, kmsg.DescribeClientQuotasResponseEntryValue{Key: k, Value: v})
		}
		sort.Slice(entry.Values, func(i, j int) bool { return entry.Values[i].Key < entry.Values[j].Key })
		out = append(out, entry)
	}
	sort.Slice(out, func(i, j int) bool { return entityKey(out[i]) < entityKey(out[j]) })
	return out
}

func entityKey(e kmsg.DescribeClientQuotasResponseEntry) string {
	s := ""
	for _, c := range e.Entity {
		s += c.Type + "="
		if c.Name != nil {
			s += *c.Name
		}
		s += ";"
	}
	return s
}

func (n *Node) handleAlterClientQuotas(req *wire.Request, reply wire.Reply) {
	if n.forwarded(req, reply) {
		return
	}
	r := req.Msg.(*kmsg.AlterClientQuotasRequest)
	resp := r.ResponseKind().(*kmsg.AlterClientQuotasResponse)
	if !n.authorizeCluster(req, opAlterConfigs) {
		resp.Entries = deniedQuotaEntries(r)
		reply.Send(resp)
		return
	}
	resp.Entries = n.ctrl.AlterClientQuotas(r)
	reply.Send(resp)
}

// deniedQuotaEntries answers every entry with CLUSTER_AUTHORIZATION_FAILED.
func deniedQuotaEntries(r *kmsg.AlterClientQuotasRequest) []kmsg.AlterClientQuotasResponseEntry {
	out := make([]kmsg.AlterClientQuotasResponseEntry, 0, len(r.Entries))
	for _, e := range r.Entries {
		res := kmsg.NewAlterClientQuotasResponseEntry()
		res.ErrorCode = kerr.ClusterAuthorizationFailed.Code
		for _, p := range e.Entity {
			res.Entity = append(res.Entity, kmsg.AlterClientQuotasResponseEntryEntity{Type: p.Type, Name: p.Name})
		}
		out = append(out, res)
	}
	return out
}

// quotaStats reads the quota sensors for the metrics scrape.
func (n *Node) quotaStats() []metrics.QuotaStat {
	stats := n.quotas.mgr.Stats(n.now())
	out := make([]metrics.QuotaStat, 0, len(stats))
	for _, s := range stats {
		out = append(out, metrics.QuotaStat{Type: s.Type.String(), User: s.Client.User, ClientID: s.Client.ClientID,
			Rate: s.Rate, Bound: s.Bound, ThrottleMs: s.ThrottleMs})
	}
	return out
}
