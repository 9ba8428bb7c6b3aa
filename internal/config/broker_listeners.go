package config

import (
	"fmt"
	"slices"
	"strings"
)

// loadListeners parses listeners, advertised.listeners, the protocol map,
// controller.listener.names and the inter-broker listener, and checks that
// they agree with each other (as KafkaConfig does).
func loadListeners(b *Broker) error {
	var err error
	if b.Listeners, err = parseListeners(*b.Get("listeners")); err != nil {
		return invalidErr("listeners", err.Error())
	}
	b.ControllerListenerNames = upperList(b.Get("controller.listener.names"))
	if b.ListenerSecurityProtocolMap, err = effectiveProtocolMap(b); err != nil {
		return err
	}
	if err := assignProtocols(b.Listeners, b.ListenerSecurityProtocolMap, "listeners"); err != nil {
		return err
	}
	if err := checkControllerListeners(b); err != nil {
		return err
	}
	if err := loadAdvertised(b); err != nil {
		return err
	}
	if err := loadInterBroker(b); err != nil {
		return err
	}
	b.EarlyStartListeners = b.ControllerListenerNames
	if v := b.Get("early.start.listeners"); v != nil {
		b.EarlyStartListeners = upperList(v)
	}
	return nil
}

func upperList(v *string) []string {
	if v == nil {
		return nil
	}
	l := splitList(*v)
	for i := range l {
		l[i] = strings.ToUpper(l[i])
	}
	return l
}

// effectiveProtocolMap is listener.security.protocol.map; when it is not set
// explicitly, controller listener names map to PLAINTEXT (KRaft's default).
func effectiveProtocolMap(b *Broker) (map[string]string, error) {
	m, err := parseProtocolMap(*b.Get("listener.security.protocol.map"))
	if err != nil {
		return nil, invalidErr("listener.security.protocol.map", err.Error())
	}
	if _, explicit := b.Raw["listener.security.protocol.map"]; !explicit {
		for _, n := range b.ControllerListenerNames {
			if _, ok := m[n]; !ok {
				m[n] = "PLAINTEXT"
			}
		}
	}
	return m, nil
}

// assignProtocols sets each listener's SecurityProtocol from the map.
func assignProtocols(ls []Listener, m map[string]string, prop string) error {
	for i := range ls {
		p, ok := m[ls[i].Name]
		if !ok {
			return invalidErr(prop, fmt.Sprintf("no security protocol defined for listener %s (set listener.security.protocol.map)", ls[i].Name))
		}
		ls[i].SecurityProtocol = p
	}
	return nil
}

// checkControllerListeners requires controller listener names to be
// listeners of a controller node.
func checkControllerListeners(b *Broker) error {
	if !b.HasRole("controller") {
		return nil
	}
	for _, n := range b.ControllerListenerNames {
		if !slices.ContainsFunc(b.Listeners, func(l Listener) bool { return l.Name == n }) {
			return invalidErr("controller.listener.names", fmt.Sprintf("listener %s is not in listeners", n))
		}
	}
	return nil
}

// loadAdvertised defaults advertised.listeners to the non-controller
// listeners and rejects the 0.0.0.0 meta-address.
func loadAdvertised(b *Broker) error {
	if v := b.Get("advertised.listeners"); v != nil {
		ls, err := parseListeners(*v)
		if err != nil {
			return invalidErr("advertised.listeners", err.Error())
		}
		b.AdvertisedListeners = ls
	} else {
		for _, l := range b.Listeners {
			if !slices.Contains(b.ControllerListenerNames, l.Name) {
				b.AdvertisedListeners = append(b.AdvertisedListeners, l)
			}
		}
	}
	for _, l := range b.AdvertisedListeners {
		if l.Host == "0.0.0.0" {
			return invalidErr("advertised.listeners", "cannot use the nonroutable meta-address 0.0.0.0")
		}
	}
	return assignProtocols(b.AdvertisedListeners, b.ListenerSecurityProtocolMap, "advertised.listeners")
}

// loadInterBroker resolves the inter-broker listener name.
func loadInterBroker(b *Broker) error {
	_, hasName := b.Raw["inter.broker.listener.name"]
	_, hasProto := b.Raw["security.inter.broker.protocol"]
	if hasName && hasProto {
		return invalidErr("inter.broker.listener.name", "only one of inter.broker.listener.name and security.inter.broker.protocol should be set")
	}
	b.InterBrokerListenerName = strings.ToUpper(strings.TrimSpace(*b.Get("security.inter.broker.protocol")))
	if hasName {
		b.InterBrokerListenerName = strings.ToUpper(strings.TrimSpace(b.Raw["inter.broker.listener.name"]))
	}
	if !b.HasRole("broker") || !hasName {
		return nil
	}
	if !slices.ContainsFunc(b.AdvertisedListeners, func(l Listener) bool { return l.Name == b.InterBrokerListenerName }) {
		return invalidErr("inter.broker.listener.name", fmt.Sprintf("listener %s must be in advertised.listeners", b.InterBrokerListenerName))
	}
	return nil
}
