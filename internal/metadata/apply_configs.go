package metadata

import "maps"

func (a *applier) configBuilder() *pbuilder[ConfigKey, *configSet] {
	if a.configs == nil {
		a.configs = a.next.configs.builder()
	}
	return a.configs
}

// configRecord sets one config key of a resource, or deletes it when the value is null.
func (a *applier) configRecord(r *ConfigRecord) {
	key := ConfigKey{r.ResourceType, r.ResourceName}
	b := a.configBuilder()
	cs, ok := b.get(key)
	if r.Value == nil && !ok {
		return
	}
	if !ok || !a.ownedConfigs[cs] {
		c := &configSet{m: map[string]string{}}
		if ok {
			c.m = maps.Clone(cs.m)
		}
		cs = c
		a.ownedConfigs[cs] = true
		b.set(key, cs)
	}
	if r.Value == nil {
		delete(cs.m, r.Name)
		if len(cs.m) == 0 {
			b.delete(key)
		}
		return
	}
	cs.m[r.Name] = *r.Value
}
