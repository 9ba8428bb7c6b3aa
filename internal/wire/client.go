package wire

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// ErrClientClosed is returned by a closed Client.
var ErrClientClosed = errors.New("wire: client closed")

// Client sends Kafka requests to one address over one connection, one at
// a time, dialing again after an error. Gofka nodes use it to talk to each
// other (raft messages, forwarded controller requests).
type Client struct {
	addr     string
	clientID string
	dial     func(ctx context.Context, network, addr string) (net.Conn, error)
	fmt      *kmsg.RequestFormatter

	mu struct {
		sync.Mutex
		conn   net.Conn
		br     *bufio.Reader
		corr   int32
		closed bool
	}
}

// NewClient returns a client of addr that names itself clientID.
func NewClient(addr, clientID string) *Client {
	d := &net.Dialer{Timeout: 5 * time.Second}
	return &Client{addr: addr, clientID: clientID, dial: d.DialContext,
		fmt: kmsg.NewRequestFormatter(kmsg.FormatterClientID(clientID))}
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
	if c.mu.conn == nil {
		conn, err := c.dial(ctx, "tcp", c.addr)
		if err != nil {
			return nil, err
		}
		c.mu.conn, c.mu.br = conn, bufio.NewReader(conn)
	}
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(30 * time.Second)
	}
	conn := c.mu.conn
	_ = conn.SetDeadline(deadline)
	// A cancelled request ends at once: the deadline moves to the past.
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	c.mu.corr++
	if _, err := c.mu.conn.Write(c.fmt.AppendRequest(nil, req, c.mu.corr)); err != nil {
		return nil, err
	}
	return c.readResponseLocked(req)
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
	body = body[4:]
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
		c.mu.conn, c.mu.br = nil, nil
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
