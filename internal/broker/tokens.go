package broker

// CreateDelegationToken (38) v1-3, RenewDelegationToken (39) v1-2,
// ExpireDelegationToken (40) v1-2 and DescribeDelegationToken (41) v1-3
// (KIP-48, KIP-373 for owners other than the requester), as Kafka's
// KafkaApis and DelegationTokenControlManager serve them. Tokens are
// metadata records written by the active controller; with
// delegation.token.secret.key unset every call is
// DELEGATION_TOKEN_AUTH_DISABLED. A connection on a PLAINTEXT listener,
// an SSL one without a client certificate, or one authenticated by a
// token may not call them (DELEGATION_TOKEN_REQUEST_NOT_ALLOWED). Creating
// a token for another owner needs CreateTokens on that User; describing
// another's token needs Describe on the token or DescribeTokens on its
// owner. Create, renew and expire are the controller's: a node that is not
// the active controller forwards them in an Envelope (envelope.go) with
// the client's principal, and whether a token authenticated it, after
// refusing a connection that may not call them (only it knows the
// connection); the controller refuses a token-authenticated principal
// again and authorizes as the original principal, as Kafka's
// ControllerApis. Describe is served by every broker from its metadata
// image, as Kafka's KafkaApis.

import (
	"slices"

	"github.com/gofka/gofka/internal/authz"
	"github.com/gofka/gofka/internal/controller"
	"github.com/gofka/gofka/internal/metadata"
	"github.com/gofka/gofka/internal/security"
	"github.com/gofka/gofka/internal/wire"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func tokenAPIs() []api {
	return []api{
		{key: 38, min: 1, max: 3, handle: (*Node).handleCreateDelegationToken},
		{key: 39, min: 1, max: 2, handle: (*Node).handleRenewDelegationToken},
		{key: 40, min: 1, max: 2, handle: (*Node).handleExpireDelegationToken},
		{key: 41, min: 1, max: 3, handle: (*Node).handleDescribeDelegationToken},
	}
}

// allowTokenRequests is Kafka's test of who may call the token APIs. A
// forwarded request was tested by the node the client reached; the
// controller tests only the token flag the envelope carries (the
// listener is its own, not the client's), as Kafka's ControllerApis.
func (n *Node) allowTokenRequests(req *wire.Request) bool {
	s := sessionOf(req.Conn)
	if s.enveloped {
		return !s.tokenAuth
	}
	switch n.protocolOf(req.Conn) {
	case "PLAINTEXT":
		return false
	case "SSL":
		return s.principal != security.Anonymous
	}
	return !s.tokenAuth
}

// protocolOf is the security protocol of the connection's listener;
// connections without one (handlers driven directly) count as SASL.
func (n *Node) protocolOf(ci *wire.ConnInfo) string {
	for _, sl := range n.listeners {
		if ci != nil && sl.cfg.Name == ci.Listener {
			return sl.sec.protocol
		}
	}
	return "SASL_PLAINTEXT"
}

func (n *Node) handleCreateDelegationToken(req *wire.Request, reply wire.Reply) {
	r := req.Msg.(*kmsg.CreateDelegationTokenRequest)
	resp := r.ResponseKind().(*kmsg.CreateDelegationTokenResponse)
	requester := sessionOf(req.Conn).principal
	owner := requester
	if r.OwnerPrincipalName != nil && *r.OwnerPrincipalName != "" {
		owner = security.Principal{Type: derefString(r.OwnerPrincipalType), Name: *r.OwnerPrincipalName}
	}
	resp.PrincipalType, resp.PrincipalName = owner.Type, owner.Name
	resp.TokenRequesterPrincipalType, resp.TokenRequesterPrincipalName = requester.Type, requester.Name
	tr := controller.TokenRequest{Owner: owner.String(), Requester: requester.String(), MaxLifetimeMs: r.MaxLifetimeMillis}
	for _, rn := range r.Renewers {
		tr.Renewers = append(tr.Renewers, security.Principal{Type: rn.PrincipalType, Name: rn.PrincipalName}.String())
	}
	var code *kerr.Error
	switch {
	case !n.allowTokenRequests(req):
		code = kerr.DelegationTokenRequestNotAllowed
	case n.forwarded(req, reply):
		return
	case owner != requester && !n.authorize(req, authz.OpCreateTokens, authz.ResourceUser, owner.String()):
		code = kerr.DelegationTokenAuthorizationFailed
	default:
		var t metadata.DelegationToken
		t, resp.HMAC, code = n.ctrl.CreateToken(tr)
		if code == nil {
			resp.IssueTimestamp, resp.ExpiryTimestamp, resp.MaxTimestamp = t.IssueTimestamp, t.ExpirationTimestamp, t.MaxTimestamp
			resp.TokenID = t.TokenID
		}
	}
	if code != nil {
		resp.ErrorCode = code.Code
	}
	reply.Send(resp)
}

func (n *Node) handleRenewDelegationToken(req *wire.Request, reply wire.Reply) {
	r := req.Msg.(*kmsg.RenewDelegationTokenRequest)
	resp := r.ResponseKind().(*kmsg.RenewDelegationTokenResponse)
	if n.changeToken(req, reply, n.ctrl.RenewToken, r.HMAC, r.RenewTimeMillis, &resp.ExpiryTimestamp, &resp.ErrorCode) {
		reply.Send(resp)
	}
}

func (n *Node) handleExpireDelegationToken(req *wire.Request, reply wire.Reply) {
	r := req.Msg.(*kmsg.ExpireDelegationTokenRequest)
	resp := r.ResponseKind().(*kmsg.ExpireDelegationTokenResponse)
	if n.changeToken(req, reply, n.ctrl.ExpireToken, r.HMAC, r.ExpiryPeriodMillis, &resp.ExpiryTimestamp, &resp.ErrorCode) {
		reply.Send(resp)
	}
}

// changeToken renews or expires a token for the request's principal
// through change (the local controller's, called only once forwarded
// reports it is the active one), setting the new expiry (-1 on error) and the error
// code; it reports false when it forwarded the request instead, the
// controller's answer already sent.
func (n *Node) changeToken(req *wire.Request, reply wire.Reply, change func(string, []byte, int64) (int64, *kerr.Error),
	hmac []byte, periodMs int64, expiry *int64, code *int16) bool {
	*expiry = -1
	switch {
	case !n.allowTokenRequests(req):
		*code = kerr.DelegationTokenRequestNotAllowed.Code
		return true
	case n.forwarded(req, reply):
		return false
	}
	ts, err := change(sessionOf(req.Conn).principal.String(), hmac, periodMs)
	if err != nil {
		*code = err.Code
		return true
	}
	*expiry = ts
	return true
}

func (n *Node) handleDescribeDelegationToken(req *wire.Request, reply wire.Reply) {
	r := req.Msg.(*kmsg.DescribeDelegationTokenRequest)
	resp := r.ResponseKind().(*kmsg.DescribeDelegationTokenResponse)
	switch {
	case !n.allowTokenRequests(req):
		resp.ErrorCode = kerr.DelegationTokenRequestNotAllowed.Code
	case n.cfg.DelegationTokenSecretKey == "":
		resp.ErrorCode = kerr.DelegationTokenAuthDisabled.Code
	case r.Owners != nil && len(r.Owners) == 0:
	default:
		resp.TokenDetails = n.describeTokens(req, r)
	}
	reply.Send(resp)
}

// describeTokens lists the tokens the request asks for and its principal
// may see (Kafka's DelegationTokenManager.filterToken), sorted by id.
func (n *Node) describeTokens(req *wire.Request, r *kmsg.DescribeDelegationTokenRequest) []kmsg.DescribeDelegationTokenResponseTokenDetail {
	me := sessionOf(req.Conn).principal.String()
	var owners []string
	for _, o := range r.Owners {
		owners = append(owners, security.Principal{Type: o.PrincipalType, Name: o.PrincipalName}.String())
	}
	tokens := n.meta.Current().DelegationTokens()
	var out []kmsg.DescribeDelegationTokenResponseTokenDetail
	for _, id := range sortedKeys(tokens) {
		t := tokens[id]
		if r.Owners != nil && !anyOwnerOrRenewer(t, owners) {
			continue
		}
		if !ownerOrRenewer(t, me) && !n.authorizeQuiet(req, authz.OpDescribe, authz.ResourceDelegationToken, t.TokenID) &&
			!n.authorizeQuiet(req, authz.OpDescribeTokens, authz.ResourceUser, t.Owner) {
			continue
		}
		out = append(out, n.describedToken(t))
	}
	return out
}

// ownerOrRenewer is Kafka's TokenInformation.ownerOrRenewer: the owner,
// the requester or a renewer.
func ownerOrRenewer(t metadata.DelegationToken, p string) bool {
	return t.Owner == p || t.Requester == p || slices.Contains(t.Renewers, p)
}

func anyOwnerOrRenewer(t metadata.DelegationToken, ps []string) bool {
	for _, p := range ps {
		if ownerOrRenewer(t, p) {
			return true
		}
	}
	return false
}

func (n *Node) describedToken(t metadata.DelegationToken) kmsg.DescribeDelegationTokenResponseTokenDetail {
	d := kmsg.NewDescribeDelegationTokenResponseTokenDetail()
	owner, requester := principalOf(t.Owner), principalOf(t.Requester)
	d.PrincipalType, d.PrincipalName = owner.Type, owner.Name
	d.TokenRequesterPrincipalType, d.TokenRequesterPrincipalName = requester.Type, requester.Name
	d.IssueTimestamp, d.ExpiryTimestamp, d.MaxTimestamp = t.IssueTimestamp, t.ExpirationTimestamp, t.MaxTimestamp
	d.TokenID, d.HMAC = t.TokenID, security.TokenHMAC(t.TokenID, n.cfg.DelegationTokenSecretKey)
	for _, rn := range t.Renewers {
		p := principalOf(rn)
		d.Renewers = append(d.Renewers, kmsg.DescribeDelegationTokenResponseTokenDetailRenewer{PrincipalType: p.Type, PrincipalName: p.Name})
	}
	return d
}

// principalOf parses a stored principal, keeping a malformed one whole as
// a User name.
func principalOf(s string) security.Principal {
	p, err := security.ParsePrincipal(s)
	if err != nil {
		return security.User(s)
	}
	return p
}

func derefString(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
