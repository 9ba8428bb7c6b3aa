package broker

// Envelope (58) v0, KIP-590: a broker forwards a client's request to the
// active controller inside an Envelope carrying the original request
// bytes (header and body), the client's principal (serialized as Kafka's
// DefaultKafkaPrincipalBuilder does, DefaultPrincipalData v0) and the
// client's address. The controller serves Envelope on the controller
// listener only, to a principal with ClusterAction on the cluster (a
// broker; CLUSTER_AUTHORIZATION_FAILED otherwise, checked by
// controllerRefused); it authorizes and runs the inner request as the
// original principal and host and answers in an Envelope with the
// response's header and body. An envelope it cannot read is
// INVALID_REQUEST, never a crash. Kafka's brokers do not list Envelope in
// their client ApiVersions; neither does Gofka's.

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"

	"github.com/gofka/gofka/internal/security"
	"github.com/gofka/gofka/internal/wire"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// forwardableAPIs are the requests a broker forwards to the active
// controller in an Envelope, and the only ones the controller unwraps.
var forwardableAPIs = map[int16]bool{19: true, 20: true, 30: true, 31: true, 33: true, 37: true, 38: true, 39: true, 40: true, 43: true,
	44: true, 45: true, 46: true, 49: true, 51: true, 55: true, 57: true, 64: true, 80: true, 81: true, 82: true}

// Envelope errors: why an envelope is INVALID_REQUEST.
var (
	errEnvelopePrincipal = errors.New("broker: envelope: no readable principal")
	errEnvelopeHost      = errors.New("broker: envelope: client address is neither IPv4 nor IPv6")
	errEnvelopeAPI       = errors.New("broker: envelope: the inner request is not forwardable")
)

// envelopeOf wraps a client's request for the active controller.
func envelopeOf(req *wire.Request) *kmsg.EnvelopeRequest {
	env := kmsg.NewPtrEnvelopeRequest()
	req.Msg.SetVersion(req.Version)
	env.RequestData = wire.EncodeRequest(req.ClientID, req.CorrelationID, req.Msg)
	s := sessionOf(req.Conn)
	pd := kmsg.NewDefaultPrincipalData()
	pd.Type, pd.Name, pd.TokenAuthenticated = s.principal.Type, s.principal.Name, s.tokenAuth
	env.RequestPrincipal = pd.AppendTo(nil)
	if ip := net.ParseIP(hostOf(req.Conn)); ip != nil {
		if v4 := ip.To4(); v4 != nil {
			ip = v4
		}
		env.ClientHostAddress = ip
	}
	return env
}

// forwardEnveloped sends req to the active controller in an Envelope and
// returns the inner response. An envelope error other than NOT_CONTROLLER
// (which toController retries) is UNKNOWN_SERVER_ERROR for the client, as
// Kafka's ForwardingManager answers: the client did nothing wrong.
func (n *Node) forwardEnveloped(ctx context.Context, req *wire.Request) (kmsg.Response, error) {
	env := envelopeOf(req)
	resp, err := n.toController(ctx, env)
	if err != nil {
		return nil, err
	}
	er := resp.(*kmsg.EnvelopeResponse)
	if er.ErrorCode != 0 {
		n.log.Warn("the active controller refused a forwarded request", "key", req.Key,
			"err", kerr.ErrorForCode(er.ErrorCode))
		return errorResponse(req.Msg, kerr.UnknownServerError), nil
	}
	inner, err := wire.DecodeResponse(req.Msg, req.CorrelationID, er.ResponseData)
	if err != nil {
		return nil, fmt.Errorf("broker: forwarded %s: %w", kmsg.NameForKey(req.Key), err)
	}
	return inner, nil
}

// handleEnvelope serves a forwarded request on the active controller.
func (n *Node) handleEnvelope(req *wire.Request, reply wire.Reply) {
	r := req.Msg.(*kmsg.EnvelopeRequest)
	inner, err := n.unwrapEnvelope(req, r)
	if err != nil {
		n.log.Info("invalid envelope", "remote", hostOf(req.Conn), "principal", sessionOf(req.Conn).principal.String(), "err", err)
		resp := r.ResponseKind().(*kmsg.EnvelopeResponse)
		resp.ErrorCode = kerr.InvalidRequest.Code
		reply.Send(resp)
		return
	}
	answer := wire.CaptureReply(func(resp kmsg.Response, err error) {
		out := r.ResponseKind().(*kmsg.EnvelopeResponse)
		if err != nil {
			n.log.Warn("a forwarded request got no response", "key", inner.Key, "err", err)
			out.ErrorCode = kerr.UnknownServerError.Code
		} else {
			out.ResponseData = wire.EncodeResponse(inner, resp)
		}
		reply.Send(out)
	})
	if n.refused(inner, answer) {
		return
	}
	n.apis.lookup(inner.Key).handle(n, inner, answer)
}

// forwardableVersions are the versions the controller unwraps: the
// broker's own ranges of the forwardable APIs.
func (n *Node) forwardableVersions(key int16) (int16, int16, bool) {
	if a := n.apis.lookup(key); a != nil && forwardableAPIs[key] {
		return a.min, a.max, true
	}
	return 0, 0, false
}

// unwrapEnvelope decodes the inner request of r, with a connection that
// carries the original client's principal and address.
func (n *Node) unwrapEnvelope(outer *wire.Request, r *kmsg.EnvelopeRequest) (*wire.Request, error) {
	p, byToken, err := envelopePrincipal(r.RequestPrincipal)
	if err != nil {
		return nil, err
	}
	if l := len(r.ClientHostAddress); l != net.IPv4len && l != net.IPv6len {
		return nil, errEnvelopeHost
	}
	inner, err := wire.ParseRequest(r.RequestData, n.forwardableVersions)
	if err != nil {
		return nil, fmt.Errorf("broker: envelope: %w", err)
	}
	if inner.Msg == nil {
		return nil, fmt.Errorf("%w: key %d", errEnvelopeAPI, inner.Key)
	}
	ci := &wire.ConnInfo{Remote: &net.TCPAddr{IP: net.IP(r.ClientHostAddress)}}
	if outer.Conn != nil {
		ci.ID, ci.Local, ci.Listener = outer.Conn.ID, outer.Conn.Local, outer.Conn.Listener
	}
	ci.Session.Store(&connSession{principal: p, authenticated: true, enveloped: true, tokenAuth: byToken})
	inner.Conn, inner.Received = ci, outer.Received
	return inner, nil
}

// envelopePrincipal reads a DefaultPrincipalData v0: version, type and
// name as compact strings, whether a delegation token authenticated the
// client, tagged fields. It is decoded here, bounded by b, rather than by
// kmsg, whose reader loops as many times as a tag count claims whatever
// the bytes left.
func envelopePrincipal(b []byte) (p security.Principal, byToken bool, err error) {
	err = errEnvelopePrincipal
	if len(b) < 2 || binary.BigEndian.Uint16(b) != 0 {
		return p, false, err
	}
	b = b[2:]
	var typ, name string
	for _, dst := range []*string{&typ, &name} {
		n, k := binary.Uvarint(b)
		if k <= 0 || n == 0 || n-1 > uint64(len(b)-k) {
			return p, false, err
		}
		*dst, b = string(b[k:k+int(n-1)]), b[k+int(n-1):]
	}
	if len(b) < 1 || typ == "" || b[0] > 1 {
		return p, false, err
	}
	if rest, err := wire.SkipTags(b[1:]); err != nil || len(rest) != 0 {
		return p, false, errEnvelopePrincipal
	}
	return security.Principal{Type: typ, Name: name}, b[0] == 1, nil
}
