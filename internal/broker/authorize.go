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
	"github.com/gofka/gofka/internal/controller"
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

	resTopic   = authz.ResourceTopic
	resGroup   = authz.ResourceGroup
	resTxnID   = authz.ResourceTransactionalID
	resCluster = authz.ResourceCluster
)

// authzState is the node's authorizer: nil index when it is off.
type authzState struct {
	cfg     authz.Config
	index   atomic.Pointer[authz.Index]
	version atomic.Int64 // ACL version of index
	count   atomic.Int64 // ACLs in index
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
	bindings := bindingsOf(img)
	n.authz.index.Store(authz.NewIndex(n.authz.cfg, bindings))
	n.authz.version.Store(img.ACLVersion())
	n.authz.count.Store(int64(len(bindings)))
}

// bindingsOf converts the image's ACLs.
func bindingsOf(img *metadata.Image) []authz.Binding {
	acls := img.ACLs()
	out := make([]authz.Binding, 0, len(acls))
	for _, id := range slices.SortedFunc(maps.Keys(acls), func(a, b metadata.UUID) int { return slices.Compare(a[:], b[:]) }) {
		out = append(out, controller.BindingOf(acls[id]))
	}
	return out
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

// authorizeQuiet is authorize without counting a denial, for checks
// that filter (all-topics metadata, list groups) or fall back.
func (n *Node) authorizeQuiet(req *wire.Request, op authz.Operation, typ authz.ResourceType, name string) bool {
	ix := n.authz.index.Load()
	return ix == nil || ix.Authorize(authzRequest(req, op, typ, name))
}

// authorizeCluster checks op on the cluster resource.
func (n *Node) authorizeCluster(req *wire.Request, op authz.Operation) bool {
	return n.authorize(req, op, authz.ResourceCluster, authz.ClusterName)
}

// authorizeAny is Kafka's authorizeByResourceType: may the principal
// perform op on some resource of the type?
func (n *Node) authorizeAny(req *wire.Request, op authz.Operation, typ authz.ResourceType) bool {
	ix := n.authz.index.Load()
	return ix == nil || ix.AnyAllowed(sessionOf(req.Conn).principal.String(), hostOf(req.Conn), op, typ)
}

// authorizedOps is the KIP-430 bitfield for a resource; with the
// authorizer off every operation of the type is allowed.
func (n *Node) authorizedOps(req *wire.Request, typ authz.ResourceType, name string) int32 {
	ix := n.authz.index.Load()
	if ix == nil {
		ix = allowAll
	}
	return ix.AuthorizedOperations(authzRequest(req, 0, typ, name))
}

// allowAll answers for a node without an authorizer.
var allowAll = authz.NewIndex(authz.Config{AllowIfNoACLFound: true}, nil)

// sortedKeys returns m's keys in order.
func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
