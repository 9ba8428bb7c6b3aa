package broker

// DescribeAcls (29), CreateAcls (30) and DeleteAcls (31), v1-3: ACLs are
// metadata records written by the controller (KIP-801). Describe needs
// Describe on the cluster, Create and Delete need Alter; invalid bindings
// and filters are INVALID_REQUEST.

import (
	"errors"
	"sort"

	"github.com/gofka/gofka/internal/authz"
	"github.com/gofka/gofka/internal/controller"
	"github.com/gofka/gofka/internal/metadata"
	"github.com/gofka/gofka/internal/wire"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func aclAPIs() []api {
	return []api{
		{key: 29, min: 1, max: 3, handle: (*Node).handleDescribeAcls},
		{key: 30, min: 1, max: 3, handle: (*Node).handleCreateAcls},
		{key: 31, min: 1, max: 3, handle: (*Node).handleDeleteAcls},
	}
}

// aclError maps a controller result error to Kafka's code and message.
func aclError(err error) (int16, *string) {
	if err == nil {
		return 0, nil
	}
	code := kerr.UnknownServerError
	if errors.Is(err, authz.ErrInvalidBinding) {
		code = kerr.InvalidRequest
	}
	return code.Code, kmsg.StringPtr(err.Error())
}

func (n *Node) handleCreateAcls(req *wire.Request, reply wire.Reply) {
	if n.forwarded(req, reply) {
		return
	}
	r := req.Msg.(*kmsg.CreateACLsRequest)
	resp := r.ResponseKind().(*kmsg.CreateACLsResponse)
	if !n.authorizeCluster(req, opAlter) {
		for range r.Creations {
			resp.Results = append(resp.Results, kmsg.CreateACLsResponseResult{ErrorCode: kerr.ClusterAuthorizationFailed.Code})
		}
		reply.Send(resp)
		return
	}
	bindings := make([]authz.Binding, len(r.Creations))
	for i, c := range r.Creations {
		bindings[i] = authz.Binding{ResourceType: authz.ResourceType(c.ResourceType), ResourceName: c.ResourceName,
			PatternType: authz.PatternType(c.ResourcePatternType), Principal: c.Principal, Host: c.Host,
			Operation: authz.Operation(c.Operation), Permission: authz.Permission(c.PermissionType)}
	}
	for _, res := range n.ctrl.CreateACLs(bindings) {
		rr := kmsg.NewCreateACLsResponseResult()
		rr.ErrorCode, rr.ErrorMessage = aclError(res.Err)
		resp.Results = append(resp.Results, rr)
	}
	reply.Send(resp)
}

func filterOf(typ kmsg.ACLResourceType, name *string, pattern kmsg.ACLResourcePatternType, principal, host *string,
	op kmsg.ACLOperation, perm kmsg.ACLPermissionType) authz.Filter {
	return authz.Filter{ResourceType: authz.ResourceType(typ), ResourceName: name, PatternType: authz.PatternType(pattern),
		Principal: principal, Host: host, Operation: authz.Operation(op), Permission: authz.Permission(perm)}
}

func (n *Node) handleDeleteAcls(req *wire.Request, reply wire.Reply) {
	if n.forwarded(req, reply) {
		return
	}
	r := req.Msg.(*kmsg.DeleteACLsRequest)
	resp := r.ResponseKind().(*kmsg.DeleteACLsResponse)
	if !n.authorizeCluster(req, opAlter) {
		for range r.Filters {
			resp.Results = append(resp.Results, kmsg.DeleteACLsResponseResult{ErrorCode: kerr.ClusterAuthorizationFailed.Code})
		}
		reply.Send(resp)
		return
	}
	filters := make([]authz.Filter, len(r.Filters))
	for i, f := range r.Filters {
		filters[i] = filterOf(f.ResourceType, f.ResourceName, f.ResourcePatternType, f.Principal, f.Host, f.Operation, f.PermissionType)
	}
	for _, res := range n.ctrl.DeleteACLs(filters) {
		rr := kmsg.NewDeleteACLsResponseResult()
		rr.ErrorCode, rr.ErrorMessage = aclError(res.Err)
		for _, b := range res.Deleted {
			m := kmsg.NewDeleteACLsResponseResultMatchingACL()
			m.ResourceType, m.ResourceName, m.ResourcePatternType = kmsg.ACLResourceType(b.ResourceType), b.ResourceName, kmsg.ACLResourcePatternType(b.PatternType)
			m.Principal, m.Host = b.Principal, b.Host
			m.Operation, m.PermissionType = kmsg.ACLOperation(b.Operation), kmsg.ACLPermissionType(b.Permission)
			rr.MatchingACLs = append(rr.MatchingACLs, m)
		}
		resp.Results = append(resp.Results, rr)
	}
	reply.Send(resp)
}

func (n *Node) handleDescribeAcls(req *wire.Request, reply wire.Reply) {
	r := req.Msg.(*kmsg.DescribeACLsRequest)
	resp := r.ResponseKind().(*kmsg.DescribeACLsResponse)
	if !n.authorizeCluster(req, opDescribe) {
		resp.ErrorCode = kerr.ClusterAuthorizationFailed.Code
		reply.Send(resp)
		return
	}
	f := filterOf(r.ResourceType, r.ResourceName, r.ResourcePatternType, r.Principal, r.Host, r.Operation, r.PermissionType)
	if err := authz.ValidateFilter(f); err != nil {
		resp.ErrorCode, resp.ErrorMessage = aclError(err)
		reply.Send(resp)
		return
	}
	resp.Resources = describeACLResources(n.meta.Current().ACLs(), f)
	reply.Send(resp)
}

// describeACLResources groups the matching bindings by resource pattern,
// in a stable order.
func describeACLResources(acls map[metadata.UUID]metadata.ACL, f authz.Filter) []kmsg.DescribeACLsResponseResource {
	type key struct {
		typ     authz.ResourceType
		name    string
		pattern authz.PatternType
	}
	byRes := map[key]*kmsg.DescribeACLsResponseResource{}
	var keys []key
	for _, a := range acls {
		b := controller.BindingOf(a)
		if !f.Matches(b) {
			continue
		}
		k := key{b.ResourceType, b.ResourceName, b.PatternType}
		if byRes[k] == nil {
			res := kmsg.NewDescribeACLsResponseResource()
			res.ResourceType, res.ResourceName, res.ResourcePatternType = kmsg.ACLResourceType(k.typ), k.name, kmsg.ACLResourcePatternType(k.pattern)
			byRes[k] = &res
			keys = append(keys, k)
		}
		byRes[k].ACLs = append(byRes[k].ACLs, kmsg.DescribeACLsResponseResourceACL{Principal: b.Principal, Host: b.Host,
			Operation: kmsg.ACLOperation(b.Operation), PermissionType: kmsg.ACLPermissionType(b.Permission)})
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.typ != b.typ {
			return a.typ < b.typ
		}
		if a.name != b.name {
			return a.name < b.name
		}
		return a.pattern < b.pattern
	})
	out := make([]kmsg.DescribeACLsResponseResource, 0, len(keys))
	for _, k := range keys {
		sortACLs(byRes[k].ACLs)
		out = append(out, *byRes[k])
	}
	return out
}

func sortACLs(acls []kmsg.DescribeACLsResponseResourceACL) {
	sort.Slice(acls, func(i, j int) bool {
		a, b := acls[i], acls[j]
		if a.Principal != b.Principal {
			return a.Principal < b.Principal
		}
		if a.Host != b.Host {
			return a.Host < b.Host
		}
		if a.Operation != b.Operation {
			return a.Operation < b.Operation
		}
		return a.PermissionType < b.PermissionType
	})
}
