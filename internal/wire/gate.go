package wire

import (
	"net"
	"time"
)

// Gate applies the connection quotas of the acceptor.
type Gate interface {
	// WaitAccept is called before each accept and blocks while the
	// listener may not take a connection (max.connections reached, or its
	// creation rate exceeded); it returns false once quit closes.
	WaitAccept(quit <-chan struct{}) bool
	// Admit is called with each accepted connection's remote address. An
	// error closes the connection at once (max.connections.per.ip); a
	// positive closeAfter closes it, unread, after that delay (the creation
	// rate of its IP). Only an admitted connection is Released.
	Admit(remote net.Addr) (closeAfter time.Duration, err error)
	// Release is called once when an admitted connection closes.
	Release(remote net.Addr)
}

// admit asks the gate about a new connection; false means the connection
// was refused and is closed, now or later.
func (s *Server) admit(nc net.Conn) bool {
	g := s.cfg.Gate
	if g == nil {
		return true
	}
	delay, err := g.Admit(nc.RemoteAddr())
	switch {
	case err != nil:
		s.log.Debug("wire: connection refused", "remote", nc.RemoteAddr().String(), "err", err)
		_ = nc.Close()
		return false
	case delay > 0:
		s.closeLater(nc, delay)
		return false
	}
	return true
}

// closeLater holds a throttled connection open, unread, for d, so that its
// client does not reconnect at once, then closes it; Close closes it early.
func (s *Server) closeLater(nc net.Conn, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.mu.closed {
		_ = nc.Close()
		return
	}
	s.mu.delayed[nc] = time.AfterFunc(d, func() {
		s.mu.Lock()
		_, ok := s.mu.delayed[nc]
		delete(s.mu.delayed, nc)
		s.mu.Unlock()
		if ok {
			_ = nc.Close()
		}
	})
}

// closeDelayedLocked closes every connection waiting in closeLater.
func (s *Server) closeDelayedLocked() {
	for nc, t := range s.mu.delayed {
		t.Stop()
		_ = nc.Close()
		delete(s.mu.delayed, nc)
	}
}

// release tells the gate an admitted connection closed.
func (s *Server) release(c *conn) {
	if g := s.cfg.Gate; g != nil {
		g.Release(c.info.Remote)
	}
}

// waitAccept asks the gate whether to accept now.
func (s *Server) waitAccept() bool {
	if g := s.cfg.Gate; g != nil {
		return g.WaitAccept(s.quit)
	}
	return true
}
