package faultnet

import (
	"bufio"
	"errors"
	"io"
	"net"
	"sync"
	"time"
)

// MaxConns bounds the connections one proxy holds at once.
const MaxConns = 1024

const (
	bufSize     = 32 << 10
	dialTimeout = 2 * time.Second
)

// Proxy forwards one listener of one node.
type Proxy struct {
	net    *Net
	node   string
	ln     net.Listener
	target func() string
	wg     sync.WaitGroup // the accept loop and every connection's goroutines

	mu struct {
		sync.Mutex
		conns  map[*conn]struct{}
		closed bool
	}
}

func newProxy(n *Net, node string, ln net.Listener, target func() string) *Proxy {
	p := &Proxy{net: n, node: node, ln: ln, target: target}
	p.mu.conns = map[*conn]struct{}{}
	return p
}

// Addr is the address the proxy listens on: the one nodes and clients use.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Node is the node the proxy fronts.
func (p *Proxy) Node() string { return p.node }

// Conns is the number of connections the proxy holds now.
func (p *Proxy) Conns() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.mu.conns)
}

func (p *Proxy) start() {
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		p.acceptLoop()
	}()
}

func (p *Proxy) acceptLoop() {
	for {
		nc, err := p.ln.Accept()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return // closed
		}
		c := &conn{p: p, client: nc, done: make(chan struct{})}
		if !p.add(c) {
			_ = nc.Close()
			continue
		}
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			defer p.remove(c)
			c.run()
		}()
	}
}

// add registers c, unless the proxy is closed or full.
func (p *Proxy) add(c *conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.mu.closed || len(p.mu.conns) >= MaxConns {
		return false
	}
	p.mu.conns[c] = struct{}{}
	return true
}

func (p *Proxy) remove(c *conn) {
	c.close()
	p.mu.Lock()
	delete(p.mu.conns, c)
	p.mu.Unlock()
}

func (p *Proxy) conns() []*conn {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]*conn, 0, len(p.mu.conns))
	for c := range p.mu.conns {
		out = append(out, c)
	}
	return out
}

// close stops accepting, drops every connection and waits.
func (p *Proxy) close() error {
	p.mu.Lock()
	p.mu.closed = true
	p.mu.Unlock()
	err := p.ln.Close()
	for _, c := range p.conns() {
		c.close()
	}
	p.wg.Wait()
	return err
}

// conn is one proxied connection: client is the side that connected to
// the proxy, server the connection to the target.
type conn struct {
	p      *Proxy
	client net.Conn
	done   chan struct{} // closed by close
	once   sync.Once

	mu struct {
		sync.Mutex
		src    string
		server net.Conn
	}
}

func (c *conn) source() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.mu.src
}

// reset closes the connection with a TCP reset, as a refused or broken
// connection ends, rather than with the orderly end of a closing peer
// (clients treat the first read's EOF as fatal, a reset as retriable).
func (c *conn) reset() {
	if tc, ok := c.client.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	c.close()
}

func (c *conn) close() {
	c.once.Do(func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		close(c.done)
		_ = c.client.Close()
		if c.mu.server != nil {
			_ = c.mu.server.Close()
		}
	})
}

// wait blocks while the connection is blackholed and reports whether it
// may go on (false: cut or closed).
func (c *conn) wait() bool {
	for {
		m, changed := c.p.net.mode(c.source(), c.p.node)
		switch m {
		case Pass:
			return true
		case Cut:
			return false
		}
		select {
		case <-changed:
		case <-c.done:
			return false
		}
	}
}

// run refuses, identifies, connects and pumps the connection; it returns
// when both directions are done. A connection refused (cut, or the target
// down) is reset.
func (c *conn) run() {
	if m, _ := c.p.net.mode("", c.p.node); m == Cut {
		c.reset()
		return
	}
	r := bufio.NewReaderSize(c.client, bufSize)
	if id := c.p.net.identify; id != nil {
		src := id(r)
		c.mu.Lock()
		c.mu.src = src
		c.mu.Unlock()
	}
	if !c.wait() {
		c.reset()
		return
	}
	server, ok := c.dial()
	if !ok {
		c.reset()
		return
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		c.pump(server, r)
	}()
	go func() {
		defer wg.Done()
		c.pump(c.client, server)
	}()
	wg.Wait()
}

// dial connects to the target and records the connection, unless the
// connection was closed meanwhile.
func (c *conn) dial() (net.Conn, bool) {
	addr := c.p.target()
	if addr == "" {
		return nil, false
	}
	server, err := net.DialTimeout("tcp", addr, dialTimeout)
	if err != nil {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	select {
	case <-c.done:
		_ = server.Close()
		return nil, false
	default:
	}
	c.mu.server = server
	return server, true
}

// pump copies src to dst while the rules let it, holding bytes back while
// blackholed; any end closes the whole connection.
func (c *conn) pump(dst io.Writer, src io.Reader) {
	defer c.close()
	buf := make([]byte, bufSize)
	for c.wait() {
		n, err := src.Read(buf)
		if n > 0 {
			if !c.wait() {
				return
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}
