package wire

import (
	"log/slog"
	"net"
)

// setBuffers sets a TCP connection's SO_RCVBUF and SO_SNDBUF where they
// are above 0; the kernel doubles what it is given, as for Kafka. A
// failure is logged (when log is set) and the OS default stays: the
// connection still works.
func setBuffers(nc net.Conn, recv, send int, log *slog.Logger) {
	tc, ok := nc.(*net.TCPConn)
	if !ok {
		return
	}
	if recv > 0 {
		if err := tc.SetReadBuffer(recv); err != nil && log != nil {
			log.Warn("wire: cannot set the socket receive buffer", "bytes", recv, "err", err)
		}
	}
	if send > 0 {
		if err := tc.SetWriteBuffer(send); err != nil && log != nil {
			log.Warn("wire: cannot set the socket send buffer", "bytes", send, "err", err)
		}
	}
}
