package broker

// Connection quotas (KIP-612) from the broker config in force: static
// values overlaid by dynamic cluster-wide and per-broker ones, with the
// client listener's listener.name.<name>. overrides of max.connections and
// max.connection.creation.rate.

import (
	"net"
	"net/netip"
	"strconv"
	"strings"

	"github.com/gofka/gofka/internal/config"
	"github.com/gofka/gofka/internal/metadata"
	"github.com/gofka/gofka/internal/quota"
)

// connConfig builds the connection quota config of the broker and its
// client listeners.
func (n *Node) connConfig(img *metadata.Image) quota.ConnConfig {
	layers := n.brokerLayers(img)
	eff, err := config.EffectiveBroker(layers)
	if err != nil {
		n.log.Warn("broker config: keeping the static connection quotas", "err", err)
		eff = n.cfg
	}
	return quota.ConnConfig{
		MaxConnections:  int(eff.MaxConnections),
		MaxPerIP:        int(eff.MaxConnectionsPerIP),
		PerIPOverrides:  n.perIPOverrides(eff.MaxConnectionsPerIPOverrides),
		MaxCreationRate: float64(eff.MaxConnectionCreationRate),
		Listeners:       listenerLimits(n.cfg, layers),
		Window:          window(eff.QuotaWindowNum, eff.QuotaWindowSizeSeconds),
	}
}

// listenerLimits reads the listener.name.<listener>. overrides of
// max.connections and max.connection.creation.rate of each client
// listener.
func listenerLimits(cfg *config.Broker, layers config.Layers) map[string]quota.ListenerLimits {
	out := map[string]quota.ListenerLimits{}
	for _, l := range clientListeners(cfg) {
		prefix := "listener.name." + strings.ToLower(l.Name) + "."
		out[l.Name] = quota.ListenerLimits{
			MaxConnections:  override(layers, prefix+"max.connections"),
			MaxCreationRate: float64(override(layers, prefix+"max.connection.creation.rate")),
		}
	}
	return out
}

// override returns the value of a listener override in the first layer
// that sets it (per broker, cluster default, static), 0 when none does.
func override(l config.Layers, name string) int {
	for _, m := range []map[string]string{l.PerBroker, l.ClusterDefault, l.Static.Raw} {
		if s, ok := m[name]; ok {
			v, _ := strconv.Atoi(s)
			return v
		}
	}
	return 0
}

// perIPOverrides parses max.connections.per.ip.overrides ("host:n,ip:n");
// host names are resolved once, here.
func (n *Node) perIPOverrides(s string) map[netip.Addr]int {
	out := map[netip.Addr]int{}
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		i := strings.LastIndex(item, ":")
		if item == "" || i < 0 {
			continue
		}
		limit, err := strconv.Atoi(item[i+1:])
		if err != nil {
			n.log.Warn("max.connections.per.ip.overrides: bad entry", "entry", item)
			continue
		}
		for _, ip := range n.resolveHost(item[:i]) {
			out[ip] = limit
		}
	}
	return out
}

func (n *Node) resolveHost(host string) []netip.Addr {
	if ip, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{ip.Unmap()}
	}
	ips, err := net.LookupIP(host)
	if err != nil {
		n.log.Warn("max.connections.per.ip.overrides: cannot resolve host", "host", host, "err", err)
		return nil
	}
	var out []netip.Addr
	for _, ip := range ips {
		if a, ok := netip.AddrFromSlice(ip); ok {
			out = append(out, a.Unmap())
		}
	}
	return out
}
