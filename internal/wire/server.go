package wire

import (
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults applied by NewServer to zero Config fields.
const (
	// DefaultMaxRequestBytes is Kafka's socket.request.max.bytes default.
	DefaultMaxRequestBytes = 100 << 20
	// DefaultMaxInFlight is the default per-connection response queue.
	DefaultMaxInFlight = 100
)

// Config configures a Server.
type Config struct {
	// MaxRequestBytes is socket.request.max.bytes: frames above it (or with
	// a negative size) close the connection before the frame is allocated.
	MaxRequestBytes int32
	// MaxInFlight is how many requests a connection may have queued for a
	// response before its reader stops reading (backpressure).
	MaxInFlight int
	// IdleTimeout is connections.max.idle.ms; 0 means never.
	IdleTimeout time.Duration
	// Logger receives connection events; nil discards them.
	Logger *slog.Logger
	// ListenerName names the listener in ConnInfo.
	ListenerName string
	// Observer, when set, is told about connections and requests.
	Observer Observer
	// TLS, when set, makes the listener a TLS one: each connection's
	// reader runs the handshake, bounded by HandshakeTimeout, before it
	// reads a request (tls.go).
	TLS *tls.Config
	// HandshakeTimeout bounds the TLS handshake; 0 means
	// DefaultHandshakeTimeout.
	HandshakeTimeout time.Duration
	// OnConnect, when set, is called on the reader goroutine after the TLS
	// handshake and before the first request, to set ConnInfo.Session; an
	// error closes the connection.
	OnConnect func(*ConnInfo) error
	// OnTLSHandshake, when set, is told of each TLS handshake's outcome
	// (nil error on success), on the reader goroutine.
	OnTLSHandshake func(ci *ConnInfo, err error)
	// Throttler, when set, is asked for the request-quota throttle of each
	// response sent with Reply.Send (see throttle.go).
	Throttler Throttler
	// Gate, when set, admits new connections (connection quotas, gate.go).
	Gate Gate
	// RecvBuffer and SendBuffer are the SO_RCVBUF and SO_SNDBUF of
	// accepted connections (socket.receive.buffer.bytes and
	// socket.send.buffer.bytes); 0 or less keeps the OS default.
	RecvBuffer, SendBuffer int
}

// withDefaults fills zero or invalid fields with their defaults.
func (c Config) withDefaults() Config {
	if c.MaxRequestBytes <= 0 {
		c.MaxRequestBytes = DefaultMaxRequestBytes
	}
	if c.MaxInFlight <= 0 {
		c.MaxInFlight = DefaultMaxInFlight
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.HandshakeTimeout <= 0 {
		c.HandshakeTimeout = DefaultHandshakeTimeout
	}
	return c
}

// Handler answers decoded requests.
type Handler interface {
	// Versions reports the served version range for an API key; ok=false
	// means not served.
	Versions(key int16) (min, max int16, ok bool)
	// Handle is called on the connection's reader goroutine in request
	// order, so a handler's synchronous part sees requests in order; it
	// must not block on long waits (park them and Reply later).
	Handle(req *Request, reply Reply)
}

// Server accepts Kafka client connections and serves them with a Handler.
type Server struct {
	cfg    Config
	h      Handler
	log    *slog.Logger
	nextID atomic.Uint64
	quit   chan struct{}
	wg     sync.WaitGroup // reader and writer goroutines

	mu struct {
		sync.Mutex
		closed  bool
		lns     map[net.Listener]struct{}
		conns   map[*conn]struct{}
		delayed map[net.Conn]*time.Timer // throttled, closed later (gate.go)
	}
}

// NewServer returns a server answering requests with h.
func NewServer(cfg Config, h Handler) *Server {
	cfg = cfg.withDefaults()
	s := &Server{cfg: cfg, h: h, log: cfg.Logger, quit: make(chan struct{})}
	s.mu.lns = make(map[net.Listener]struct{})
	s.mu.conns = make(map[*conn]struct{})
	s.mu.delayed = make(map[net.Conn]*time.Timer)
	return s
}

// Serve accepts connections on ln until Close, and returns nil after Close.
// It closes ln when it returns.
func (s *Server) Serve(ln net.Listener) error {
	if !s.addListener(ln) {
		_ = ln.Close()
		return nil
	}
	defer s.removeListener(ln)
	var backoff time.Duration
	for {
		if !s.waitAccept() {
			return nil
		}
		nc, err := ln.Accept()
		if err != nil {
			if s.isClosed() {
				return nil
			}
			if !isTemporary(err) {
				return err
			}
			backoff = s.acceptBackoff(backoff, err)
			continue
		}
		backoff = 0
		setBuffers(nc, s.cfg.RecvBuffer, s.cfg.SendBuffer, s.log)
		if s.admit(nc) {
			s.startConn(nc)
		}
	}
}

// isTemporary reports accept errors worth retrying (for example EMFILE).
func isTemporary(err error) bool {
	var te interface{ Temporary() bool }
	return errors.As(err, &te) && te.Temporary()
}

// acceptBackoff sleeps after a temporary accept error, doubling from 5ms
// to 1s, and returns the delay used.
func (s *Server) acceptBackoff(prev time.Duration, err error) time.Duration {
	d := min(max(2*prev, 5*time.Millisecond), time.Second)
	s.log.Warn("wire: accept error; retrying", "err", err, "delay", d)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-s.quit:
	}
	return d
}

// startConn registers nc and starts its reader and writer.
func (s *Server) startConn(nc net.Conn) {
	c := newConn(s, nc, s.nextID.Add(1))
	s.mu.Lock()
	if s.mu.closed {
		s.mu.Unlock()
		_ = nc.Close()
		s.release(c)
		return
	}
	s.mu.conns[c] = struct{}{}
	s.wg.Add(2)
	s.mu.Unlock()
	if s.cfg.Observer != nil {
		s.cfg.Observer.ConnOpened()
	}
	c.log.Debug("wire: connection accepted", "listener", s.cfg.ListenerName)
	go c.readLoop()
	go c.writeLoop()
}

// removeConn forgets a closed connection.
func (s *Server) removeConn(c *conn) {
	s.mu.Lock()
	delete(s.mu.conns, c)
	s.mu.Unlock()
	s.release(c)
	if s.cfg.Observer != nil {
		s.cfg.Observer.ConnClosed()
	}
}

func (s *Server) addListener(ln net.Listener) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.mu.closed {
		return false
	}
	s.mu.lns[ln] = struct{}{}
	return true
}

func (s *Server) removeListener(ln net.Listener) {
	s.mu.Lock()
	delete(s.mu.lns, ln)
	s.mu.Unlock()
	_ = ln.Close()
}

func (s *Server) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mu.closed
}

// Close stops accepting, closes every connection and waits for their
// goroutines. Replies completed after Close are dropped.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.mu.closed {
		s.mu.Unlock()
		s.wg.Wait()
		return nil
	}
	s.mu.closed = true
	close(s.quit)
	s.closeDelayedLocked()
	lns := make([]net.Listener, 0, len(s.mu.lns))
	for ln := range s.mu.lns {
		lns = append(lns, ln)
	}
	conns := make([]*conn, 0, len(s.mu.conns))
	for c := range s.mu.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, ln := range lns {
		_ = ln.Close()
	}
	for _, c := range conns {
		c.close(nil)
	}
	s.wg.Wait()
	return nil
}

// NumConns returns the number of open connections.
func (s *Server) NumConns() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.mu.conns)
}
