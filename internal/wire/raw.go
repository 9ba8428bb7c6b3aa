package wire

import (
	"encoding/binary"
	"fmt"
	"time"
)

// RawFrameFunc answers one raw frame: the SASL tokens that follow a
// SaslHandshake v0, sent as bare size-prefixed bytes without a Kafka
// request header. Its reply goes back the same way; an error closes the
// connection.
type RawFrameFunc func(frame []byte) (reply []byte, err error)

// ServeRaw makes the connection pass its next frames to fn instead of
// parsing them as requests, until fn (or a handler) calls ServeRaw(nil).
// It must be called on the reader goroutine: from Handle or from fn.
func (ci *ConnInfo) ServeRaw(fn RawFrameFunc) { ci.raw = fn }

// handleRaw answers a raw frame in request order.
func (c *conn) handleRaw(frame []byte) {
	s := &slot{c: c}
	s.req = Request{Key: -1, Conn: &c.info, Size: len(frame), Received: time.Now()}
	c.enqueue(s)
	out, err := c.info.raw(frame)
	if err != nil {
		s.reason = fmt.Errorf("wire: raw frame: %w", err)
		c.complete(s, stateClose)
		return
	}
	bp := getBuf()
	*bp = binary.BigEndian.AppendUint32(*bp, uint32(len(out)))
	*bp = append(*bp, out...)
	s.buf = bp
	c.complete(s, stateWrite)
}
