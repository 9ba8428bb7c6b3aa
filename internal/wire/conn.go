package wire

import (
	"bufio"
	"crypto/tls"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// readBufSize is the per-connection read buffer; larger frames are read
// straight into their own buffer.
const readBufSize = 16 << 10

// conn is one client connection with its reader and writer goroutines.
type conn struct {
	srv  *Server
	nc   net.Conn
	br   *bufio.Reader
	info ConnInfo
	log  *slog.Logger

	quit       chan struct{} // closed by close
	wake       chan struct{} // the queue head may be complete
	space      chan struct{} // the queue has room
	closed     atomic.Bool
	lastActive atomic.Int64  // unix nanos of the last frame read or response written
	mutedUntil atomic.Int64  // unix nanos: no frame is read before (throttle.go)
	ids        clientIDCache // reader only
	spare      []byte        // reader only: a Produce frame to read into (framepool.go)
	vec        [][]byte      // writer scratch for writev

	mu struct {
		sync.Mutex
		q       queue
		writing bool // a goroutine is writing a reply taken off q (writer.go)
		// handling is the request whose handler runs on the reader
		// goroutine: the reader writes its reply, or wakes the writer
		// goroutine for it, once the handler returns (writeInline), so
		// completing it wakes no one.
		handling *slot
	}
}

// newConn wraps nc for srv.
func newConn(srv *Server, nc net.Conn, id uint64) *conn {
	if srv.cfg.TLS != nil {
		nc = tls.Server(nc, srv.cfg.TLS)
	}
	c := &conn{
		srv:   srv,
		nc:    nc,
		br:    bufio.NewReaderSize(nc, readBufSize),
		quit:  make(chan struct{}),
		wake:  make(chan struct{}, 1),
		space: make(chan struct{}, 1),
	}
	c.info.ID, c.info.Remote, c.info.Local, c.info.Listener = id, nc.RemoteAddr(), nc.LocalAddr(), srv.cfg.ListenerName
	c.log = srv.log.With("conn", id, "remote", c.info.Remote.String())
	c.mu.q = newQueue(srv.cfg.MaxInFlight)
	c.touch()
	return c
}

// touch records activity for the idle timeout.
func (c *conn) touch() { c.lastActive.Store(time.Now().UnixNano()) }

func (c *conn) isClosed() bool { return c.closed.Load() }

// signal does a non-blocking send on a one-slot notification channel.
func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// enqueue appends a new request's slot, whose handler the reader calls
// next; the reader checked for room.
func (c *conn) enqueue(s *slot) {
	c.mu.Lock()
	c.mu.q.push(s)
	c.mu.handling = s
	c.mu.Unlock()
}

// complete records a reply's outcome and wakes the writer when s is the
// queue head, unless s's handler is still running on the reader, which
// then writes it or wakes the writer itself. On a closed connection the
// reply is dropped.
func (c *conn) complete(s *slot, st slotState) {
	c.mu.Lock()
	if c.closed.Load() {
		c.mu.Unlock()
		s.finish(ErrConnClosed)
		return
	}
	s.state = st
	wake := c.mu.q.peek() == s && c.mu.handling != s
	c.mu.Unlock()
	if wake {
		signal(c.wake)
	}
}

// waitRoom blocks until the queue has room, reporting false on close.
func (c *conn) waitRoom() bool {
	for {
		c.mu.Lock()
		full := c.mu.q.full()
		c.mu.Unlock()
		if !full {
			return true
		}
		select {
		case <-c.space:
		case <-c.quit:
			return false
		}
	}
}

// busy reports whether requests are queued or being answered.
func (c *conn) busy() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.mu.q.n > 0
}

// close closes the connection once, dropping every queued reply. reason
// (nil for an orderly end) is logged at Debug; protocol violations were
// logged at Info where they were detected.
func (c *conn) close(reason error) {
	c.mu.Lock()
	if c.closed.Swap(true) {
		c.mu.Unlock()
		return
	}
	var dropped []*slot
	for s := c.mu.q.peek(); s != nil; s = c.mu.q.peek() {
		if s.state != statePending {
			dropped = append(dropped, s)
		}
		c.mu.q.pop()
	}
	c.mu.Unlock()
	close(c.quit)
	_ = c.nc.Close()
	for _, s := range dropped {
		s.finish(ErrConnClosed)
	}
	c.log.Debug("wire: connection closed", "err", reason)
	c.srv.removeConn(c)
}
