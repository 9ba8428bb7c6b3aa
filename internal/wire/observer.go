package wire

import (
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// Observer is told about connections and requests, for metrics. Its
// methods are called on connection goroutines and must be cheap and safe
// for concurrent use; the server calls them without allocating.
type Observer interface {
	// ConnOpened is called when a connection is accepted.
	ConnOpened()
	// ConnClosed is called once when an accepted connection closes.
	ConnClosed()
	// Response is called with each response encoded by Reply.Send or
	// Reply.SendVersion (not SendParts), before it is queued, so the
	// observer can count error codes. It must not keep resp.
	Response(key int16, resp kmsg.Response)
	// RequestDone is called when a request's reply left the queue: written,
	// skipped (acks=0) or, with closed set, answered by closing the
	// connection. dur runs from the request's arrival.
	RequestDone(key, version int16, dur time.Duration, closed bool)
}

// observeResponse tells the observer about an encoded response.
func (s *Server) observeResponse(key int16, resp kmsg.Response) {
	if o := s.cfg.Observer; o != nil {
		o.Response(key, resp)
	}
}

// observeDone tells the observer that sl's reply left the queue.
func (s *Server) observeDone(sl *slot, closed bool) {
	if o := s.cfg.Observer; o != nil {
		o.RequestDone(sl.req.Key, sl.req.Version, time.Since(sl.req.Received), closed)
	}
}
