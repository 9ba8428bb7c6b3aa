package wire

import (
	"errors"
	"fmt"
)

// errClosedByHandler is the close reason of Reply.Close.
var errClosedByHandler = errors.New("wire: closed by handler")

// writeLoop writes completed responses in request order until the
// connection closes.
func (c *conn) writeLoop() {
	defer c.srv.wg.Done()
	for {
		s := c.next()
		if s == nil {
			return
		}
		if err := c.write(s); err != nil {
			c.close(err)
			return
		}
	}
}

// next waits until the oldest queued request has a reply and takes it off
// the queue; nil means the connection closed.
func (c *conn) next() *slot {
	for {
		c.mu.Lock()
		s := c.mu.q.peek()
		if s != nil && s.state != statePending && !c.closed.Load() {
			c.mu.q.pop()
			c.mu.Unlock()
			signal(c.space)
			return s
		}
		c.mu.Unlock()
		select {
		case <-c.wake:
		case <-c.quit:
			return nil
		}
	}
}

// write puts one reply on the wire; an error closes the connection.
func (c *conn) write(s *slot) error {
	switch s.state {
	case stateSkip:
		c.srv.observeDone(s, false)
		return nil
	case stateClose:
		c.srv.observeDone(s, true)
		c.log.Info("wire: handler closed connection", "key", s.req.Key, "client_id", s.req.ClientIDString(), "reason", s.reason)
		if s.reason == nil {
			return errClosedByHandler
		}
		return fmt.Errorf("%w: %w", errClosedByHandler, s.reason)
	}
	var err error
	if s.parts == nil {
		_, err = c.nc.Write(*s.buf)
	} else {
		c.vec, err = writeParts(c.nc, *s.buf, s.parts, c.vec)
	}
	s.finish(err)
	if err != nil {
		return fmt.Errorf("wire: write response: %w", err)
	}
	c.srv.observeDone(s, false)
	c.touch()
	return nil
}
