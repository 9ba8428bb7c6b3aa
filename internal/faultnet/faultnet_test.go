package faultnet

import (
	"bufio"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"runtime"
	"sync"
	"testing"
	"time"
)

// echoServer echoes every connection until the test ends.
func echoServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, _ = io.Copy(c, c)
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return ln.Addr().String()
}

// kafkaHello is the start of a Kafka request from clientID.
func kafkaHello(clientID string) []byte {
	b := make([]byte, 14, 14+len(clientID))
	binary.BigEndian.PutUint32(b, uint32(10+len(clientID)))
	binary.BigEndian.PutUint16(b[4:], 18) // ApiVersions
	binary.BigEndian.PutUint16(b[12:], uint16(len(clientID)))
	return append(b, clientID...)
}

func startNet(t *testing.T, identify Identify) *Net {
	t.Helper()
	n := New(identify)
	t.Cleanup(func() {
		if err := n.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return n
}

func proxyTo(t *testing.T, n *Net, node, target string) *Proxy {
	t.Helper()
	p, err := n.Listen(node, func() string { return target })
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func dial(t *testing.T, addr string, hello []byte) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if hello != nil {
		expectEcho(t, c, hello)
	}
	return c
}

// expectEcho sends msg and requires it back within a second.
func expectEcho(t *testing.T, c net.Conn, msg []byte) {
	t.Helper()
	if _, err := c.Write(msg); err != nil {
		t.Fatalf("write: %v", err)
	}
	got := make([]byte, len(msg))
	c.SetReadDeadline(time.Now().Add(time.Second))
	if _, err := io.ReadFull(c, got); err != nil {
		t.Fatalf("echo: %v", err)
	}
	if string(got) != string(msg) {
		t.Fatalf("echo %q, want %q", got, msg)
	}
}

// expectSilence sends msg and requires nothing back for d.
func expectSilence(t *testing.T, c net.Conn, msg []byte, d time.Duration) {
	t.Helper()
	if _, err := c.Write(msg); err != nil {
		t.Fatalf("write: %v", err)
	}
	c.SetReadDeadline(time.Now().Add(d))
	var b [1]byte
	n, err := c.Read(b[:])
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("read while blackholed: %d bytes, %v; want a timeout", n, err)
	}
}

// expectClosed requires the connection to end within a second.
func expectClosed(t *testing.T, c net.Conn) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(time.Second))
	_, _ = c.Write([]byte("x"))
	if _, err := io.ReadAll(c); isTimeout(err) {
		t.Fatalf("want the connection dropped, got %v", err)
	}
}

// expectRefused requires a new connection to addr to fail at once, at
// connect or at the first read.
func expectRefused(t *testing.T, addr string) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return
	}
	defer c.Close()
	expectClosed(t, c)
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func TestPass(t *testing.T) {
	n := startNet(t, nil)
	p := proxyTo(t, n, "1", echoServer(t))
	c := dial(t, p.Addr(), []byte("hello"))
	expectEcho(t, c, []byte("again"))
	if p.Conns() != 1 {
		t.Errorf("Conns = %d, want 1", p.Conns())
	}
}

func TestBlackholeHoldsBytesUntilHealed(t *testing.T) {
	n := startNet(t, nil)
	p := proxyTo(t, n, "1", echoServer(t))
	old := dial(t, p.Addr(), []byte("before"))
	n.Node("1", Blackhole)
	expectSilence(t, old, []byte("held"), 200*time.Millisecond)
	fresh := dial(t, p.Addr(), nil)
	expectSilence(t, fresh, []byte("new"), 200*time.Millisecond)
	n.Heal()
	for _, tc := range []struct {
		c    net.Conn
		want string
	}{{old, "held"}, {fresh, "new"}} {
		got := make([]byte, len(tc.want))
		tc.c.SetReadDeadline(time.Now().Add(time.Second))
		if _, err := io.ReadFull(tc.c, got); err != nil || string(got) != tc.want {
			t.Fatalf("after heal: %q %v, want %q", got, err, tc.want)
		}
	}
}

func TestCutDropsAndRefuses(t *testing.T) {
	n := startNet(t, nil)
	p := proxyTo(t, n, "1", echoServer(t))
	old := dial(t, p.Addr(), []byte("before"))
	n.Node("1", Cut)
	expectClosed(t, old)
	expectRefused(t, p.Addr())
	n.Node("1", Pass)
	dial(t, p.Addr(), []byte("after"))
}

// A node's own outgoing connections obey its node rule too: a paused node
// neither receives nor sends.
func TestNodeRuleCoversOutgoing(t *testing.T) {
	n := startNet(t, GofkaNode)
	p := proxyTo(t, n, "1", echoServer(t))
	from2 := dial(t, p.Addr(), kafkaHello("gofka-raft-2"))
	from3 := dial(t, p.Addr(), kafkaHello("gofka-raft-3"))
	n.Node("2", Cut)
	expectClosed(t, from2)
	expectEcho(t, from3, []byte("still"))
}

func TestLinkCutOnlyThatSource(t *testing.T) {
	n := startNet(t, GofkaNode)
	p := proxyTo(t, n, "1", echoServer(t))
	from2 := dial(t, p.Addr(), kafkaHello("gofka-broker-2"))
	from3 := dial(t, p.Addr(), kafkaHello("gofka-raft-3"))
	client := dial(t, p.Addr(), kafkaHello("kgo"))
	n.Link("2", "1", Cut)
	expectClosed(t, from2)
	expectEcho(t, from3, []byte("3 passes"))
	expectEcho(t, client, []byte("clients pass"))
	// A new connection from 2 is identified, then dropped.
	again, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if _, err := again.Write(kafkaHello("gofka-raft-2")); err != nil {
		t.Fatal(err)
	}
	expectClosed(t, again)
	n.Link("2", "1", Blackhole)
	expectSilence(t, dial(t, p.Addr(), nil), kafkaHello("gofka-raft-2"), 200*time.Millisecond)
	n.Heal()
	dial(t, p.Addr(), kafkaHello("gofka-raft-2"))
}

func TestTargetDown(t *testing.T) {
	n := startNet(t, nil)
	p, err := n.Listen("1", func() string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	expectRefused(t, p.Addr())
}

func TestGofkaNode(t *testing.T) {
	for id, want := range map[string]string{
		"gofka-raft-2": "2", "gofka-broker-13": "13", "gofka-cli": "", "kgo": "", "gofka-raft-": "", "gofka-x-1a": "",
	} {
		r := bufio.NewReader(io.MultiReader(bytesReader(kafkaHello(id)), bytesReader([]byte("body"))))
		if got := GofkaNode(r); got != want {
			t.Errorf("GofkaNode(%q) = %q, want %q", id, got, want)
		}
		if b, _ := r.Peek(4); len(b) != 4 {
			t.Errorf("GofkaNode consumed the header")
		}
	}
	if got := GofkaNode(bufio.NewReader(bytesReader([]byte{0, 0}))); got != "" {
		t.Errorf("short input: %q", got)
	}
}

type bytesReader []byte

func (b bytesReader) Read(p []byte) (int, error) {
	if len(b) == 0 {
		return 0, io.EOF
	}
	return copy(p, b), io.EOF
}

// Close stops every goroutine, also of connections held in a blackhole
// or waiting to be identified.
func TestCloseStopsGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	target := echoServer(t)
	n := New(GofkaNode)
	p := proxyTo(t, n, "1", target)
	dial(t, p.Addr(), kafkaHello("gofka-raft-2"))
	dial(t, p.Addr(), nil) // never identified
	n.Node("1", Blackhole)
	held := dial(t, p.Addr(), nil)
	if _, err := held.Write(kafkaHello("gofka-raft-3")); err != nil {
		t.Fatal(err)
	}
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := n.Listen("1", func() string { return target }); !errors.Is(err, ErrClosed) {
		t.Errorf("Listen after Close: %v", err)
	}
	// The echo server keeps its accept loop until the test ends.
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before+1 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if g := runtime.NumGoroutine(); g > before+1 {
		t.Errorf("%d goroutines after Close, %d before", g, before)
	}
}

// Partition cuts across the sides only, both ways; clients still pass.
func TestPartition(t *testing.T) {
	n := startNet(t, GofkaNode)
	target := echoServer(t)
	p1, p3 := proxyTo(t, n, "1", target), proxyTo(t, n, "3", target)
	from2 := dial(t, p1.Addr(), kafkaHello("gofka-raft-2"))
	from3 := dial(t, p1.Addr(), kafkaHello("gofka-raft-3"))
	from1 := dial(t, p3.Addr(), kafkaHello("gofka-broker-1"))
	client := dial(t, p3.Addr(), kafkaHello("kgo"))
	n.Partition([]string{"1", "2"}, []string{"3"})
	expectClosed(t, from3)
	expectClosed(t, from1)
	expectEcho(t, from2, []byte("same side"))
	expectEcho(t, client, []byte("client"))
}
