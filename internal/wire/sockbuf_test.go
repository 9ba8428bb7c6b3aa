//go:build linux

package wire

import (
	"context"
	"net"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// recordingListener keeps the connections it accepts.
type recordingListener struct {
	net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

func (l *recordingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.mu.Lock()
		l.conns = append(l.conns, c)
		l.mu.Unlock()
	}
	return c, err
}

func sockopt(t *testing.T, c net.Conn, opt int) int {
	t.Helper()
	raw, err := c.(*net.TCPConn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var v int
	var serr error
	if err := raw.Control(func(fd uintptr) { v, serr = syscall.GetsockoptInt(int(fd), syscall.SOL_SOCKET, opt) }); err != nil {
		t.Fatal(err)
	}
	if serr != nil {
		t.Fatal(serr)
	}
	return v
}

// TestSocketBuffers: a server with RecvBuffer and SendBuffer set gives
// its accepted connections those SO_RCVBUF and SO_SNDBUF (Linux reports
// twice the size set), and a Client WithRecvBuffer dials with it.
func TestSocketBuffers(t *testing.T) {
	const recv, send = 48 << 10, 40 << 10
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	rl := &recordingListener{Listener: ln}
	h := &testHandler{addr: ln.Addr().String()}
	srv := NewServer(Config{RecvBuffer: recv, SendBuffer: send}, h)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(rl) }()
	defer func() {
		_ = srv.Close()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	}()

	cl := NewClient(ln.Addr().String(), "buffers").WithRecvBuffer(recv)
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := cl.Request(ctx, kmsg.NewPtrApiVersionsRequest()); err != nil {
		t.Fatal(err)
	}
	rl.mu.Lock()
	accepted := rl.conns[0]
	rl.mu.Unlock()
	if got := sockopt(t, accepted, syscall.SO_RCVBUF); got != 2*recv {
		t.Errorf("accepted SO_RCVBUF = %d, want %d", got, 2*recv)
	}
	if got := sockopt(t, accepted, syscall.SO_SNDBUF); got != 2*send {
		t.Errorf("accepted SO_SNDBUF = %d, want %d", got, 2*send)
	}
	cl.mu.Lock()
	dialed := cl.mu.conn
	cl.mu.Unlock()
	if dialed == nil {
		t.Fatal("client has no connection after a request")
	}
	if got := sockopt(t, dialed, syscall.SO_RCVBUF); got != 2*recv {
		t.Errorf("dialed SO_RCVBUF = %d, want %d", got, 2*recv)
	}
}
