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
		c.doneWriting()
	}
}

// Inline writes. A reply completed while its request was handled on the
// reader goroutine (every Produce, most requests) is written by the
// reader itself when no other write is under way: the writer goroutine
// is not woken for it (complete leaves that to the reader), which saves
// a goroutine hand-off, a futex wake and on a loaded machine a thread
// switch per request. Replies with parts (Fetch data, sendfile) and
// replies completed later on other goroutines still go through the
// writer goroutine, so a parked Fetch is never written by another
// connection's goroutine. The writing flag keeps one writer at a time
// and so the responses in request order. A client that stops reading its
// responses blocks the reader in the write instead of later at the full
// queue: either way no further request is read.

// maxInlineReply is the largest encoded reply the reader writes itself.
const maxInlineReply = 64 << 10

// writeInline runs after each handler on the reader goroutine: it writes
// the queue head if it is complete, small and no one else is writing, and
// wakes the writer goroutine for a complete head it leaves (complete did
// not while the handler ran). An error closes the connection (the
// reader's caller).
func (c *conn) writeInline() error {
	c.mu.Lock()
	c.mu.handling = nil
	s := c.mu.q.peek()
	if s == nil || s.state == statePending || c.mu.writing || c.closed.Load() {
		c.mu.Unlock()
		return nil
	}
	if s.parts != nil || (s.buf != nil && len(*s.buf) > maxInlineReply) {
		c.mu.Unlock()
		signal(c.wake)
		return nil
	}
	c.mu.writing = true
	c.mu.q.pop()
	c.mu.Unlock()
	if err := c.write(s); err != nil {
		return err
	}
	c.doneWriting()
	return nil
}

// doneWriting ends a write and wakes the writer goroutine when the next
// reply is ready (it was completed while this write held the turn).
func (c *conn) doneWriting() {
	c.mu.Lock()
	c.mu.writing = false
	s := c.mu.q.peek()
	ready := s != nil && s.state != statePending
	c.mu.Unlock()
	if ready {
		signal(c.wake)
	}
}

// next waits until the oldest queued request has a reply and no other
// write is under way, and takes it off the queue; nil means the
// connection closed. The caller ends the write with doneWriting.
func (c *conn) next() *slot {
	for {
		c.mu.Lock()
		s := c.mu.q.peek()
		if s != nil && s.state != statePending && !c.mu.writing && !c.closed.Load() {
			c.mu.writing = true
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
