package wire

import (
	"crypto/tls"
	"encoding/binary"
	"fmt"
	"net"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// apiVersionsKey is the API key of ApiVersions, whose responses always use
// response header v0 and whose too-new versions are answered (KIP-511).
const apiVersionsKey = 18

// controlledShutdownKey is the API key of ControlledShutdown, whose v0 uses
// request header v0.
const controlledShutdownKey = 7

// headerV0Size is the size of request header v0: key, version and
// correlation id.
const headerV0Size = 2 + 2 + 4

// Request is one decoded request. Body bytes (and byte slices inside Msg,
// such as produce record batches) alias the frame buffer. The frame of a
// Produce request is reused for later requests as soon as Handle returns,
// so a Produce handler must not keep slices of the request past its
// return (the response may still be sent later); every other frame is
// never reused. Strings inside Msg are copies.
type Request struct {
	Key, Version  int16
	CorrelationID int32
	ClientID      *string
	// Msg is the decoded body; nil when Unsupported.
	Msg kmsg.Request
	// Unsupported is set only for ApiVersions requests at a version above
	// the handler's max (KIP-511): the body is not decoded, and the handler
	// answers with an ApiVersions v0 response carrying UNSUPPORTED_VERSION
	// and the supported key list (see Reply.SendVersion).
	Unsupported bool
	// Conn describes the connection the request arrived on.
	Conn *ConnInfo
	// Size is the frame size in bytes, without the 4-byte size prefix.
	Size int
	// Received is when the frame had been read completely.
	Received time.Time
	// Body is the undecoded request body, aliasing the frame.
	Body []byte

	// flexHeader records whether the response header is v1 (tagged).
	flexHeader bool
}

// ConnInfo describes one client connection.
type ConnInfo struct {
	ID            uint64
	Remote, Local net.Addr
	Listener      string
	// TLS is the state of the finished handshake on a TLS listener, nil on
	// a plaintext one. It is set before the first request is read.
	TLS *tls.ConnectionState
	// Session is the handler's per-connection state (the authenticated
	// principal), set through Config.OnConnect and by handlers.
	Session atomic.Value

	raw RawFrameFunc // reader only (raw.go)
}

// ClientIDString returns the client id, or "" when it is null, as Kafka
// treats a null client id.
func (r *Request) ClientIDString() string {
	if r.ClientID == nil {
		return ""
	}
	return *r.ClientID
}

// ResponseHeaderFlexible reports whether the response to r uses response
// header v1 (with tagged fields). ApiVersions always uses v0.
func (r *Request) ResponseHeaderFlexible() bool { return r.flexHeader }

// ParseRequest parses a request frame (without its size prefix): the header,
// then the body with kmsg at the header's version. versions reports the
// served version range of an API key, as Handler.Versions does.
//
// An ApiVersions request above the served max is returned with Unsupported
// set and no decoded body (KIP-511). On error the returned Request, when not
// nil, holds the header fields parsed so far, for logging.
func ParseRequest(frame []byte, versions func(key int16) (min, max int16, ok bool)) (*Request, error) {
	req := new(Request)
	req.Size = len(frame)
	rest, err := parseFixedHeader(req, frame, nil)
	if err != nil {
		return nil, err
	}
	return req, parseBody(req, rest, versions)
}

// parseInto is ParseRequest writing into a caller-owned Request. ids, when
// not nil, remembers the connection's last client id so a client that
// repeats it (they all do) costs no allocation.
func parseInto(req *Request, frame []byte, versions func(int16) (int16, int16, bool), ids *clientIDCache) error {
	req.Size = len(frame)
	rest, err := parseFixedHeader(req, frame, ids)
	if err != nil {
		return err
	}
	return parseBody(req, rest, versions)
}

// parseBody checks the API key and version against versions, then decodes
// the header's tagged fields and the body in b.
func parseBody(req *Request, b []byte, versions func(int16) (int16, int16, bool)) error {
	msg := requestForKey(req.Key)
	if msg == nil {
		return fmt.Errorf("%w: key %d", ErrUnknownAPIKey, req.Key)
	}
	lo, hi, ok := versions(req.Key)
	if !ok {
		return fmt.Errorf("%w: key %d not served", ErrUnknownAPIKey, req.Key)
	}
	msg.SetVersion(req.Version)
	if req.Key == apiVersionsKey && req.Version > hi {
		req.Unsupported = true
		req.Body = skipHeaderTagsLenient(b, msg.IsFlexible())
		return nil
	}
	if req.Version < lo || req.Version > hi {
		return fmt.Errorf("%w: key %d version %d (served %d..%d)", ErrUnsupportedVersion, req.Key, req.Version, lo, hi)
	}
	return decodeBody(req, msg, b)
}

// parseFixedHeader reads key, version, correlation id and client id,
// returning the bytes after them. ControlledShutdown v0 alone uses request
// header v0, which has no client id.
func parseFixedHeader(req *Request, b []byte, ids *clientIDCache) ([]byte, error) {
	if len(b) < headerV0Size {
		return nil, fmt.Errorf("%w: %d bytes", ErrTruncated, len(b))
	}
	req.Key = int16(binary.BigEndian.Uint16(b))
	req.Version = int16(binary.BigEndian.Uint16(b[2:]))
	req.CorrelationID = int32(binary.BigEndian.Uint32(b[4:]))
	b = b[headerV0Size:]
	if req.Key == controlledShutdownKey && req.Version == 0 {
		return b, nil
	}
	return parseClientID(req, b, ids)
}

// parseClientID reads the nullable, int16-length client id (never compact,
// even in header v2).
func parseClientID(req *Request, b []byte, ids *clientIDCache) ([]byte, error) {
	if len(b) < 2 {
		return nil, fmt.Errorf("%w: no client id", ErrTruncated)
	}
	n := int16(binary.BigEndian.Uint16(b))
	b = b[2:]
	if n < 0 {
		return b, nil
	}
	if int(n) > len(b) {
		return nil, fmt.Errorf("%w: client id length %d exceeds frame", ErrTruncated, n)
	}
	req.ClientID = ids.get(b[:n])
	return b[n:], nil
}

// clientIDCache holds the last client id seen on a connection. Requests
// share the *string; handlers must not write through it.
type clientIDCache struct {
	last *string
}

// get returns a *string holding b, reusing the cached one when equal.
func (c *clientIDCache) get(b []byte) *string {
	if c != nil && c.last != nil && *c.last == string(b) {
		return c.last
	}
	id := string(b)
	if c != nil {
		c.last = &id
	}
	return &id
}

// decodeBody skips the header's tagged fields when the API version is
// flexible and decodes the body into msg.
func decodeBody(req *Request, msg kmsg.Request, b []byte) error {
	flexible := msg.IsFlexible()
	if flexible {
		var err error
		if b, err = skipTags(b); err != nil {
			return err
		}
	}
	req.flexHeader = flexible && req.Key != apiVersionsKey
	req.Body = b
	if err := msg.ReadFrom(b); err != nil {
		return fmt.Errorf("%w: key %d version %d body: %w", ErrDecode, req.Key, req.Version, err)
	}
	req.Msg = msg
	return nil
}

// skipHeaderTagsLenient skips the header tags of an unsupported ApiVersions
// request when they parse; the body of such a request is never decoded, so a
// header from an unknown future version is not an error.
func skipHeaderTagsLenient(b []byte, flexible bool) []byte {
	if !flexible {
		return b
	}
	if rest, err := skipTags(b); err == nil {
		return rest
	}
	return b
}
