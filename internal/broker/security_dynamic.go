package broker

// Dynamic TLS stores: an AlterConfigs or IncrementalAlterConfigs of this
// broker's listener-prefixed store configs
// (listener.name.<listener>.ssl.keystore.location, .ssl.keystore.key,
// .ssl.truststore.certificates, ...; Kafka takes them only with the
// listener prefix) is checked on the broker it names before it goes to
// the controller (stores that do not load are INVALID_REQUEST, as Kafka's
// ConfigAdminManager), and once committed the listener serves the new
// stores for new connections; open connections keep theirs.

import (
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

// startDynamicTLS serves each TLS listener with the dynamic store configs
// of the image, now and as they change.
func (n *Node) startDynamicTLS() {
	n.applyDynamicTLS(n.meta.Current())
	n.meta.Subscribe(func(_, next *metadata.Image, _ metadata.Delta) { n.applyDynamicTLS(next) })
}

func (n *Node) applyDynamicTLS(img *metadata.Image) {
	for _, sl := range n.listeners {
		ls := sl.sec
		if ls.tls == nil {
			continue
		}
		dyn := n.dynamicSSL(img, sl.cfg.Name)
		ls.dyn.mu.Lock()
		if maps.Equal(dyn, ls.dyn.applied) || (len(dyn) == 0 && ls.dyn.applied == nil) {
			ls.dyn.mu.Unlock()
			continue
		}
		ls.dyn.applied = dyn
		ls.dyn.mu.Unlock()
		if err := ls.tls.Update(n.tlsSettingsWith(sl.cfg.Name, dyn)); err != nil {
			n.log.Error("dynamic TLS store configs do not load; keeping the previous certificate", "listener", sl.cfg.Name, "err", err)
			continue
		}
		n.log.Info("TLS stores changed by a dynamic config", "listener", sl.cfg.Name)
	}
}

// validateDynamicTLS checks a change of this broker's dynamic configs
// (next, the whole per-broker set after the change): the stores of every
// TLS listener whose ssl configs it changes must load.
func (n *Node) validateDynamicTLS(next map[string]string) error {
	img := n.meta.Current()
	for _, sl := range n.listeners {
		if sl.sec.tls == nil {
			continue
		}
		prefix := sslPrefix(sl.cfg.Name)
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
		if maps.Equal(dyn, n.dynamicSSL(img, sl.cfg.Name)) {
			continue
		}
		if err := security.Validate(n.tlsSettingsWith(sl.cfg.Name, dyn)); err != nil {
			return fmt.Errorf("Validation of dynamic config update of SSLFactory failed for listener %s: %w", sl.cfg.Name, err)
		}
	}
	return nil
}

// ownBroker reports a BROKER config resource naming this node.
func (n *Node) ownBroker(typ kmsg.ConfigResourceType, name string) bool {
	return int8(typ) == controller.ResourceBroker && name == fmt.Sprint(n.nodeID)
}

// preprocessAlterConfigs takes out of r the resources of this broker
// whose new TLS stores do not load, and returns their answers.
func (n *Node) preprocessAlterConfigs(r *kmsg.AlterConfigsRequest) []kmsg.AlterConfigsResponseResource {
	var failed []kmsg.AlterConfigsResponseResource
	keep := r.Resources[:0:0]
	for _, rr := range r.Resources {
		if n.ownBroker(rr.ResourceType, rr.ResourceName) {
			next := map[string]string{}
			for _, c := range rr.Configs {
				if c.Value != nil {
					next[c.Name] = *c.Value
				}
			}
			if err := n.validateDynamicTLS(next); err != nil {
				out := kmsg.NewAlterConfigsResponseResource()
				out.ResourceType, out.ResourceName = rr.ResourceType, rr.ResourceName
				out.ErrorCode, out.ErrorMessage = kerr.InvalidRequest.Code, kmsg.StringPtr(err.Error())
				failed = append(failed, out)
				continue
			}
		}
		keep = append(keep, rr)
	}
	r.Resources = keep
	return failed
}

// preprocessIncrementalAlterConfigs is preprocessAlterConfigs for
// IncrementalAlterConfigs (SET and DELETE of the store configs).
func (n *Node) preprocessIncrementalAlterConfigs(r *kmsg.IncrementalAlterConfigsRequest) []kmsg.IncrementalAlterConfigsResponseResource {
	var failed []kmsg.IncrementalAlterConfigsResponseResource
	keep := r.Resources[:0:0]
	for _, rr := range r.Resources {
		if n.ownBroker(rr.ResourceType, rr.ResourceName) {
			next := maps.Clone(n.meta.Current().Configs(controller.ResourceBroker, rr.ResourceName))
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
			if err := n.validateDynamicTLS(next); err != nil {
				out := kmsg.NewIncrementalAlterConfigsResponseResource()
				out.ResourceType, out.ResourceName = rr.ResourceType, rr.ResourceName
				out.ErrorCode, out.ErrorMessage = kerr.InvalidRequest.Code, kmsg.StringPtr(err.Error())
				failed = append(failed, out)
				continue
			}
		}
		keep = append(keep, rr)
	}
	r.Resources = keep
	return failed
}
