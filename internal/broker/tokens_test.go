package broker

import (
	"testing"

	"github.com/gofka/gofka/internal/config"
	"github.com/gofka/gofka/internal/security"
	"github.com/gofka/gofka/internal/wire"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// TestAllowTokenRequestsEnveloped: the controller judges a forwarded
// token request by the token flag the envelope carries, never by the
// protocol of the hop it came over (the forwarding node judged the
// client's own listener), as Kafka's ControllerApis.allowTokenRequests.
func TestAllowTokenRequestsEnveloped(t *testing.T) {
	n := &Node{listeners: []*servedListener{
		{cfg: config.Listener{Name: "CONTROLLER"}, sec: &listenerSecurity{protocol: "PLAINTEXT"}},
		{cfg: config.Listener{Name: "SSL"}, sec: &listenerSecurity{protocol: "SSL"}},
	}}
	for _, tc := range []struct {
		listener  string
		session   connSession
		allowed   bool
		situation string
	}{
		{"CONTROLLER", connSession{principal: security.User("alice")}, false, "PLAINTEXT"},
		{"SSL", connSession{principal: security.Anonymous}, false, "SSL without a client certificate"},
		{"SSL", connSession{principal: security.User("alice")}, true, "SSL with a client certificate"},
		{"SASL", connSession{principal: security.User("alice"), tokenAuth: true}, false, "a token login"},
		{"CONTROLLER", connSession{principal: security.User("alice"), enveloped: true}, true, "forwarded over PLAINTEXT"},
		{"CONTROLLER", connSession{principal: security.User("alice"), enveloped: true, tokenAuth: true}, false, "forwarded token login"},
	} {
		ci := &wire.ConnInfo{Listener: tc.listener}
		s := tc.session
		ci.Session.Store(&s)
		if got := n.allowTokenRequests(&wire.Request{Conn: ci}); got != tc.allowed {
			t.Errorf("%s: allowed %v, want %v", tc.situation, got, tc.allowed)
		}
	}
}

// TestForwardedTokenLoginRefused: a CreateDelegationToken that reached
// the controller in an envelope from a token-authenticated client is
// DELEGATION_TOKEN_REQUEST_NOT_ALLOWED, whichever node let it through.
func TestForwardedTokenLoginRefused(t *testing.T) {
	n := &Node{apis: newAPIIndex()}
	create := kmsg.NewPtrCreateDelegationTokenRequest()
	create.SetVersion(3)
	req := clientRequest(t) // alice, token-authenticated
	req.Msg, req.Key, req.Version = create, create.Key(), 3
	inner, err := n.unwrapEnvelope(&wire.Request{Key: envelopeKey, Conn: &wire.ConnInfo{Listener: "CONTROLLER"}}, envelopeOf(req))
	if err != nil {
		t.Fatal(err)
	}
	var got kmsg.Response
	n.apis.lookup(inner.Key).handle(n, inner, wire.CaptureReply(func(r kmsg.Response, _ error) { got = r }))
	r, ok := got.(*kmsg.CreateDelegationTokenResponse)
	if !ok || r.ErrorCode != kerr.DelegationTokenRequestNotAllowed.Code || r.PrincipalName != "alice" {
		t.Fatalf("answer %+v, want DELEGATION_TOKEN_REQUEST_NOT_ALLOWED for alice", got)
	}
}
