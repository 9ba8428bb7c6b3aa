package broker

// The client listeners: every entry of `listeners` that is not a
// controller listener is bound and served by its own wire.Server, with the
// security of its protocol (listener.security.protocol.map): PLAINTEXT,
// SSL, SASL_PLAINTEXT or SASL_SSL (security.go).

import (
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/gofka/gofka/internal/config"
	"github.com/gofka/gofka/internal/controller"
	"github.com/gofka/gofka/internal/wire"
)

// servedListener is one bound client listener.
type servedListener struct {
	cfg config.Listener
	sec *listenerSecurity
	ln  net.Listener
	srv *wire.Server
}

// bindListeners binds every client listener; first, when not nil, is used
// for the first one (tests pass a listener on a free port).
func (n *Node) bindListeners(first net.Listener) error {
	for _, l := range clientListeners(n.cfg) {
		sec, err := n.newListenerSecurity(l)
		if err != nil {
			closeAll(first)
			return err
		}
		ln := first
		first = nil
		if ln == nil {
			if ln, err = net.Listen("tcp", l.Addr()); err != nil {
				return fmt.Errorf("broker: listen on %s: %w", l.Addr(), err)
			}
		}
		n.listeners = append(n.listeners, &servedListener{cfg: l, sec: sec, ln: ln})
	}
	if len(n.listeners) == 0 {
		closeAll(first)
		return errors.New("broker: no broker listener configured")
	}
	return nil
}

func closeAll(ln net.Listener) {
	if ln != nil {
		_ = ln.Close()
	}
}

// clientListeners are the listeners that are not controller listeners; a
// config without one serves PLAINTEXT on the first listener's address.
func clientListeners(cfg *config.Broker) []config.Listener {
	var out []config.Listener
	for _, l := range cfg.Listeners {
		if !contains(cfg.ControllerListenerNames, l.Name) {
			out = append(out, l)
		}
	}
	return out
}

// serveListeners starts a wire.Server on each bound listener.
func (n *Node) serveListeners() {
	for _, sl := range n.listeners {
		sl.srv = wire.NewServer(n.wireConfig(sl), n)
		n.log.Info("serving listener", "listener", sl.cfg.Name, "security.protocol", sl.cfg.SecurityProtocol, "addr", sl.ln.Addr().String())
		n.goAsync(func(<-chan struct{}) {
			if err := sl.srv.Serve(sl.ln); err != nil {
				n.log.Error("listener stopped", "listener", sl.cfg.Name, "err", err)
			}
		})
	}
}

// wireConfig is the wire.Server configuration of one listener.
func (n *Node) wireConfig(sl *servedListener) wire.Config {
	idle := time.Duration(n.cfg.ConnectionsMaxIdleMs) * time.Millisecond
	return wire.Config{
		MaxRequestBytes:  n.cfg.SocketRequestMaxBytes,
		IdleTimeout:      idle,
		Logger:           n.log,
		ListenerName:     sl.cfg.Name,
		Observer:         n.wireObserver(),
		TLS:              sl.sec.tlsConfig(),
		HandshakeTimeout: handshakeTimeout(idle),
		OnConnect:        sl.sec.onConnect,
		OnTLSHandshake:   n.tlsHandshakeMetric(sl.sec.protocol),
		Throttler:        n,
		Gate:             n.quotas.conns.Listener(sl.cfg.Name),
		RecvBuffer:       int(n.cfg.SocketReceiveBufferBytes),
		SendBuffer:       int(n.cfg.SocketSendBufferBytes),
	}
}

// handshakeTimeout bounds a TLS handshake by the idle timeout, as Kafka
// bounds an unfinished handshake by connections.max.idle.ms, and by
// wire.DefaultHandshakeTimeout at most.
func handshakeTimeout(idle time.Duration) time.Duration {
	if idle > 0 && idle < wire.DefaultHandshakeTimeout {
		return idle
	}
	return wire.DefaultHandshakeTimeout
}

// closeListeners stops every listener and its connections.
func (n *Node) closeListeners() error {
	var errs []error
	for _, sl := range n.listeners {
		if sl.srv != nil {
			errs = append(errs, sl.srv.Close())
		} else {
			errs = append(errs, sl.ln.Close())
		}
	}
	return errors.Join(errs...)
}

// Addr is the address of the node's first client listener.
func (n *Node) Addr() string { return n.listeners[0].ln.Addr().String() }

// ListenerAddr is the bound address of the named listener ("" when the
// node has no such client listener).
func (n *Node) ListenerAddr(name string) string {
	for _, sl := range n.listeners {
		if sl.cfg.Name == name {
			return sl.ln.Addr().String()
		}
	}
	return ""
}

// advertised lists the endpoints to register: advertised.listeners, with
// port 0 and wildcard hosts replaced by what the listener actually bound.
func (n *Node) advertised() []controller.Endpoint {
	var out []controller.Endpoint
	for _, l := range n.cfg.AdvertisedListeners {
		if contains(n.cfg.ControllerListenerNames, l.Name) {
			continue
		}
		host, port := l.Host, l.Port
		if bound := n.boundAddr(l.Name); bound != nil {
			if port == 0 {
				port = bound.Port
			}
			if host == "" || host == "0.0.0.0" || host == "::" {
				host = bound.IP.String()
			}
		}
		out = append(out, controller.Endpoint{Name: l.Name, Host: host, Port: port, SecurityProtocol: securityProtocolID(l.SecurityProtocol)})
	}
	return out
}

func (n *Node) boundAddr(name string) *net.TCPAddr {
	for _, sl := range n.listeners {
		if sl.cfg.Name == name {
			a, _ := sl.ln.Addr().(*net.TCPAddr)
			return a
		}
	}
	return nil
}

// securityProtocolID is Kafka's SecurityProtocol id, as registrations
// carry it.
func securityProtocolID(p string) int16 {
	switch p {
	case "SSL":
		return 1
	case "SASL_PLAINTEXT":
		return 2
	case "SASL_SSL":
		return 3
	}
	return 0
}
