package broker

import (
	"net"
	"testing"

	"github.com/gofka/gofka/internal/security"
	"github.com/gofka/gofka/internal/wire"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// clientRequest is a CreateTopics from alice at 10.1.2.3, as a broker's
// listener would have parsed it.
func clientRequest(t testing.TB) *wire.Request {
	inner := kmsg.NewPtrCreateTopicsRequest()
	rt := kmsg.NewCreateTopicsRequestTopic()
	rt.Topic, rt.NumPartitions, rt.ReplicationFactor = "orders", 3, 1
	inner.Topics = append(inner.Topics, rt)
	inner.SetVersion(7)
	n := &Node{apis: newAPIIndex()}
	req, err := wire.ParseRequest(wire.EncodeRequest(kmsg.StringPtr("app"), 42, inner), n.forwardableVersions)
	if err != nil {
		t.Fatal(err)
	}
	req.Conn = &wire.ConnInfo{Remote: &net.TCPAddr{IP: net.IPv4(10, 1, 2, 3), Port: 5000}}
	req.Conn.Session.Store(&connSession{principal: security.User("alice"), authenticated: true, tokenAuth: true})
	return req
}

func TestEnvelopeRoundTrip(t *testing.T) {
	n := &Node{apis: newAPIIndex()}
	req := clientRequest(t)
	env := envelopeOf(req)
	if len(env.ClientHostAddress) != 4 {
		t.Fatalf("client address %v, want 4 bytes", env.ClientHostAddress)
	}
	outer := &wire.Request{Key: envelopeKey, Conn: &wire.ConnInfo{Listener: "CONTROLLER"}}
	inner, err := n.unwrapEnvelope(outer, env)
	if err != nil {
		t.Fatal(err)
	}
	s := sessionOf(inner.Conn)
	if s.principal != security.User("alice") || !s.enveloped || !s.tokenAuth || hostOf(inner.Conn) != "10.1.2.3" {
		t.Errorf("principal %v enveloped %v token %v host %q", s.principal, s.enveloped, s.tokenAuth, hostOf(inner.Conn))
	}
	r, ok := inner.Msg.(*kmsg.CreateTopicsRequest)
	if !ok || inner.Version != 7 || inner.CorrelationID != 42 || inner.ClientIDString() != "app" || r.Topics[0].Topic != "orders" {
		t.Fatalf("inner %+v", inner)
	}
	// The controller's answer comes back through the envelope response.
	resp := r.ResponseKind().(*kmsg.CreateTopicsResponse)
	rt := kmsg.NewCreateTopicsResponseTopic()
	rt.Topic, rt.ErrorCode = "orders", 29
	resp.Topics = append(resp.Topics, rt)
	back, err := wire.DecodeResponse(req.Msg, req.CorrelationID, wire.EncodeResponse(inner, resp))
	if err != nil {
		t.Fatal(err)
	}
	if got := back.(*kmsg.CreateTopicsResponse).Topics[0]; got.Topic != "orders" || got.ErrorCode != 29 {
		t.Errorf("response %+v", got)
	}
}

// TestEnvelopeInvalid: envelopes the controller must refuse as
// INVALID_REQUEST.
func TestEnvelopeInvalid(t *testing.T) {
	n := &Node{apis: newAPIIndex()}
	outer := &wire.Request{Key: envelopeKey}
	produce := kmsg.NewPtrProduceRequest()
	produce.SetVersion(9)
	reg := kmsg.NewPtrBrokerRegistrationRequest()
	reg.SetVersion(0)
	for name, mutate := range map[string]func(*kmsg.EnvelopeRequest){
		"no principal":  func(e *kmsg.EnvelopeRequest) { e.RequestPrincipal = nil },
		"bad principal": func(e *kmsg.EnvelopeRequest) { e.RequestPrincipal = []byte{0, 7, 1} },
		"empty type": func(e *kmsg.EnvelopeRequest) {
			e.RequestPrincipal = (&kmsg.DefaultPrincipalData{Name: "x"}).AppendTo(nil)
		},
		"bad host":          func(e *kmsg.EnvelopeRequest) { e.ClientHostAddress = []byte{1, 2, 3} },
		"no request":        func(e *kmsg.EnvelopeRequest) { e.RequestData = nil },
		"truncated request": func(e *kmsg.EnvelopeRequest) { e.RequestData = e.RequestData[:len(e.RequestData)/2] },
		"produce":           func(e *kmsg.EnvelopeRequest) { e.RequestData = wire.EncodeRequest(nil, 1, produce) },
		"registration":      func(e *kmsg.EnvelopeRequest) { e.RequestData = wire.EncodeRequest(nil, 1, reg) },
	} {
		env := envelopeOf(clientRequest(t))
		mutate(env)
		if _, err := n.unwrapEnvelope(outer, env); err == nil {
			t.Errorf("%s: unwrapped", name)
		}
	}
}

// FuzzEnvelopeUnwrap: no envelope crashes the controller's unwrap. The
// fields are fuzzed directly (the envelope's own frame is decoded by kmsg
// as every request is).
func FuzzEnvelopeUnwrap(f *testing.F) {
	env := envelopeOf(clientRequest(f))
	f.Add(env.RequestData, env.RequestPrincipal, env.ClientHostAddress)
	f.Add([]byte{}, []byte{}, []byte{})
	n := &Node{apis: newAPIIndex()}
	f.Fuzz(func(t *testing.T, data, principal, host []byte) {
		e := &kmsg.EnvelopeRequest{RequestData: data, RequestPrincipal: principal, ClientHostAddress: host}
		inner, err := n.unwrapEnvelope(&wire.Request{Key: envelopeKey}, e)
		if err == nil && (inner.Msg == nil || !forwardableAPIs[inner.Key]) {
			t.Fatalf("unwrapped a request that is not forwardable: key %d", inner.Key)
		}
	})
}
