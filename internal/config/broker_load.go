package config

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// listenerPrefix is the prefix of per-listener overrides,
// listener.name.<listener>.<config>.
const listenerPrefix = "listener.name."

// LoadBroker validates props and returns the typed broker config. An unknown
// property name, or a value that fails its type or validator, returns an
// error naming the property and the reason; cross-property rules (listener
// names, advertised addresses, group timeouts) are checked too. Everything
// not set takes its default.
func LoadBroker(props map[string]string) (*Broker, error) {
	raw := maps.Clone(props)
	if raw == nil {
		raw = map[string]string{}
	}
	for _, name := range slices.Sorted(maps.Keys(raw)) {
		if err := checkBrokerProp(name, raw[name]); err != nil {
			return nil, err
		}
	}
	b := &Broker{Raw: raw}
	fill(b, b.Get)
	for _, step := range []func(*Broker) error{loadNodeID, loadDirs, loadListeners, checkGroupTimeouts} {
		if err := step(b); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// checkBrokerProp validates one static broker property.
func checkBrokerProp(name, value string) error {
	if d, ok := lookupBroker(name); ok {
		return d.check(value)
	}
	if base, ok := listenerBase(name); ok {
		if d, ok := lookupBroker(base); ok {
			if err := d.check(value); err != nil {
				return invalidErr(name, err.(*Error).Reason)
			}
		}
		return nil
	}
	return unknownErr(name, "broker config")
}

// listenerBase returns <config> of listener.name.<listener>.<config>.
func listenerBase(name string) (string, bool) {
	rest, ok := strings.CutPrefix(name, listenerPrefix)
	if !ok {
		return "", false
	}
	_, base, ok := strings.Cut(rest, ".")
	return base, ok && base != ""
}

// loadNodeID reconciles node.id with its synonym broker.id.
func loadNodeID(b *Broker) error {
	bid, hasBID := b.Raw["broker.id"]
	_, hasNID := b.Raw["node.id"]
	switch {
	case hasBID && !hasNID:
		n := mustInt(bid)
		if n < 0 {
			return invalidErr("broker.id", fmt.Sprintf("value %d must be at least 0", n))
		}
		b.NodeID = int32(n)
	case hasBID && mustInt(bid) != int64(b.NodeID):
		return invalidErr("broker.id", fmt.Sprintf("value %s must equal node.id %d", strings.TrimSpace(bid), b.NodeID))
	}
	return nil
}

// loadDirs resolves log.dirs / log.dir and metadata.log.dir.
func loadDirs(b *Broker) error {
	dirs := b.Get("log.dirs")
	if dirs == nil {
		dirs = b.Get("log.dir")
	}
	b.LogDirs = splitList(*dirs)
	if len(b.LogDirs) == 0 {
		return invalidErr("log.dirs", "at least one log directory is required")
	}
	b.MetadataLogDir = b.LogDirs[0]
	if v := b.Get("metadata.log.dir"); v != nil && strings.TrimSpace(*v) != "" {
		b.MetadataLogDir = strings.TrimSpace(*v)
	}
	return nil
}

// checkGroupTimeouts applies GroupCoordinatorConfig's cross-field rules.
func checkGroupTimeouts(b *Broker) error {
	rules := []struct {
		ok   bool
		name string
		msg  string
	}{
		{b.GroupConsumerMaxHeartbeatIntervalMs >= b.GroupConsumerMinHeartbeatIntervalMs, "group.consumer.max.heartbeat.interval.ms", "must be greater than or equal to group.consumer.min.heartbeat.interval.ms"},
		{b.GroupConsumerHeartbeatIntervalMs >= b.GroupConsumerMinHeartbeatIntervalMs, "group.consumer.heartbeat.interval.ms", "must be greater than or equal to group.consumer.min.heartbeat.interval.ms"},
		{b.GroupConsumerHeartbeatIntervalMs <= b.GroupConsumerMaxHeartbeatIntervalMs, "group.consumer.heartbeat.interval.ms", "must be less than or equal to group.consumer.max.heartbeat.interval.ms"},
		{b.GroupConsumerMaxSessionTimeoutMs >= b.GroupConsumerMinSessionTimeoutMs, "group.consumer.max.session.timeout.ms", "must be greater than or equal to group.consumer.min.session.timeout.ms"},
		{b.GroupConsumerSessionTimeoutMs >= b.GroupConsumerMinSessionTimeoutMs, "group.consumer.session.timeout.ms", "must be greater than or equal to group.consumer.min.session.timeout.ms"},
		{b.GroupConsumerSessionTimeoutMs <= b.GroupConsumerMaxSessionTimeoutMs, "group.consumer.session.timeout.ms", "must be less than or equal to group.consumer.max.session.timeout.ms"},
		{b.GroupConsumerHeartbeatIntervalMs < b.GroupConsumerSessionTimeoutMs, "group.consumer.heartbeat.interval.ms", "must be less than group.consumer.session.timeout.ms"},
	}
	for _, r := range rules {
		if !r.ok {
			return invalidErr(r.name, r.msg)
		}
	}
	return nil
}

// EffectiveBroker loads the broker config in force after dynamic updates:
// the static properties overlaid by the cluster-wide defaults and then the
// per-broker values. Its Raw holds that merged map.
func EffectiveBroker(l Layers) (*Broker, error) {
	merged := maps.Clone(l.static())
	if merged == nil {
		merged = map[string]string{}
	}
	maps.Copy(merged, l.ClusterDefault)
	maps.Copy(merged, l.PerBroker)
	return LoadBroker(merged)
}
