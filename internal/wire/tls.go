package wire

import (
	"crypto/tls"
	"errors"
	"fmt"
	"time"
)

// DefaultHandshakeTimeout bounds a TLS handshake that never finishes.
const DefaultHandshakeTimeout = 10 * time.Second

// ErrHandshake is the close reason of a connection whose TLS handshake
// failed or timed out, or that OnConnect refused.
var ErrHandshake = errors.New("wire: connection handshake failed")

// open runs the TLS handshake on a TLS listener and then Config.OnConnect,
// before the first request is read.
func (c *conn) open() error {
	if tc, ok := c.nc.(*tls.Conn); ok {
		if err := c.handshake(tc); err != nil {
			return err
		}
	}
	if f := c.srv.cfg.OnConnect; f != nil {
		if err := f(&c.info); err != nil {
			c.log.Info("wire: connection refused", "listener", c.info.Listener, "err", err)
			return fmt.Errorf("%w: %w", ErrHandshake, err)
		}
	}
	return nil
}

// handshake runs the TLS handshake with its deadline and records the
// connection state in ConnInfo.
func (c *conn) handshake(tc *tls.Conn) error {
	_ = tc.SetDeadline(time.Now().Add(c.srv.cfg.HandshakeTimeout))
	if err := tc.Handshake(); err != nil {
		if c.isClosed() {
			return fmt.Errorf("%w: %w", ErrHandshake, err)
		}
		c.log.Info("wire: TLS handshake failed", "listener", c.info.Listener, "remote", c.info.Remote.String(), "err", err)
		if f := c.srv.cfg.OnTLSHandshake; f != nil {
			f(&c.info, err)
		}
		return fmt.Errorf("%w: %w", ErrHandshake, err)
	}
	_ = tc.SetDeadline(time.Time{})
	st := tc.ConnectionState()
	c.info.TLS = &st
	if f := c.srv.cfg.OnTLSHandshake; f != nil {
		f(&c.info, nil)
	}
	return nil
}
