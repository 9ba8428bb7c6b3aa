package config

import (
	"slices"
	"strings"
)

// registry is the one table of all Defs, built once at init.
var (
	byName     = map[string]*Def{}
	topicList  []*Def
	brokerList []*Def
)

func init() {
	for _, d := range topicDefs {
		d.Topic = true
		register(d)
	}
	for _, d := range sharedDefs {
		d.Topic, d.Broker = true, true
		register(d)
	}
	for _, group := range [][]*Def{logDefs, cleanerDefs, serverDefs, socketDefs, kraftDefs,
		replicationDefs, throttleDefs, groupDefs, shareDefs, txnDefs, securityDefs, gofkaDefs} {
		for _, d := range group {
			d.Broker = true
			register(d)
		}
	}
	byNameSort := func(a, b *Def) int { return strings.Compare(a.Name, b.Name) }
	slices.SortFunc(topicList, byNameSort)
	slices.SortFunc(brokerList, byNameSort)
}

// register adds d to the table, filling derived fields.
func register(d *Def) {
	if _, dup := byName[d.Name]; dup {
		panic("config: duplicate definition of " + d.Name)
	}
	if d.Type == Password {
		d.Sensitive = true
	}
	if d.Broker && d.Dynamic == "" {
		d.Dynamic = ReadOnly
	}
	byName[d.Name] = d
	if d.Topic {
		topicList = append(topicList, d)
	}
	if d.Broker {
		brokerList = append(brokerList, d)
	}
}

// Lookup returns the definition of a property by its exact name.
func Lookup(name string) (*Def, bool) {
	d, ok := byName[name]
	return d, ok
}

// TopicDefs returns the topic-level configs sorted by name. The slice is a
// copy; the Defs are shared and must not be modified.
func TopicDefs() []*Def { return slices.Clone(topicList) }

// BrokerDefs returns the broker-level configs sorted by name. The slice is a
// copy; the Defs are shared and must not be modified.
func BrokerDefs() []*Def { return slices.Clone(brokerList) }

// lookupTopic returns the Def of a topic config.
func lookupTopic(name string) (*Def, bool) {
	d, ok := byName[name]
	return d, ok && d.Topic
}

// lookupBroker returns the Def of a broker config.
func lookupBroker(name string) (*Def, bool) {
	d, ok := byName[name]
	return d, ok && d.Broker
}
