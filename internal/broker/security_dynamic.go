package broker

// Dynamic TLS stores: an AlterConfigs or IncrementalAlterConfigs of this
// node's listener-prefixed store configs
// (listener.name.<listener>.ssl.keystore.location, .ssl.keystore.key,
// .ssl.truststore.certificates, ...; Kafka takes them only with the
// listener prefix) is checked on the node it names before it goes to the
// controller (stores that do not load are INVALID_REQUEST, as Kafka's
// ConfigAdminManager), and once committed the listener serves the new
// stores for new connections; open connections keep theirs. Every TLS
// listener follows them, the controller listener too, on combined and
// controller-only nodes alike: admin clients reach a controller-only node
// on its controller listener (KIP-919, --bootstrap-controller), where the
// active controller takes the change and checks it first when it names
// itself. The node's own clients of a listener (inter-node connections:
// raft, metadata fetch, forwarding, replica fetchers, markers) follow
// that listener's configs too.

import (
	"errors"
	"fmt"
	"maps"
	"strings"
	"sync"

	"github.com/gofka/gofka/internal/controller"
	"github.com/gofka/gofka/internal/metadata"
	"github.com/gofka/gofka/internal/security"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// dynamicTLS is the listener-prefixed ssl.* dynamic configs a listener
// serves with.
type dynamicTLS struct {
	mu      sync.Mutex
	applied map[string]string
}

// sslPrefix is the prefix of a listener's dynamic TLS configs.
func sslPrefix(listener string) string { return "listener.name." + strings.ToLower(listener) + ".ssl." }

// dynamicSSL returns the dynamic configs of this broker (per broker over
// cluster default) with the listener's ssl prefix.
func (n *Node) dynamicSSL(img *metadata.Image, listener string) map[string]string {
	prefix, out := sslPrefix(listener), map[string]string{}
	for _, name := range []string{"", fmt.Sprint(n.nodeID)} {
		for k, v := range img.Configs(controller.ResourceBroker, name) {
			if strings.HasPrefix(k, prefix) {
				out[k] = v
			}
		}
	}
	return out
}

// tlsSettingsWith is the listener's TLS settings with dyn over the static
// configs.
func (n *Node) tlsSettingsWith(listener string, dyn map[string]string) security.TLSSettings {
	static := listenerGetter(n.cfg, listener)
	prefix := "listener.name." + strings.ToLower(listener) + "."
	return security.TLSSettingsFrom(func(name string) string {
		if v, ok := dyn[prefix+name]; ok {
			return v
		}
		return static(name)
	})
}

// tlsStores are stores that follow dynamic configs: a listener's
// (security.ServerTLS) or this node's clients' of a listener
// (security.ClientTLS).
type tlsStores interface {
	Update(security.TLSSettings) error
	Reset(security.TLSSettings) error
	Check(security.TLSSettings) error
}

// tlsTarget is one set of stores and the listener whose ssl configs it
// follows.
type tlsTarget struct {
	what, listener string
	dyn            *dynamicTLS
	stores         tlsStores
}

// tlsTargets are this node's TLS listeners (the controller listener
// too: a controller takes its per-broker dynamic configs as a broker
// does, KIP-919), then its TLS clients of other nodes (which follow the
// configs of the listener they reach, as Kafka's inter-broker clients
// follow the inter-broker listener's).
func (n *Node) tlsTargets() []tlsTarget {
	var out []tlsTarget
	for _, sl := range n.listeners {
		if sl.sec.tls != nil {
			out = append(out, tlsTarget{"listener", sl.cfg.Name, &sl.sec.dyn, sl.sec.tls})
		}
	}
	if n.ctrlSec != nil && n.ctrlSec.tls != nil {
		out = append(out, tlsTarget{"listener", n.ctrlSec.name, &n.ctrlSec.dyn, n.ctrlSec.tls})
	}
	for _, c := range n.clientTLS {
		out = append(out, tlsTarget{"inter-node client", c.listener, &c.dyn, c.tls})
	}
	return out
}

// startDynamicTLS serves each TLS listener, and dials with each TLS
// client, with the dynamic store configs of the image, now and as they
// change.
func (n *Node) startDynamicTLS() {
	n.applyDynamicTLS(n.meta.Current(), true)
	n.meta.Subscribe(func(_, next *metadata.Image, _ metadata.Delta) { n.applyDynamicTLS(next, false) })
}

// applyDynamicTLS uses the dynamic store configs of img. At start they
// are part of the initial configuration; later changes are checked
// against the stores in use (ssl.allow.dn.changes, ssl.allow.san.changes,
// the handshakes of an inter-node listener), for every target of a
// listener before any takes them, as Kafka validates every
// reconfigurable before it reconfigures one.
func (n *Node) applyDynamicTLS(img *metadata.Image, atStart bool) {
	changed := map[string][]tlsTarget{}
	for _, t := range n.tlsTargets() {
		dyn := n.dynamicSSL(img, t.listener)
		t.dyn.mu.Lock()
		same := maps.Equal(dyn, t.dyn.applied) || (len(dyn) == 0 && t.dyn.applied == nil)
		t.dyn.applied = dyn
		t.dyn.mu.Unlock()
		if !same {
			changed[t.listener] = append(changed[t.listener], t)
		}
	}
	for listener, ts := range changed {
		n.applyListenerTLS(listener, ts, n.tlsSettingsWith(listener, n.dynamicSSL(img, listener)), atStart)
	}
}

// applyListenerTLS gives targets, which follow listener's configs, the
// settings s: all of them, or (a later change refused by one) none.
func (n *Node) applyListenerTLS(listener string, targets []tlsTarget, s security.TLSSettings, atStart bool) {
	if !atStart {
		for _, t := range targets {
			if err := t.stores.Check(s); err != nil {
				n.log.Error("dynamic TLS store configs refused; keeping the previous stores", "stores", t.what, "listener", listener, "err", err)
				return
			}
		}
	}
	for _, t := range targets {
		apply := t.stores.Update
		if atStart {
			apply = t.stores.Reset
		}
		if err := apply(s); err != nil {
			n.log.Error("dynamic TLS store configs refused; keeping the previous stores", "stores", t.what, "listener", listener, "err", err)
			continue
		}
		n.log.Info("TLS stores changed by a dynamic config", "stores", t.what, "listener", listener)
	}
}

// validateDynamicTLS checks a change of this broker's dynamic configs
// (next, the whole per-broker set after the change): the stores of every
// TLS listener and client whose ssl configs it changes must load and may
// replace the ones in use (the same subject and names, unless
// ssl.allow.dn.changes or ssl.allow.san.changes).
func (n *Node) validateDynamicTLS(next map[string]string) error {
	img := n.meta.Current()
	for _, t := range n.tlsTargets() {
		prefix := sslPrefix(t.listener)
		dyn := map[string]string{}
		for k, v := range img.Configs(controller.ResourceBroker, "") {
			if strings.HasPrefix(k, prefix) {
				dyn[k] = v
			}
		}
		for k, v := range next {
			if strings.HasPrefix(k, prefix) {
				dyn[k] = v
			}
		}
		if maps.Equal(dyn, n.dynamicSSL(img, t.listener)) {
			continue
		}
		if err := t.stores.Check(n.tlsSettingsWith(t.listener, dyn)); err != nil {
			n.log.Info("dynamic TLS store configs refused", "stores", t.what, "listener", t.listener, "err", err)
			return errInvalidDynamicSSL(err)
		}
	}
	return nil
}

// errInvalidDynamicSSL is the error of refused stores as Kafka's admin
// client gets it: SslFactory's ConfigException, wrapped by
// DynamicBrokerConfig's "Invalid dynamic configuration" ConfigException
// (whose two-argument form reads "Invalid value <cause> for configuration
// <name>"). A failed handshake (security.ErrHandshake) is Java's
// SSLHandshakeException there.
func errInvalidDynamicSSL(err error) error {
	cause := "org.apache.kafka.common.config.ConfigException: " + strings.TrimPrefix(err.Error(), "security: ")
	if errors.Is(err, security.ErrHandshake) {
		cause = "javax.net.ssl.SSLHandshakeException: " + strings.TrimPrefix(err.Error(), "security: ")
	}
	return fmt.Errorf("Invalid value org.apache.kafka.common.config.ConfigException: Validation of dynamic config update of SSLFactory failed: %s for configuration Invalid dynamic configuration", cause)
}

// ownBroker reports a BROKER config resource naming this node.
func (n *Node) ownBroker(typ kmsg.ConfigResourceType, name string) bool {
	return int8(typ) == controller.ResourceBroker && name == fmt.Sprint(n.nodeID)
}

// configChange is a resource of AlterConfigs or IncrementalAlterConfigs
// as checked here: which resource, and this broker's dynamic configs once
// its changes apply to the current ones.
type configChange struct {
	typ   kmsg.ConfigResourceType
	name  string
	after func(current map[string]string) map[string]string
}

// alterChange: AlterConfigs replaces the whole set.
func alterChange(rr kmsg.AlterConfigsRequestResource) configChange {
	return configChange{rr.ResourceType, rr.ResourceName, func(map[string]string) map[string]string {
		next := map[string]string{}
		for _, c := range rr.Configs {
			if c.Value != nil {
				next[c.Name] = *c.Value
			}
		}
		return next
	}}
}

// incrementalChange: SET and DELETE of single configs.
func incrementalChange(rr kmsg.IncrementalAlterConfigsRequestResource) configChange {
	return configChange{rr.ResourceType, rr.ResourceName, func(current map[string]string) map[string]string {
		next := maps.Clone(current)
		if next == nil {
			next = map[string]string{}
		}
		for _, c := range rr.Configs {
			switch {
			case c.Op == kmsg.IncrementalAlterConfigOpSet && c.Value != nil:
				next[c.Name] = *c.Value
			case c.Op == kmsg.IncrementalAlterConfigOpDelete:
				delete(next, c.Name)
			}
		}
		return next
	}}
}

// refuseBadTLS keeps the resources to send on, and answers through refuse
// those of this broker whose new TLS stores do not load: INVALID_REQUEST
// with the reason, as Kafka's ConfigAdminManager (KAFKA-13609).
func refuseBadTLS[R, O any](n *Node, resources []R, change func(R) configChange, refuse func(R, *kerr.Error, string) O) ([]R, []O) {
	var failed []O
	keep := resources[:0:0]
	for _, rr := range resources {
		c := change(rr)
		if n.ownBroker(c.typ, c.name) {
			if err := n.validateDynamicTLS(c.after(n.meta.Current().Configs(controller.ResourceBroker, c.name))); err != nil {
				failed = append(failed, refuse(rr, kerr.InvalidRequest, err.Error()))
				continue
			}
		}
		keep = append(keep, rr)
	}
	return keep, failed
}

// preprocessAlterConfigs takes out of r the resources of this broker
// whose new TLS stores do not load, and returns their answers.
func (n *Node) preprocessAlterConfigs(r *kmsg.AlterConfigsRequest) []kmsg.AlterConfigsResponseResource {
	var failed []kmsg.AlterConfigsResponseResource
	r.Resources, failed = refuseBadTLS(n, r.Resources, alterChange,
		func(rr kmsg.AlterConfigsRequestResource, code *kerr.Error, msg string) kmsg.AlterConfigsResponseResource {
			out := kmsg.NewAlterConfigsResponseResource()
			out.ResourceType, out.ResourceName, out.ErrorCode, out.ErrorMessage = rr.ResourceType, rr.ResourceName, code.Code, &msg
			return out
		})
	return failed
}

// preprocessIncrementalAlterConfigs is preprocessAlterConfigs for
// IncrementalAlterConfigs.
func (n *Node) preprocessIncrementalAlterConfigs(r *kmsg.IncrementalAlterConfigsRequest) []kmsg.IncrementalAlterConfigsResponseResource {
	var failed []kmsg.IncrementalAlterConfigsResponseResource
	r.Resources, failed = refuseBadTLS(n, r.Resources, incrementalChange,
		func(rr kmsg.IncrementalAlterConfigsRequestResource, code *kerr.Error, msg string) kmsg.IncrementalAlterConfigsResponseResource {
			out := kmsg.NewIncrementalAlterConfigsResponseResource()
			out.ResourceType, out.ResourceName, out.ErrorCode, out.ErrorMessage = rr.ResourceType, rr.ResourceName, code.Code, &msg
			return out
		})
	return failed
}
