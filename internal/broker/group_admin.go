package broker

// ListGroups (v0-5, state filter v4, type filter v5), DescribeGroups (v0-6)
// and DeleteGroups (v0-3), as Kafka's group coordinator: only empty groups
// are deleted, with tombstones for their metadata and offsets.

import (
	"strings"

	"github.com/gofka/gofka/internal/authz"
	"github.com/gofka/gofka/internal/controller"
	"github.com/gofka/gofka/internal/wire"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func (n *Node) handleListGroups(req *wire.Request, reply wire.Reply) {
	r := req.Msg.(*kmsg.ListGroupsRequest)
	resp := n.groups.coord.ListGroups(r)
	if resp.ErrorCode == 0 && (req.Version >= 5 || len(r.TypesFilter) == 0) {
		resp.Groups = append(resp.Groups, n.listShareGroups(r)...)
	}
	if !n.authorizeQuiet(req, opDescribe, resCluster, authz.ClusterName) {
		kept := resp.Groups[:0]
		for _, g := range resp.Groups {
			if n.authorizeQuiet(req, opDescribe, resGroup, g.Group) {
				kept = append(kept, g)
			}
		}
		resp.Groups = kept
	}
	reply.Send(resp)
}

// listShareGroups are the share groups a ListGroups matches. Before v5
// (no group types) Kafka lists them too, with protocol type "share".
func (n *Node) listShareGroups(r *kmsg.ListGroupsRequest) []kmsg.ListGroupsResponseGroup {
	var out []kmsg.ListGroupsResponseGroup
	for _, g := range n.shares.coord.Groups() {
		if n.groupOwner(g.ID) != nil || !matchesFilter(r.StatesFilter, g.State) || !matchesFilter(r.TypesFilter, "share") {
			continue
		}
		lg := kmsg.NewListGroupsResponseGroup()
		lg.Group, lg.ProtocolType, lg.GroupState, lg.GroupType = g.ID, "share", g.State, "share"
		out = append(out, lg)
	}
	return out
}

func matchesFilter(filter []string, v string) bool {
	if len(filter) == 0 {
		return true
	}
	for _, f := range filter {
		if strings.EqualFold(f, v) {
			return true
		}
	}
	return false
}

func (n *Node) handleDescribeGroups(req *wire.Request, reply wire.Reply) {
	r := req.Msg.(*kmsg.DescribeGroupsRequest)
	resp := n.groups.coord.DescribeGroups(r)
	for i := range resp.Groups {
		g := &resp.Groups[i]
		if name := g.Group; !n.authorizeGroup(req, opDescribe, name) {
			*g = kmsg.NewDescribeGroupsResponseGroup()
			g.Group, g.ErrorCode, g.AuthorizedOperations = name, groupDenied, opsNotRequested
			continue
		}
		if r.IncludeAuthorizedOperations {
			g.AuthorizedOperations = n.groupOps(req, g.Group)
		}
	}
	reply.Send(resp)
}

// handleDeleteGroups deletes share groups in the share coordinator and
// the rest in the group coordinator, answering in request order.
func (n *Node) handleDeleteGroups(req *wire.Request, reply wire.Reply) {
	r := req.Msg.(*kmsg.DeleteGroupsRequest)
	shared := map[string]int16{}
	rest := *r
	rest.Groups = nil
	for _, id := range r.Groups {
		if !n.authorizeGroup(req, opDelete, id) {
			shared[id] = groupDenied
			continue
		}
		if n.shares.coord.IsShareGroup(id) {
			if err := n.groupOwner(id); err != nil {
				shared[id] = err.Code
			} else {
				shared[id] = n.deleteShareGroup(id)
			}
			continue
		}
		rest.Groups = append(rest.Groups, id)
	}
	resp := n.groups.coord.DeleteGroups(&rest)
	byID := map[string]kmsg.DeleteGroupsResponseGroup{}
	for _, g := range resp.Groups {
		byID[g.Group] = g
	}
	resp.Groups = resp.Groups[:0]
	for _, id := range r.Groups {
		g, ok := byID[id]
		if code, isShare := shared[id]; isShare || !ok {
			g = kmsg.NewDeleteGroupsResponseGroup()
			g.Group, g.ErrorCode = id, code
		}
		resp.Groups = append(resp.Groups, g)
	}
	reply.Send(resp)
}

// deleteShareGroup deletes an empty share group, its state and its group
// configs, as Kafka does.
func (n *Node) deleteShareGroup(id string) int16 {
	if err := n.shares.coord.DeleteGroup(id); err != nil {
		return err.Code
	}
	var changes []controller.ConfigChange
	for name := range n.meta.Current().Configs(controller.ResourceGroup, id) {
		changes = append(changes, controller.ConfigChange{Name: name, Op: 1}) // DELETE
	}
	if len(changes) > 0 {
		if res := n.ctrl.IncrementalAlterConfigs(controller.ResourceGroup, id, changes, false); res.Code != nil {
			n.log.Error("delete share group configs", "group", id, "err", res.Msg)
		}
	}
	return 0
}
