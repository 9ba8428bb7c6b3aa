package wire

import (
	"errors"
	"net"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"
)

type fixedThrottler time.Duration

func (f fixedThrottler) Throttle(*Request) time.Duration { return time.Duration(f) }

// TestThrottleMutes: a response over a quota is sent at once with the
// throttle time (the larger of the handler's and the Throttler's) and the
// next request is read only once the throttle time has passed (KIP-219).
func TestThrottleMutes(t *testing.T) {
	h := &testHandler{}
	h.fn = func(req *Request, reply Reply) {
		resp := h.metadata()
		resp.ThrottleMillis = 50 // the handler's own (byte-rate) throttle
		reply.Send(resp)
	}
	_, addr := startServer(t, Config{Throttler: fixedThrottler(300 * time.Millisecond)}, h)
	c := dial(t, addr)
	start := time.Now()
	writeRequest(t, c, kmsg.NewPtrMetadataRequest(), 12, 1)
	writeRequest(t, c, kmsg.NewPtrMetadataRequest(), 12, 2)
	var first, second kmsg.MetadataResponse
	readResponse(t, c, 1, &first, 12, true)
	if el := time.Since(start); el > 250*time.Millisecond || first.ThrottleMillis != 300 {
		t.Fatalf("first response after %v with throttle %d ms; want at once with 300", el, first.ThrottleMillis)
	}
	readResponse(t, c, 2, &second, 12, true)
	if el := time.Since(start); el < 300*time.Millisecond {
		t.Fatalf("the second request was answered after %v, inside the throttle time", el)
	}
}

// gate is a Gate refusing or delaying every connection.
type gate struct {
	delay time.Duration
	err   error
}

func (g gate) WaitAccept(<-chan struct{}) bool       { return true }
func (g gate) Admit(net.Addr) (time.Duration, error) { return g.delay, g.err }
func (g gate) Release(net.Addr)                      {}

// TestGate: a refused connection closes at once, a throttled one is held
// unread for the delay and then closed.
func TestGate(t *testing.T) {
	_, addr := startServer(t, Config{Gate: gate{err: errors.New("too many")}}, &testHandler{})
	c := dial(t, addr)
	writeRequest(t, c, kmsg.NewPtrApiVersionsRequest(), 3, 1)
	expectClosed(t, c)

	_, addr = startServer(t, Config{Gate: gate{delay: 200 * time.Millisecond}}, &testHandler{})
	c = dial(t, addr)
	start := time.Now()
	writeRequest(t, c, kmsg.NewPtrApiVersionsRequest(), 3, 1)
	expectClosed(t, c)
	if el := time.Since(start); el < 150*time.Millisecond {
		t.Fatalf("a throttled connection closed after %v, before its delay", el)
	}
}
