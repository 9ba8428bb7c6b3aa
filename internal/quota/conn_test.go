package quota

import (
	"errors"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/gofka/gofka/internal/metadata"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func tcp(ip string) net.Addr { return &net.TCPAddr{IP: net.ParseIP(ip), Port: 40000} }

func TestConnPerIP(t *testing.T) {
	q := NewConnQuotas(ConnConfig{MaxPerIP: 2, PerIPOverrides: map[netip.Addr]int{netip.MustParseAddr("10.0.0.9"): 3}}, nil)
	g := q.Listener("PLAINTEXT")
	for i, tc := range []struct {
		ip   string
		fail bool
	}{{"10.0.0.1", false}, {"10.0.0.1", false}, {"10.0.0.1", true}, {"10.0.0.2", false},
		{"10.0.0.9", false}, {"10.0.0.9", false}, {"10.0.0.9", false}, {"10.0.0.9", true}} {
		_, err := g.Admit(tcp(tc.ip))
		if tc.fail != errors.Is(err, ErrTooManyConnections) {
			t.Fatalf("connection %d from %s: err %v, want refused %v", i, tc.ip, err, tc.fail)
		}
	}
	g.Release(tcp("10.0.0.1"))
	if _, err := g.Admit(tcp("10.0.0.1")); err != nil {
		t.Fatalf("after a release: %v", err)
	}
	if total, from := q.Count(netip.MustParseAddr("10.0.0.1")); total != 6 || from != 2 {
		t.Fatalf("counts %d %d", total, from)
	}
}

func TestConnIPRate(t *testing.T) {
	clk := &clock{t0}
	q := NewConnQuotas(ConnConfig{MaxPerIP: 1000, Window: Window{Num: 2, Size: time.Second}}, clk.now)
	q.SetQuotas(quotasOf(t, map[Entity]float64{{IP: metadata.Named("10.0.0.1")}: 5}, ConnectionCreationRate))
	g := q.Listener("PLAINTEXT")
	admitted := 0
	for range 100 { // a storm within one instant: the first window's worth passes
		if d, err := g.Admit(tcp("10.0.0.1")); err == nil && d == 0 {
			admitted++
		} else if d > time.Second {
			t.Fatalf("throttle %v above one window", d)
		}
	}
	if admitted != 5 {
		t.Fatalf("admitted %d of a storm, want 5 (5/s over a 1 s minimum window)", admitted)
	}
	if d, _ := g.Admit(tcp("10.0.0.2")); d != 0 {
		t.Fatalf("another address was throttled for %v", d)
	}
	clk.t = clk.t.Add(1200 * time.Millisecond) // the throttled ones were not counted: 6 in 1.2 s is within
	if d, _ := g.Admit(tcp("10.0.0.1")); d != 0 {
		t.Fatalf("still throttled after a window: %v", d)
	}
}

func TestConnMaxConnections(t *testing.T) {
	q := NewConnQuotas(ConnConfig{MaxPerIP: 100, MaxConnections: 2,
		Listeners: map[string]ListenerLimits{"B": {MaxConnections: 1}}}, nil)
	a, b := q.Listener("A"), q.Listener("B")
	quit := make(chan struct{})
	mustAccept := func(g *ListenerGate) {
		t.Helper()
		if !g.WaitAccept(quit) {
			t.Fatal("WaitAccept returned false")
		}
		if _, err := g.Admit(tcp("10.0.0.1")); err != nil {
			t.Fatal(err)
		}
	}
	mustAccept(b)
	blocked := func(g *ListenerGate) bool {
		done := make(chan bool, 1)
		go func() { done <- g.WaitAccept(quit) }()
		select {
		case <-done:
			return false
		case <-time.After(50 * time.Millisecond):
			return true
		}
	}
	if !blocked(b) {
		t.Fatal("listener B accepts beyond its listener.name.b.max.connections")
	}
	mustAccept(a) // the blocked WaitAccept of B is still waiting; A has room
	if !blocked(a) {
		t.Fatal("listener A accepts beyond max.connections")
	}
	a.Release(tcp("10.0.0.1")) // wakes A's waiter
	close(quit)
}

func TestConnListenerRate(t *testing.T) {
	clk := &clock{t0}
	q := NewConnQuotas(ConnConfig{MaxPerIP: 100, MaxCreationRate: 10, Window: Window{Num: 2, Size: time.Second}}, clk.now)
	g := q.Listener("A")
	q.mu.Lock()
	defer q.mu.Unlock()
	waited := 0
	for range 20 {
		if d, _ := q.acceptWaitLocked(g.name, clk.now()); d > 0 {
			waited++
		}
	}
	if waited != 10 {
		t.Fatalf("%d of 20 accepts in one instant waited, want 10 over a rate of 10/s", waited)
	}
}
