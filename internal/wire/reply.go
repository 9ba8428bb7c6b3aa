package wire

import (
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// slotState is what a queued request's reply asks the writer to do.
type slotState uint8

const (
	statePending slotState = iota // no reply yet
	stateWrite                    // write buf, then parts
	stateSkip                     // nothing on the wire
	stateClose                    // close the connection
)

// slot is one request in a connection's response queue. It embeds the
// Request so both live in one allocation. Fields after replied are guarded
// by conn.mu once the reply set state; before that only the replier
// touches them.
type slot struct {
	req     Request
	c       *conn
	replied atomic.Bool

	state  slotState
	buf    *[]byte // pooled frame, or the header when parts is set
	parts  []Part
	done   func(error)
	reason error
}

// finish releases the slot's payload and reports err (nil after a
// successful write) to its SendPartsDone callback.
func (s *slot) finish(err error) {
	putBuf(s.buf)
	s.buf, s.parts = nil, nil
	if s.done != nil {
		done := s.done
		s.done = nil
		done(err)
	}
}

// Reply completes one request. Exactly one of its methods must be called,
// once, from any goroutine and at any time: handlers may park requests and
// reply later. Replies for a closed connection or server are dropped. A
// second call is a handler bug; it is logged and ignored.
type Reply struct {
	s   *slot
	cap *capture // a captured reply (embedded.go) instead of a slot
}

// claim marks the reply used, reporting false (and logging) when it was
// used before or is the zero Reply.
func (r Reply) claim(method string) bool {
	if r.s == nil {
		return false
	}
	if r.s.replied.CompareAndSwap(false, true) {
		return true
	}
	r.s.c.log.Error("wire: reply used twice", "method", method, "key", r.s.req.Key, "correlation_id", r.s.req.CorrelationID)
	return false
}

// Send encodes resp at the request's version, with response header v0 for
// ApiVersions and non-flexible versions and v1 otherwise, and queues it.
func (r Reply) Send(resp kmsg.Response) {
	if r.cap != nil {
		r.cap.finish(resp, nil)
		return
	}
	if !r.claim("Send") {
		return
	}
	r.send(resp, r.s.req.Version, r.s.req.flexHeader)
}

// SendVersion encodes resp at version instead of the request's version, as
// the KIP-511 answer to an unsupported ApiVersions request (v0) needs.
func (r Reply) SendVersion(resp kmsg.Response, version int16) {
	if r.cap != nil {
		resp.SetVersion(version)
		r.cap.finish(resp, nil)
		return
	}
	if !r.claim("SendVersion") {
		return
	}
	resp.SetVersion(version)
	flex := resp.IsFlexible() && resp.Key() != apiVersionsKey
	r.send(resp, version, flex)
}

// send encodes resp and hands it to the writer.
func (r Reply) send(resp kmsg.Response, version int16, flexHeader bool) {
	s, c := r.s, r.s.c
	if c.isClosed() {
		return
	}
	if resp.Key() != s.req.Key {
		s.reason = fmt.Errorf("wire: response key %d for request key %d", resp.Key(), s.req.Key)
		c.complete(s, stateClose)
		return
	}
	resp.SetVersion(version)
	c.throttleResponse(&s.req, resp)
	c.srv.observeResponse(s.req.Key, resp)
	s.buf = encodeResponse(s.req.CorrelationID, flexHeader, resp)
	c.complete(s, stateWrite)
}

// SendParts queues a response whose body the caller already encoded as
// parts; the size prefix and response header are added here. Bytes must not
// change and files must stay open until the response is written; use
// SendPartsDone to learn when that is.
func (r Reply) SendParts(parts []Part) {
	r.SendPartsDone(parts, nil)
}

// SendPartsDone is SendParts with a callback, called exactly once from any
// goroutine after the parts were written (nil) or dropped (an error), after
// which the caller may reuse the bytes and close the files.
func (r Reply) SendPartsDone(parts []Part, done func(error)) {
	if r.cap != nil {
		r.cap.finish(nil, errors.New("wire: SendParts on a captured reply"))
	}
	if r.cap != nil || !r.claim("SendParts") {
		if done != nil {
			done(ErrConnClosed)
		}
		return
	}
	s := r.s
	s.buf = encodePartsHeader(s.req.CorrelationID, s.req.flexHeader, parts)
	s.parts, s.done = parts, done
	s.c.complete(s, stateWrite)
}

// Skip completes the request with no response on the wire (Produce with
// acks=0); responses after it keep their order.
func (r Reply) Skip() {
	if r.cap != nil {
		r.cap.finish(nil, ErrNoResponse)
		return
	}
	if r.claim("Skip") {
		r.s.c.complete(r.s, stateSkip)
	}
}

// Close closes the connection once the responses to earlier requests are
// written. reason is logged.
func (r Reply) Close(reason error) {
	if r.cap != nil {
		r.cap.finish(nil, errors.Join(ErrNoResponse, reason))
		return
	}
	if r.claim("Close") {
		r.s.reason = reason
		r.s.c.complete(r.s, stateClose)
	}
}
