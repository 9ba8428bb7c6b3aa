package broker

// Authorization: with authorizer.class.name set to Kafka's
// StandardAuthorizer (or Gofka's own name for it), every API checks the
// connection's principal against the ACLs of the current metadata image,
// as Kafka's KafkaApis does; without it every request is allowed. The
// index is rebuilt only when the image's ACLs change.

import (
	"maps"
	"net"
	"slices"
	"sync/atomic"

	"github.com/gofka/gofka/internal/authz"
	"github.com/gofka/gofka/internal/metadata"
	"github.com/gofka/gofka/internal/wire"
)

// Authorizer class names that turn ACL authorization on.
var authorizerClasses = []string{
	"org.apache.kafka.metadata.authorizer.StandardAuthorizer",
	"kafka.security.authorizer.AclAuthorizer",
}

// Short names of the operations and resource types handlers check.
const (
	opRead            = authz.OpRead
	opWrite           = authz.OpWrite
	opCreate          = authz.OpCreate
	opDelete          = authz.OpDelete
	opAlter           = authz.OpAlter
	opDescribe        = authz.OpDescribe
	opClusterAction   = authz.OpClusterAction
	opDescribeConfigs = authz.OpDescribeConfigs
	opAlterConfigs    = authz.OpAlterConfigs
	opIdempotentWrite = authz.OpIdempotentWrite
)

// authzState is the node's authorizer: nil index when it is off.
type authzState struct {
	cfg     authz.Config
	index   atomic.Pointer[authz.Index]
	version atomic.Int64 // ACL version of index
}

// startAuthz turns the authorizer on when configured and keeps its index
// in step with the metadata image.
func (n *Node) startAuthz() {
	if !slices.Contains(authorizerClasses, n.cfg.AuthorizerClassName) {
		return
	}
	n.authz.cfg = authz.Config{SuperUsers: authz.ParseSuperUsers(n.cfg.SuperUsers), AllowIfNoACLFound: n.cfg.AllowEveryoneIfNoACLFound}
	n.rebuildAuthz(n.meta.Current(), true)
	n.meta.Subscribe(func(_, next *metadata.Image, _ metadata.Delta) { n.rebuildAuthz(next, false) })
}

// rebuildAuthz indexes the image's ACLs when they changed.
func (n *Node) rebuildAuthz(img *metadata.Image, force bool) {
	if !force && img.ACLVersion() == n.authz.version.Load() {
		return
	}
	n.authz.index.Store(authz.NewIndex(n.authz.cfg, bindingsOf(img)))
	n.authz.version.Store(img.ACLVersion())
}

// bindingsOf converts the image's ACLs.
func bindingsOf(img *metadata.Image) []authz.Binding {
	acls := img.ACLs()
	out := make([]authz.Binding, 0, len(acls))
	for _, id := range slices.SortedFunc(maps.Keys(acls), func(a, b metadata.UUID) int { return slices.Compare(a[:], b[:]) }) {
		out = append(out, bindingOf(acls[id]))
	}
	return out
}

func bindingOf(a metadata.ACL) authz.Binding {
	return authz.Binding{ResourceType: authz.ResourceType(a.ResourceType), ResourceName: a.ResourceName,
		PatternType: authz.PatternType(a.PatternType), Principal: a.Principal, Host: a.Host,
		Operation: authz.Operation(a.Operation), Permission: authz.Permission(a.Permission)}
}

// authzRequest is the question for a request's principal and host.
func authzRequest(req *wire.Request, op authz.Operation, typ authz.ResourceType, name string) authz.Request {
	return authz.Request{Principal: sessionOf(req.Conn).principal.String(), Host: hostOf(req.Conn),
		Operation: op, ResourceType: typ, ResourceName: name}
}

func hostOf(ci *wire.ConnInfo) string {
	if ci == nil || ci.Remote == nil {
		return ""
	}
	if a, ok := ci.Remote.(*net.TCPAddr); ok {
		return a.IP.String()
	}
	host, _, _ := net.SplitHostPort(ci.Remote.String())
	return host
}

// authorize reports whether the request's principal may perform op on the
// resource, counting a denial.
func (n *Node) authorize(req *wire.Request, op authz.Operation, typ authz.ResourceType, name string) bool {
	ix := n.authz.index.Load()
	if ix == nil || ix.Authorize(authzRequest(req, op, typ, name)) {
		return true
	}
	if reg := n.observe.reg; reg != nil {
		reg.AuthorizationDenied(req.Key)
	}
	n.log.Debug("authorization denied", "principal", sessionOf(req.Conn).principal.String(), "host", hostOf(req.Conn),
		"operation", op, "resource_type", typ, "resource", name, "api_key", req.Key)
	return false
}

// authorizeCluster checks op on the cluster resource.
func (n *Node) authorizeCluster(req *wire.Request, op authz.Operation) bool {
	return n.authorize(req, op, authz.ResourceCluster, authz.ClusterName)
}

// sortedKeys returns m's keys in order.
func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
