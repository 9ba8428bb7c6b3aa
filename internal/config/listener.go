package config

import (
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"
)

// Listener is one entry of listeners or advertised.listeners, e.g.
// "PLAINTEXT://localhost:9092". An empty Host binds every interface.
type Listener struct {
	Name string // upper-cased listener name, e.g. PLAINTEXT or CONTROLLER
	Host string
	Port int
	// SecurityProtocol is the protocol the listener name maps to through
	// listener.security.protocol.map (set by LoadBroker).
	SecurityProtocol string
}

// String formats the listener as NAME://host:port.
func (l Listener) String() string {
	return l.Name + "://" + net.JoinHostPort(l.Host, strconv.Itoa(l.Port))
}

// Addr is the host:port to listen on or to dial.
func (l Listener) Addr() string { return net.JoinHostPort(l.Host, strconv.Itoa(l.Port)) }

// listenerRE follows Kafka's endpoint syntax: NAME://host:port, host may be
// empty or a bracketed IPv6 address.
var listenerRE = regexp.MustCompile(`^(.*)://\[?([0-9a-zA-Z\-%._:]*)\]?:(-?[0-9]+)$`)

// parseListeners parses a comma-separated listener list. Names are
// upper-cased and must be unique.
func parseListeners(v string) ([]Listener, error) {
	var out []Listener
	seen := map[string]bool{}
	for _, e := range splitList(v) {
		m := listenerRE.FindStringSubmatch(e)
		if m == nil {
			return nil, fmt.Errorf("unable to parse %q to a listener endpoint", e)
		}
		port, err := strconv.Atoi(m[3])
		if err != nil || port < 0 || port > 65535 {
			return nil, fmt.Errorf("listener %q has an invalid port", e)
		}
		name := strings.ToUpper(m[1])
		if name == "" || seen[name] {
			return nil, fmt.Errorf("listener name %q is empty or not unique", m[1])
		}
		seen[name] = true
		out = append(out, Listener{Name: name, Host: m[2], Port: port})
	}
	return out, nil
}

// parseProtocolMap parses listener.security.protocol.map.
func parseProtocolMap(v string) (map[string]string, error) {
	out := map[string]string{}
	for _, e := range splitList(v) {
		name, proto, ok := strings.Cut(e, ":")
		name, proto = strings.ToUpper(strings.TrimSpace(name)), strings.ToUpper(strings.TrimSpace(proto))
		if !ok || name == "" {
			return nil, fmt.Errorf("%q is not of the form LISTENER_NAME:SECURITY_PROTOCOL", e)
		}
		if err := oneOf(securityProtocols...)(proto); err != nil {
			return nil, fmt.Errorf("listener %s: unknown security protocol %q", name, proto)
		}
		if _, dup := out[name]; dup {
			return nil, fmt.Errorf("listener %s appears more than once", name)
		}
		out[name] = proto
	}
	return out, nil
}
