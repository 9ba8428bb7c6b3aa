package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime/debug"
	"time"
)

// readLoop reads frames, parses them and calls the handler in request
// order until the connection fails or closes.
func (c *conn) readLoop() {
	defer c.srv.wg.Done()
	if err := c.open(); err != nil {
		c.close(err)
		return
	}
	c.close(c.readRequests())
}

// readRequests is the body of readLoop; it returns the reason to close, nil
// for an orderly close by either side.
func (c *conn) readRequests() error {
	for {
		if !c.waitRoom() || !c.waitUnmuted() {
			return nil
		}
		frame, err := c.readFrame()
		if err != nil {
			if errors.Is(err, ErrFrameSize) {
				c.log.Info("wire: closing connection on invalid frame", "err", err)
			}
			return c.readError(err)
		}
		if c.info.raw != nil {
			c.handleRaw(frame)
		} else if err := c.handleFrame(frame); err != nil {
			return err
		}
		if err := c.writeInline(); err != nil {
			return err
		}
	}
}

// handleFrame parses a request frame, queues it and calls its handler.
func (c *conn) handleFrame(frame []byte) error {
	s := &slot{c: c}
	if err := c.parse(s, frame); err != nil {
		return err
	}
	c.enqueue(s)
	if err := c.handle(s); err != nil {
		return err
	}
	if s.req.Key == produceKey {
		c.keepSpare(frame)
	}
	return nil
}

// readError maps a frame read error to a close reason: nil when the peer or
// the server closed the connection.
func (c *conn) readError(err error) error {
	if c.isClosed() || errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

// readFrame reads one size-prefixed frame, into the connection's spare
// buffer when it fits (see framepool.go). The size is checked before the frame is allocated.
func (c *conn) readFrame() ([]byte, error) {
	size, err := c.readSize()
	if err != nil {
		return nil, err
	}
	if size < 0 || size > c.srv.cfg.MaxRequestBytes {
		return nil, fmt.Errorf("%w: %d (max %d)", ErrFrameSize, size, c.srv.cfg.MaxRequestBytes)
	}
	c.touch()
	c.setIdleDeadline()
	frame := c.frameBuf(int(size))
	if _, err := io.ReadFull(c.br, frame); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	c.touch()
	return frame, nil
}

// readSize reads the 4-byte size prefix, extending the idle deadline while
// the connection is busy or recently wrote.
func (c *conn) readSize() (int32, error) {
	for {
		c.setIdleDeadline()
		b, err := c.br.Peek(4)
		if err == nil {
			size := int32(binary.BigEndian.Uint32(b))
			_, _ = c.br.Discard(4)
			return size, nil
		}
		if !isTimeout(err) {
			return 0, err
		}
		if !c.stillActive() {
			return 0, fmt.Errorf("%w: %v", ErrIdle, c.srv.cfg.IdleTimeout)
		}
	}
}

// setIdleDeadline sets the read deadline to the idle timeout past the last
// activity; with no idle timeout it leaves reads without deadline.
func (c *conn) setIdleDeadline() {
	idle := c.srv.cfg.IdleTimeout
	if idle <= 0 {
		return
	}
	_ = c.nc.SetReadDeadline(time.Unix(0, c.lastActive.Load()).Add(idle))
}

// stillActive reports whether a read timeout should be retried: requests
// are in flight or a response went out within the idle timeout.
func (c *conn) stillActive() bool {
	if c.busy() {
		c.touch()
		return true
	}
	return time.Since(time.Unix(0, c.lastActive.Load())) < c.srv.cfg.IdleTimeout
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// parse decodes frame into s.req, logging why a bad request closes the
// connection.
func (c *conn) parse(s *slot, frame []byte) error {
	err := parseInto(&s.req, frame, c.srv.h.Versions, &c.ids)
	if err != nil {
		r := &s.req
		c.log.Info("wire: closing connection on invalid request", "client_id", r.ClientIDString(),
			"key", r.Key, "version", r.Version, "correlation_id", r.CorrelationID, "err", err)
		return err
	}
	s.req.Conn = &c.info
	s.req.Received = time.Now()
	return nil
}

// handle calls the handler, turning a panic into a close of this
// connection only.
func (c *conn) handle(s *slot) (err error) {
	defer func() {
		if v := recover(); v != nil {
			c.log.Error("wire: handler panic", "key", s.req.Key, "version", s.req.Version,
				"panic", v, "stack", string(debug.Stack()))
			err = fmt.Errorf("wire: handler panic: %v", v)
		}
	}()
	c.srv.h.Handle(&s.req, Reply{s: s})
	return nil
}
