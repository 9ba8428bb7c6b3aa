package wire

// Embedded requests and responses: a request's header and body, or a
// response's header and body, as bytes inside another message (Kafka's
// EnvelopeRequest and EnvelopeResponse, KIP-590), and a Reply that hands
// the response back to its caller instead of a connection.

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// EncodeRequest returns req's header (clientID, corr) and body at req's
// version, without a size prefix.
func EncodeRequest(clientID *string, corr int32, req kmsg.Request) []byte {
	var opts []kmsg.RequestFormatterOpt
	if clientID != nil {
		opts = append(opts, kmsg.FormatterClientID(*clientID))
	}
	return kmsg.NewRequestFormatter(opts...).AppendRequest(nil, req, corr)[4:]
}

// EncodeResponse returns the response to req (header and body, without a
// size prefix), as the connection would have written it.
func EncodeResponse(req *Request, resp kmsg.Response) []byte {
	resp.SetVersion(req.Version)
	b := appendHeader(nil, req.CorrelationID, req.flexHeader)[4:]
	return resp.AppendTo(b)
}

// DecodeResponse decodes b, a response to req with its header, checking
// that it answers correlation id corr.
func DecodeResponse(req kmsg.Request, corr int32, b []byte) (kmsg.Response, error) {
	if len(b) < 4 {
		return nil, errors.New("wire: embedded response shorter than its header")
	}
	if got := int32(binary.BigEndian.Uint32(b)); got != corr {
		return nil, fmt.Errorf("wire: embedded response to correlation id %d, want %d", got, corr)
	}
	resp, err := decodeResponseBody(req, b[4:])
	if err != nil {
		return nil, fmt.Errorf("wire: embedded response: %w", err)
	}
	return resp, nil
}

// ErrNoResponse is what a captured reply reports for Skip, and for Close
// with a nil reason.
var ErrNoResponse = errors.New("wire: the handler sent no response")

// CaptureReply returns a Reply whose Send and SendVersion hand the
// response to done, and whose Close, Skip and SendParts hand it an error
// (they have no meaning off a connection). done is called at most once.
func CaptureReply(done func(resp kmsg.Response, err error)) Reply {
	return Reply{cap: &capture{done: done}}
}

// capture is the state of a captured reply.
type capture struct {
	used atomic.Bool
	done func(kmsg.Response, error)
}

func (c *capture) finish(resp kmsg.Response, err error) {
	if c.used.CompareAndSwap(false, true) {
		c.done(resp, err)
	}
}
