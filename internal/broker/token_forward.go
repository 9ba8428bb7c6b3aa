package broker

// Token operations reach the active controller with the principal the
// broker authenticated: a node that is not the active controller sends
// GofkaDelegationToken, Gofka's own request on the controller listener,
// carrying the decided operation (owner, requester, renewers, or the
// principal renewing or expiring a token by its HMAC):
//
//	GofkaDelegationToken Request (Version: 0) => op principal requester [renewer] max_lifetime_ms hmac period_ms
//	  op => INT8 (0 create, 1 renew, 2 expire)
//	GofkaDelegationToken Response (Version: 0) => error_code token_id issue_ms max_ms expiry_ms hmac
//
// The controller listener carries only inter-node traffic.

import (
	"context"

	"github.com/gofka/gofka/internal/controller"
	"github.com/gofka/gofka/internal/metadata"
	sc "github.com/gofka/gofka/internal/schemacodec"
	"github.com/gofka/gofka/internal/wire"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// tokenForwardKey is the API key of GofkaDelegationToken.
const tokenForwardKey = wire.PrivateKeyBase + 8

// Operations of GofkaDelegationToken.
const (
	tokenCreate int8 = iota
	tokenRenew
	tokenExpire
)

func init() {
	wire.RegisterRequest(tokenForwardKey, func() kmsg.Request { return new(tokenForwardRequest) })
}

// tokenOps are the controller's token operations, local or forwarded.
type tokenOps interface {
	CreateToken(r controller.TokenRequest) (metadata.DelegationToken, []byte, *kerr.Error)
	RenewToken(principal string, hmac []byte, periodMs int64) (int64, *kerr.Error)
	ExpireToken(principal string, hmac []byte, periodMs int64) (int64, *kerr.Error)
}

// tokenOps returns the local controller when it is active, a forwarder
// to the active one otherwise.
func (n *Node) tokenOps() tokenOps {
	if n.active() {
		return n.ctrl
	}
	return tokenForwarder{n}
}

// tokenForwarder sends token operations to the active controller.
type tokenForwarder struct{ n *Node }

func (f tokenForwarder) send(r *tokenForwardRequest) *tokenForwardResponse {
	ctx, cancel := context.WithTimeout(context.Background(), forwardTimeout)
	defer cancel()
	resp, err := f.n.toController(ctx, r)
	if err != nil {
		f.n.log.Warn("forward a delegation token operation to the active controller", "err", err)
		return &tokenForwardResponse{ErrorCode: kerr.NotController.Code}
	}
	return resp.(*tokenForwardResponse)
}

func (f tokenForwarder) CreateToken(r controller.TokenRequest) (metadata.DelegationToken, []byte, *kerr.Error) {
	resp := f.send(&tokenForwardRequest{Op: tokenCreate, Principal: r.Owner, Requester: r.Requester, Renewers: r.Renewers,
		MaxLifetimeMs: r.MaxLifetimeMs})
	if resp.ErrorCode != 0 {
		return metadata.DelegationToken{}, nil, errorOf(resp.ErrorCode)
	}
	return metadata.DelegationToken{TokenID: resp.TokenID, Owner: r.Owner, Requester: r.Requester, Renewers: r.Renewers,
		IssueTimestamp: resp.IssueMs, MaxTimestamp: resp.MaxMs, ExpirationTimestamp: resp.ExpiryMs}, resp.HMAC, nil
}

func (f tokenForwarder) RenewToken(principal string, hmac []byte, periodMs int64) (int64, *kerr.Error) {
	return f.change(tokenRenew, principal, hmac, periodMs)
}

func (f tokenForwarder) ExpireToken(principal string, hmac []byte, periodMs int64) (int64, *kerr.Error) {
	return f.change(tokenExpire, principal, hmac, periodMs)
}

func (f tokenForwarder) change(op int8, principal string, hmac []byte, periodMs int64) (int64, *kerr.Error) {
	resp := f.send(&tokenForwardRequest{Op: op, Principal: principal, HMAC: hmac, PeriodMs: periodMs})
	if resp.ErrorCode != 0 {
		return -1, errorOf(resp.ErrorCode)
	}
	return resp.ExpiryMs, nil
}

// errorOf is the kerr error of a code, UNKNOWN_SERVER_ERROR for a code
// kerr does not know.
func errorOf(code int16) *kerr.Error {
	if e, ok := kerr.ErrorForCode(code).(*kerr.Error); ok {
		return e
	}
	return kerr.UnknownServerError
}

// handleTokenForward runs a forwarded token operation (controller
// listener; the node is the active controller).
func (n *Node) handleTokenForward(req *wire.Request, reply wire.Reply) {
	r := req.Msg.(*tokenForwardRequest)
	resp := &tokenForwardResponse{}
	var code *kerr.Error
	switch r.Op {
	case tokenCreate:
		var t metadata.DelegationToken
		t, resp.HMAC, code = n.ctrl.CreateToken(controller.TokenRequest{Owner: r.Principal, Requester: r.Requester,
			Renewers: r.Renewers, MaxLifetimeMs: r.MaxLifetimeMs})
		resp.TokenID, resp.IssueMs, resp.MaxMs, resp.ExpiryMs = t.TokenID, t.IssueTimestamp, t.MaxTimestamp, t.ExpirationTimestamp
	case tokenRenew:
		resp.ExpiryMs, code = n.ctrl.RenewToken(r.Principal, r.HMAC, r.PeriodMs)
	case tokenExpire:
		resp.ExpiryMs, code = n.ctrl.ExpireToken(r.Principal, r.HMAC, r.PeriodMs)
	default:
		code = kerr.InvalidRequest
	}
	if code != nil {
		resp.ErrorCode = code.Code
	}
	reply.Send(resp)
}

// tokenForwardRequest is GofkaDelegationToken's request.
type tokenForwardRequest struct {
	Version       int16
	Op            int8
	Principal     string // the owner (create) or the caller (renew, expire)
	Requester     string
	Renewers      []string
	MaxLifetimeMs int64
	HMAC          []byte
	PeriodMs      int64
}

func (*tokenForwardRequest) Key() int16           { return tokenForwardKey }
func (*tokenForwardRequest) MaxVersion() int16    { return 0 }
func (r *tokenForwardRequest) SetVersion(v int16) { r.Version = v }
func (r *tokenForwardRequest) GetVersion() int16  { return r.Version }
func (*tokenForwardRequest) IsFlexible() bool     { return false }
func (r *tokenForwardRequest) ResponseKind() kmsg.Response {
	return &tokenForwardResponse{Version: r.Version}
}

// AppendTo appends the request body.
func (r *tokenForwardRequest) AppendTo(dst []byte) []byte {
	dst = sc.AppendInt8(dst, r.Op)
	dst = sc.AppendString(dst, r.Principal, false)
	dst = sc.AppendString(dst, r.Requester, false)
	dst = sc.AppendArrayLen(dst, len(r.Renewers), false, false)
	for _, rn := range r.Renewers {
		dst = sc.AppendString(dst, rn, false)
	}
	dst = sc.AppendInt64(dst, r.MaxLifetimeMs)
	dst = sc.AppendBytes(dst, r.HMAC, false, false)
	return sc.AppendInt64(dst, r.PeriodMs)
}

// ReadFrom decodes the request body.
func (r *tokenForwardRequest) ReadFrom(src []byte) error {
	rd := sc.NewReader(src)
	r.Op, r.Principal, r.Requester = rd.Int8(), rd.String(false), rd.String(false)
	n, _ := rd.ArrayLen(false, false, 2)
	for i := 0; i < n && rd.Err() == nil; i++ {
		r.Renewers = append(r.Renewers, rd.String(false))
	}
	r.MaxLifetimeMs, r.HMAC, r.PeriodMs = rd.Int64(), rd.Bytes(false, false, true), rd.Int64()
	return rd.Err()
}

// tokenForwardResponse is GofkaDelegationToken's response.
type tokenForwardResponse struct {
	Version                  int16
	ErrorCode                int16
	TokenID                  string
	IssueMs, MaxMs, ExpiryMs int64
	HMAC                     []byte
}

func (*tokenForwardResponse) Key() int16           { return tokenForwardKey }
func (*tokenForwardResponse) MaxVersion() int16    { return 0 }
func (r *tokenForwardResponse) SetVersion(v int16) { r.Version = v }
func (r *tokenForwardResponse) GetVersion() int16  { return r.Version }
func (*tokenForwardResponse) IsFlexible() bool     { return false }
func (r *tokenForwardResponse) RequestKind() kmsg.Request {
	return &tokenForwardRequest{Version: r.Version}
}

// AppendTo appends the response body.
func (r *tokenForwardResponse) AppendTo(dst []byte) []byte {
	dst = sc.AppendInt16(dst, r.ErrorCode)
	dst = sc.AppendString(dst, r.TokenID, false)
	dst = sc.AppendInt64(dst, r.IssueMs)
	dst = sc.AppendInt64(dst, r.MaxMs)
	dst = sc.AppendInt64(dst, r.ExpiryMs)
	return sc.AppendBytes(dst, r.HMAC, false, false)
}

// ReadFrom decodes the response body.
func (r *tokenForwardResponse) ReadFrom(src []byte) error {
	rd := sc.NewReader(src)
	r.ErrorCode, r.TokenID = rd.Int16(), rd.String(false)
	r.IssueMs, r.MaxMs, r.ExpiryMs = rd.Int64(), rd.Int64(), rd.Int64()
	r.HMAC = rd.Bytes(false, false, true)
	return rd.Err()
}
