package controller

// AlterConfigs (v0-2: replaces a resource's whole dynamic config) and
// IncrementalAlterConfigs (v0-1: SET, DELETE, APPEND, SUBTRACT per key) for
// topics and brokers (a node id, or "" for the cluster-wide default), as
// Kafka's ConfigurationControlManager applies them.

import (
	"fmt"
	"sort"
	"strings"

	"github.com/gofka/gofka/internal/config"
	"github.com/gofka/gofka/internal/metadata"
	"github.com/twmb/franz-go/pkg/kerr"
)

// Incremental operations.
const (
	opSet      = 0
	opDelete   = 1
	opAppend   = 2
	opSubtract = 3
)

// ConfigChange is one key's change; a nil Value deletes the override.
type ConfigChange struct {
	Name  string
	Op    int8
	Value *string
}

// ConfigResult is the outcome for one resource.
type ConfigResult struct {
	Code *kerr.Error // nil on success
	Msg  string
}

// AlterConfigs replaces the dynamic config of a resource with the given
// set (legacy AlterConfigs semantics: keys not named are removed).
func (c *Controller) AlterConfigs(resType int8, name string, set map[string]*string, validateOnly bool) ConfigResult {
	c.mu.Lock()
	defer c.mu.Unlock()
	img := c.pub.Current()
	if res := c.checkResource(img, resType, name); res.Code != nil {
		return res
	}
	next := make(map[string]string, len(set))
	for k, v := range set {
		if v == nil {
			return ConfigResult{kerr.InvalidRequest, fmt.Sprintf("Null value not supported for %s", k)}
		}
		next[k] = *v
	}
	return c.replaceConfigsLocked(img, resType, name, next, validateOnly)
}

// IncrementalAlterConfigs applies per-key operations to a resource.
func (c *Controller) IncrementalAlterConfigs(resType int8, name string, changes []ConfigChange, validateOnly bool) ConfigResult {
	c.mu.Lock()
	defer c.mu.Unlock()
	img := c.pub.Current()
	if res := c.checkResource(img, resType, name); res.Code != nil {
		return res
	}
	next := cloneMap(img.Configs(resType, name))
	seen := make(map[string]bool, len(changes))
	for _, ch := range changes {
		if seen[ch.Name] {
			return ConfigResult{kerr.InvalidRequest, fmt.Sprintf("Error due to duplicate config keys: %s", ch.Name)}
		}
		seen[ch.Name] = true
		if res := c.applyOp(img, resType, name, next, ch); res.Code != nil {
			return res
		}
	}
	return c.replaceConfigsLocked(img, resType, name, next, validateOnly)
}

func (c *Controller) checkResource(img *metadata.Image, resType int8, name string) ConfigResult {
	switch resType {
	case ResourceTopic:
		if img.Topic(name) == nil {
			return ConfigResult{kerr.UnknownTopicOrPartition, fmt.Sprintf("Topic %s does not exist.", name)}
		}
	case ResourceBroker:
		if name != "" && name != fmt.Sprint(c.static.NodeID) {
			if _, ok := brokerByName(img, name); !ok && !controllerByName(img, name) {
				return ConfigResult{kerr.InvalidRequest, fmt.Sprintf("Unexpected broker id %q", name)}
			}
		}
	case ResourceGroup:
		if name == "" {
			return ConfigResult{kerr.InvalidRequest, "A group config needs a group name."}
		}
	default:
		return ConfigResult{kerr.InvalidRequest, fmt.Sprintf("Unsupported resource type %d", resType)}
	}
	return ConfigResult{}
}

func brokerByName(img *metadata.Image, name string) (int32, bool) {
	for id := range img.Brokers {
		if fmt.Sprint(id) == name {
			return id, true
		}
	}
	return 0, false
}

// controllerByName reports a registered controller (ControllerRegistration):
// its per-broker configs (its controller listener's stores, say) may be
// set too, as Kafka takes any node id (KIP-919).
func controllerByName(img *metadata.Image, name string) bool {
	for id := range img.Controllers {
		if fmt.Sprint(id) == name {
			return true
		}
	}
	return false
}

func (c *Controller) applyOp(img *metadata.Image, resType int8, name string, m map[string]string, ch ConfigChange) ConfigResult {
	switch ch.Op {
	case opSet:
		if ch.Value == nil {
			return ConfigResult{kerr.InvalidRequest, fmt.Sprintf("Null value not supported for %s", ch.Name)}
		}
		m[ch.Name] = *ch.Value
	case opDelete:
		delete(m, ch.Name)
	case opAppend, opSubtract:
		return c.applyListOp(img, resType, name, m, ch)
	default:
		return ConfigResult{kerr.InvalidRequest, fmt.Sprintf("Unknown operation %d for %s", ch.Op, ch.Name)}
	}
	return ConfigResult{}
}

// applyListOp appends to or subtracts from a list config, starting from
// the current override or else the effective value.
func (c *Controller) applyListOp(img *metadata.Image, resType int8, name string, m map[string]string, ch ConfigChange) ConfigResult {
	def, ok := config.Lookup(ch.Name)
	if !ok || def.Type != config.List {
		return ConfigResult{kerr.InvalidConfig, fmt.Sprintf("Config value append/subtract is not allowed for config key %s, which is not a list", ch.Name)}
	}
	if ch.Value == nil {
		return ConfigResult{kerr.InvalidRequest, fmt.Sprintf("Null value not supported for %s", ch.Name)}
	}
	cur, ok := m[ch.Name]
	if !ok {
		cur = c.effectiveValue(img, resType, name, ch.Name, def)
	}
	items := splitList(cur)
	for _, v := range splitList(*ch.Value) {
		i := indexOf(items, v)
		switch {
		case ch.Op == opAppend && i < 0:
			items = append(items, v)
		case ch.Op == opSubtract && i >= 0:
			items = append(items[:i], items[i+1:]...)
		}
	}
	m[ch.Name] = strings.Join(items, ",")
	return ConfigResult{}
}

func (c *Controller) effectiveValue(img *metadata.Image, resType int8, name, key string, def *config.Def) string {
	var entries []config.Entry
	if resType == ResourceTopic {
		entries = config.DescribeTopic(c.layers(img, img.Configs(resType, name)))
	} else {
		entries = config.DescribeBroker(c.layers(img, nil))
	}
	for _, e := range entries {
		if e.Name == key && e.Value != nil {
			return *e.Value
		}
	}
	if def.Default != nil {
		return *def.Default
	}
	return ""
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func indexOf(xs []string, x string) int {
	for i, v := range xs {
		if v == x {
			return i
		}
	}
	return -1
}

func cloneMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// replaceConfigsLocked validates the complete new config of a resource and
// writes the ConfigRecords that turn the current one into it.
func (c *Controller) replaceConfigsLocked(img *metadata.Image, resType int8, name string, next map[string]string, validateOnly bool) ConfigResult {
	if res := c.validateConfigs(img, resType, name, next); res.Code != nil {
		return res
	}
	if validateOnly {
		return ConfigResult{}
	}
	recs := configDiff(resType, name, img.Configs(resType, name), next)
	if err := c.commitLocked(recs); err != nil {
		return ConfigResult{ErrorCode(err), err.Error()}
	}
	return ConfigResult{}
}

func (c *Controller) validateConfigs(img *metadata.Image, resType int8, name string, next map[string]string) ConfigResult {
	for k, v := range next {
		v := v
		var err error
		switch resType {
		case ResourceTopic:
			err = config.ValidateTopic(k, &v)
		case ResourceGroup:
			err = config.ValidateGroup(k, &v)
		default:
			err = config.ValidateBrokerDynamic(k, &v)
		}
		if err != nil {
			return ConfigResult{kerr.InvalidConfig, err.Error()}
		}
	}
	if resType == ResourceTopic {
		if _, err := config.ResolveTopic(c.layers(img, next)); err != nil {
			return ConfigResult{kerr.InvalidConfig, err.Error()}
		}
	}
	return ConfigResult{}
}

// configDiff returns ConfigRecords that change cur into next, in key order.
func configDiff(resType int8, name string, cur, next map[string]string) []metadata.Record {
	keys := make(map[string]bool)
	for k := range cur {
		keys[k] = true
	}
	for k := range next {
		keys[k] = true
	}
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	var recs []metadata.Record
	for _, k := range sorted {
		nv, inNext := next[k]
		cv, inCur := cur[k]
		if inNext == inCur && nv == cv {
			continue
		}
		r := metadata.NewConfigRecord()
		r.ResourceType, r.ResourceName, r.Name = resType, name, k
		r.Value = nil // a null value deletes the override
		if inNext {
			v := nv
			r.Value = &v
		}
		recs = append(recs, r)
	}
	return recs
}
