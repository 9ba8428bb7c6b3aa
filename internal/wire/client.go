package wire

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/twmb/franz-go/pkg/sasl"
)

// ErrClientClosed is returned by a closed Client.
var ErrClientClosed = errors.New("wire: client closed")

// Client sends Kafka requests to one address over one connection, one at
// a time, dialing again after an error. Gofka nodes use it to talk to each
// other (raft messages, forwarded controller requests), over TLS and with
// SASL when the listener they reach asks for it (ClientSecurity).
type Client struct {
	addr     string
	clientID string
	dial     func(ctx context.Context, network, addr string) (net.Conn, error)
	fmt      *kmsg.RequestFormatter
	sec      ClientSecurity

	mu struct {
		sync.Mutex
		conn   net.Conn
		br     *bufio.Reader
		corr   int32
		closed bool
		// expiry is when the SASL session of conn ends (KIP-368), zero
		// for none: the connection is dialed again before it.
		expiry time.Time
	}
}

// ClientSecurity is how a Client secures its connections: TLS when TLS is
// set (a copy is used, with ServerName set to the address's host when
// empty), then SASL authentication (SaslHandshake v1, SaslAuthenticate)
// when SASL is set.
type ClientSecurity struct {
	TLS  *tls.Config
	SASL sasl.Mechanism
	// Err, when set, fails every connection: the security could not be
	// built (a node reports it at start and when it is used).
	Err error
}

// NewClient returns a plaintext client of addr that names itself clientID.
func NewClient(addr, clientID string) *Client {
	return NewSecureClient(addr, clientID, ClientSecurity{})
}

// NewSecureClient returns a client of addr with sec.
func NewSecureClient(addr, clientID string, sec ClientSecurity) *Client {
	d := &net.Dialer{Timeout: 5 * time.Second}
	return &Client{addr: addr, clientID: clientID, dial: d.DialContext, sec: sec,
		fmt: kmsg.NewRequestFormatter(kmsg.FormatterClientID(clientID))}
}

// WithRecvBuffer sets the SO_RCVBUF of the connections c dials (Kafka's
// replica.socket.receive.buffer.bytes for follower fetchers); 0 or less
// keeps the OS default. Call it before the first request.
func (c *Client) WithRecvBuffer(n int) *Client {
	if n <= 0 {
		return c
	}
	dial := c.dial
	c.dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := dial(ctx, network, addr)
		if err == nil {
			setBuffers(conn, n, 0, nil)
		}
		return conn, err
	}
	return c
}

// Addr is the address the client sends to.
func (c *Client) Addr() string { return c.addr }

// Request sends req (at its set version) and reads its response, until
// ctx is done. Errors close the connection; the next request dials again.
func (c *Client) Request(ctx context.Context, req kmsg.Request) (kmsg.Response, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.mu.closed {
		return nil, ErrClientClosed
	}
	resp, err := c.roundTripLocked(ctx, req)
	if err != nil {
		c.dropLocked()
		return nil, fmt.Errorf("wire: request %d to %s: %w", req.Key(), c.addr, err)
	}
	return resp, nil
}

func (c *Client) roundTripLocked(ctx context.Context, req kmsg.Request) (kmsg.Response, error) {
	if c.mu.conn != nil && !c.mu.expiry.IsZero() && time.Now().After(c.mu.expiry) {
		c.dropLocked() // the SASL session is about to end: authenticate anew
	}
	if c.mu.conn == nil {
		if err := c.connectLocked(ctx); err != nil {
			c.dropLocked()
			return nil, err
		}
	}
	stop := c.deadlineLocked(ctx)
	defer stop()
	return c.exchangeLocked(req)
}

// deadlineLocked bounds the connection's I/O by ctx: its deadline (30s
// without one) and its cancellation, which moves the deadline to the
// past. The returned func stops watching ctx.
func (c *Client) deadlineLocked(ctx context.Context) func() bool {
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(30 * time.Second)
	}
	conn := c.mu.conn
	_ = conn.SetDeadline(deadline)
	return context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
}

// exchangeLocked writes req and reads its response.
func (c *Client) exchangeLocked(req kmsg.Request) (kmsg.Response, error) {
	c.mu.corr++
	if _, err := c.mu.conn.Write(c.fmt.AppendRequest(nil, req, c.mu.corr)); err != nil {
		return nil, err
	}
	return c.readResponseLocked(req)
}

// connectLocked dials, runs the TLS handshake and authenticates.
func (c *Client) connectLocked(ctx context.Context) error {
	if c.sec.Err != nil {
		return c.sec.Err
	}
	conn, err := c.dial(ctx, "tcp", c.addr)
	if err != nil {
		return err
	}
	if c.sec.TLS != nil {
		cfg := c.sec.TLS.Clone()
		if cfg.ServerName == "" {
			cfg.ServerName, _, _ = net.SplitHostPort(c.addr)
		}
		tc := tls.Client(conn, cfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			_ = conn.Close()
			return fmt.Errorf("TLS handshake: %w", err)
		}
		conn = tc
	}
	c.mu.conn, c.mu.br, c.mu.expiry = conn, bufio.NewReader(conn), time.Time{}
	if c.sec.SASL == nil {
		return nil
	}
	stop := c.deadlineLocked(ctx)
	defer stop()
	return c.authenticateLocked(ctx)
}

func (c *Client) readResponseLocked(req kmsg.Request) (kmsg.Response, error) {
	var size [4]byte
	if _, err := io.ReadFull(c.mu.br, size[:]); err != nil {
		return nil, err
	}
	n := int32(binary.BigEndian.Uint32(size[:]))
	if n < 4 || n > DefaultMaxRequestBytes {
		return nil, fmt.Errorf("response size %d", n)
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(c.mu.br, body); err != nil {
		return nil, err
	}
	if corr := int32(binary.BigEndian.Uint32(body)); corr != c.mu.corr {
		return nil, fmt.Errorf("correlation id %d, want %d", corr, c.mu.corr)
	}
	return decodeResponseBody(req, body[4:])
}

// decodeResponseBody decodes the response to req from what follows the
// correlation id: the header's tags (flexible versions but ApiVersions),
// then the body.
func decodeResponseBody(req kmsg.Request, body []byte) (kmsg.Response, error) {
	resp := req.ResponseKind()
	resp.SetVersion(req.GetVersion())
	if resp.IsFlexible() && req.Key() != apiVersionsKey {
		var err error
		if body, err = skipTags(body); err != nil {
			return nil, err
		}
	}
	return resp, resp.ReadFrom(body)
}

func (c *Client) dropLocked() {
	if c.mu.conn != nil {
		_ = c.mu.conn.Close()
		c.mu.conn, c.mu.br, c.mu.expiry = nil, nil, time.Time{}
	}
}

// Close closes the connection; later requests fail with ErrClientClosed.
func (c *Client) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.mu.closed = true
	c.dropLocked()
	return nil
}
