package faultnet

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"sync"
)

// Mode is what the network does with a connection.
type Mode int32

const (
	// Pass forwards bytes both ways.
	Pass Mode = iota
	// Blackhole forwards nothing and reads nothing until the mode changes.
	Blackhole
	// Cut refuses new connections and drops existing ones.
	Cut
)

func (m Mode) String() string {
	switch m {
	case Pass:
		return "pass"
	case Blackhole:
		return "blackhole"
	case Cut:
		return "cut"
	}
	return fmt.Sprintf("Mode(%d)", int32(m))
}

// ErrClosed is returned by Listen once the Net is closed.
var ErrClosed = errors.New("faultnet: closed")

// Identify names the source node of a new connection from the first bytes
// it sends, peeked (not consumed) from r; "" means unknown. It may block
// until the source sends; a connection closed meanwhile ends it.
type Identify func(r *bufio.Reader) string

// link is a rule's scope: traffic from src to dst, "" meaning any node.
type link struct{ src, dst string }

// Net is a set of proxies and the rules between the nodes they front.
type Net struct {
	identify Identify

	mu struct {
		sync.Mutex
		rules   map[link]Mode
		proxies []*Proxy
		changed chan struct{} // closed and replaced when rules change
		closed  bool
	}
}

// New returns a Net whose proxies name sources with identify (nil: every
// source is unknown).
func New(identify Identify) *Net {
	n := &Net{identify: identify}
	n.mu.rules = map[link]Mode{}
	n.mu.changed = make(chan struct{})
	return n
}

// Node sets the mode of everything to and from node: connections to its
// proxies, whatever their source, and connections it makes to others.
func (n *Net) Node(node string, m Mode) {
	n.set(m, link{"", node}, link{node, ""})
}

// Link sets the mode of connections from src to dst only (one direction
// of connection set-up; the rule covers the bytes both ways). A partition
// between a and b is Link(a, b, Cut) and Link(b, a, Cut).
func (n *Net) Link(src, dst string, m Mode) {
	n.set(m, link{src, dst})
}

// Cut partitions nodes a and b from each other: Link Cut both ways.
func (n *Net) Cut(a, b string) {
	n.set(Cut, link{a, b}, link{b, a})
}

// Partition cuts every node of each side from every node of the other
// sides, e.g. Partition([]string{"1", "2"}, []string{"3"}) for a majority
// and a minority. Links with nodes not named stay as they are.
func (n *Net) Partition(sides ...[]string) {
	var links []link
	for i, side := range sides {
		for _, other := range sides[i+1:] {
			for _, a := range side {
				for _, b := range other {
					links = append(links, link{a, b}, link{b, a})
				}
			}
		}
	}
	n.set(Cut, links...)
}

// Heal sets every rule back to Pass.
func (n *Net) Heal() {
	n.mu.Lock()
	clear(n.mu.rules)
	n.changedLocked()
	n.mu.Unlock()
}

func (n *Net) set(m Mode, links ...link) {
	n.mu.Lock()
	for _, l := range links {
		if m == Pass {
			delete(n.mu.rules, l)
		} else {
			n.mu.rules[l] = m
		}
	}
	n.changedLocked()
	n.mu.Unlock()
	if m == Cut {
		n.dropCut()
	}
}

// changedLocked wakes every connection waiting for a rule change.
func (n *Net) changedLocked() {
	close(n.mu.changed)
	n.mu.changed = make(chan struct{})
}

// mode is the strictest rule for a connection from src to dst, and a
// channel closed when the rules next change.
func (n *Net) mode(src, dst string) (Mode, <-chan struct{}) {
	n.mu.Lock()
	defer n.mu.Unlock()
	m := max(n.mu.rules[link{src, dst}], n.mu.rules[link{"", dst}])
	if src != "" {
		m = max(m, n.mu.rules[link{src, ""}])
	}
	return m, n.mu.changed
}

// dropCut closes every connection a Cut rule now covers.
func (n *Net) dropCut() {
	n.mu.Lock()
	proxies := append([]*Proxy(nil), n.mu.proxies...)
	n.mu.Unlock()
	for _, p := range proxies {
		for _, c := range p.conns() {
			if m, _ := n.mode(c.source(), p.node); m == Cut {
				c.reset()
			}
		}
	}
}

// Listen starts a proxy for node on a free loopback port that forwards to
// target(), asked at each new connection ("" or an unreachable target
// closes the connection: the node is down).
func (n *Net) Listen(node string, target func() string) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("faultnet: listen for %s: %w", node, err)
	}
	return n.Serve(node, ln, target)
}

// Serve starts a proxy for node on ln (a listener the caller bound, for a
// fixed address); the proxy owns ln from now on.
func (n *Net) Serve(node string, ln net.Listener, target func() string) (*Proxy, error) {
	p := newProxy(n, node, ln, target)
	n.mu.Lock()
	if n.mu.closed {
		n.mu.Unlock()
		_ = ln.Close()
		return nil, ErrClosed
	}
	n.mu.proxies = append(n.mu.proxies, p)
	n.mu.Unlock()
	p.start()
	return p, nil
}

// Close stops every proxy and waits for their goroutines.
func (n *Net) Close() error {
	n.mu.Lock()
	n.mu.closed = true
	proxies := n.mu.proxies
	n.mu.proxies = nil
	n.mu.Unlock()
	var errs []error
	for _, p := range proxies {
		errs = append(errs, p.close())
	}
	return errors.Join(errs...)
}
