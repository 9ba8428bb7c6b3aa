package quota

import (
	"errors"
	"fmt"
	"math"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/gofka/gofka/internal/metadata"
)

// ErrTooManyConnections is returned by Admit when an address is at its
// max.connections.per.ip.
var ErrTooManyConnections = errors.New("quota: too many connections")

// ConnConfig is the connection quota config of the broker.
type ConnConfig struct {
	// MaxConnections is max.connections, over every listener; 0 or less
	// means no limit.
	MaxConnections int
	// MaxPerIP is max.connections.per.ip (0: none, unless overridden);
	// PerIPOverrides its overrides (max.connections.per.ip.overrides).
	MaxPerIP       int
	PerIPOverrides map[netip.Addr]int
	// MaxCreationRate is max.connection.creation.rate, in connections per
	// second over every listener; 0 or less, or MaxInt32: no limit.
	MaxCreationRate float64
	// Listeners holds the listener.name.<listener>. overrides of both.
	Listeners map[string]ListenerLimits
	// Window samples the creation rates (quota.window.*).
	Window Window
}

// ListenerLimits are one listener's max.connections and
// max.connection.creation.rate; 0 or less means no limit.
type ListenerLimits struct {
	MaxConnections  int
	MaxCreationRate float64
}

// ConnQuotas decides which connections the listeners accept (KIP-612): the
// broker's and each listener's connection count and creation rate (new
// connections wait in the backlog), the per-IP count (refused at once) and
// each IP's connection_creation_rate quota (a connection over it is closed
// after the throttle time). Safe for concurrent use.
type ConnQuotas struct {
	now func() time.Time

	mu struct {
		sync.Mutex
		freed     chan struct{} // closed (and replaced) when a connection is released
		cfg       ConnConfig
		quotas    *metadata.Quotas
		total     int
		perIP     map[netip.Addr]int
		ipRates   map[netip.Addr]*Rate
		broker    *Rate
		listeners map[string]*listenerState
	}
}

// listenerState is one listener's count and creation rate.
type listenerState struct {
	count int
	rate  *Rate
}

// NewConnQuotas returns connection quotas with cfg; now is the clock.
func NewConnQuotas(cfg ConnConfig, now func() time.Time) *ConnQuotas {
	if now == nil {
		now = time.Now
	}
	q := &ConnQuotas{now: now}
	q.mu.freed = make(chan struct{})
	q.mu.perIP = map[netip.Addr]int{}
	q.mu.ipRates = map[netip.Addr]*Rate{}
	q.mu.listeners = map[string]*listenerState{}
	q.SetConfig(cfg)
	return q
}

// SetConfig installs a new config; counts and rates carry over.
func (q *ConnQuotas) SetConfig(cfg ConnConfig) {
	cfg.Window = cfg.Window.valid()
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.mu.broker == nil || q.mu.cfg.Window != cfg.Window {
		q.mu.broker = NewRate(cfg.Window)
		clear(q.mu.ipRates)
		for _, l := range q.mu.listeners {
			l.rate = NewRate(cfg.Window)
		}
	}
	q.mu.cfg = cfg
}

// SetQuotas installs the client quotas holding connection_creation_rate.
func (q *ConnQuotas) SetQuotas(qs *metadata.Quotas) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.mu.quotas != qs {
		q.mu.quotas = qs
		clear(q.mu.ipRates)
	}
}

// Listener returns the gate of one listener, for its wire.Server.
func (q *ConnQuotas) Listener(name string) *ListenerGate {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.mu.listeners[name] == nil {
		q.mu.listeners[name] = &listenerState{rate: NewRate(q.mu.cfg.Window)}
	}
	return &ListenerGate{q: q, name: name}
}

// ListenerGate applies the connection quotas to one listener; it
// implements wire.Gate.
type ListenerGate struct {
	q    *ConnQuotas
	name string
}

// limited reports whether a configured value limits anything.
func limited(v float64) bool { return v > 0 && v < math.MaxInt32 }

// acceptWaitLocked reports how long the listener waits before its next
// accept at now, and whether it is full (wait for a release instead).
func (q *ConnQuotas) acceptWaitLocked(name string, now time.Time) (time.Duration, bool) {
	cfg, l := q.mu.cfg, q.mu.listeners[name]
	lim := cfg.Listeners[name]
	if limited(float64(cfg.MaxConnections)) && q.mu.total >= cfg.MaxConnections ||
		limited(float64(lim.MaxConnections)) && l.count >= lim.MaxConnections {
		return 0, true
	}
	var d time.Duration
	if limited(cfg.MaxCreationRate) {
		q.mu.broker.Record(1, now)
		d = q.mu.broker.ThrottleTime(cfg.MaxCreationRate, now)
	}
	if limited(lim.MaxCreationRate) {
		l.rate.Record(1, now)
		d = max(d, l.rate.ThrottleTime(lim.MaxCreationRate, now))
	}
	return min(d, cfg.Window.Size), false
}

// WaitAccept blocks while the broker or the listener is at max
// connections, then for the creation-rate throttle; false when quit
// closed.
func (g *ListenerGate) WaitAccept(quit <-chan struct{}) bool {
	for {
		g.q.mu.Lock()
		d, full := g.q.acceptWaitLocked(g.name, g.q.now())
		freed := g.q.mu.freed
		g.q.mu.Unlock()
		switch {
		case full:
			select {
			case <-quit:
				return false
			case <-freed:
			}
		case d > 0:
			return sleep(d, quit)
		default:
			return true
		}
	}
}

// sleep waits d, reporting false when quit closes first.
func sleep(d time.Duration, quit <-chan struct{}) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-quit:
		return false
	case <-t.C:
		return true
	}
}

// Admit counts a new connection from remote, refusing it over the address's
// connection limit, or throttling it over its connection_creation_rate.
func (g *ListenerGate) Admit(remote net.Addr) (time.Duration, error) {
	q, ip, now := g.q, addrOf(remote), g.q.now()
	q.mu.Lock()
	defer q.mu.Unlock()
	if d := q.ipThrottleLocked(ip, now); d > 0 {
		return d, nil
	}
	limit := q.mu.cfg.MaxPerIP
	if v, ok := q.mu.cfg.PerIPOverrides[ip]; ok {
		limit = v
	}
	if q.mu.perIP[ip] >= limit {
		return 0, fmt.Errorf("%w: %s has %d (max.connections.per.ip %d)", ErrTooManyConnections, ip, q.mu.perIP[ip], limit)
	}
	q.mu.perIP[ip]++
	q.mu.total++
	q.mu.listeners[g.name].count++
	return 0, nil
}

// ipThrottleLocked records a connection against the IP's creation rate
// quota; a throttled connection is taken back out, as Kafka does, so a
// storm does not extend itself.
func (q *ConnQuotas) ipThrottleLocked(ip netip.Addr, now time.Time) time.Duration {
	bound, ok := ResolveIP(q.mu.quotas, ip.String())
	if !ok {
		return 0
	}
	r := q.mu.ipRates[ip]
	if r == nil {
		r = NewRate(q.mu.cfg.Window)
		q.mu.ipRates[ip] = r
	}
	r.Record(1, now)
	d := min(r.ThrottleTime(bound, now), q.mu.cfg.Window.Size)
	if d > 0 {
		r.Unrecord(1, now)
	}
	return d
}

// Release forgets an admitted connection.
func (g *ListenerGate) Release(remote net.Addr) {
	q, ip := g.q, addrOf(remote)
	q.mu.Lock()
	if q.mu.perIP[ip]--; q.mu.perIP[ip] <= 0 {
		delete(q.mu.perIP, ip)
	}
	q.mu.total--
	q.mu.listeners[g.name].count--
	close(q.mu.freed)
	q.mu.freed = make(chan struct{})
	q.mu.Unlock()
}

// Count returns the admitted connections, in total and from ip.
func (q *ConnQuotas) Count(ip netip.Addr) (total, fromIP int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.mu.total, q.mu.perIP[ip]
}

// addrOf returns the IP of a connection's address (unmapped from IPv6).
func addrOf(a net.Addr) netip.Addr {
	if ta, ok := a.(*net.TCPAddr); ok {
		if ip, ok := netip.AddrFromSlice(ta.IP); ok {
			return ip.Unmap()
		}
	}
	ap, err := netip.ParseAddrPort(a.String())
	if err != nil {
		return netip.Addr{}
	}
	return ap.Addr().Unmap()
}
