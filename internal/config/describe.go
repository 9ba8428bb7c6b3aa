package config

import (
	"maps"
	"slices"
)

// Synonym is one source of a config value in a DescribeConfigs entry.
type Synonym struct {
	Name   string
	Value  *string
	Source int8
}

// Entry is one config in a DescribeConfigs result.
type Entry struct {
	Name      string
	Value     *string
	Source    int8
	ReadOnly  bool
	Sensitive bool
	Synonyms  []Synonym // in precedence order, the entry's own source first
	Type      Type
	Doc       string
}

// DescribeTopic describes every topic config of a topic. Value and Source
// are the resolved ones (see ResolveTopic). Synonyms are, in order: the
// topic override if set, then each broker synonym set in the per-broker,
// cluster-default and static layers, then each broker synonym's default.
// Topic configs are never read-only.
func DescribeTopic(l Layers) []Entry {
	out := make([]Entry, 0, len(topicList))
	for _, d := range topicList {
		v, src := resolveTopicValue(d, l)
		var syns []Synonym
		if tv, ok := l.Topic[d.Name]; ok {
			syns = append(syns, Synonym{d.Name, ptr(tv), SourceTopic})
		}
		syns = append(syns, layerSynonyms(d.Synonyms, l.brokerLayers())...)
		out = append(out, newEntry(d, d.Doc, v, src, false, syns))
	}
	return out
}

// DescribeBroker describes the broker resource (resource name = node id):
// every broker config with its value from the per-broker, cluster-default or
// static layer, else its default. Synonyms follow Kafka's ConfigHelper: the
// config's broker synonyms (e.g. log.retention.ms, .minutes, .hours) at each
// layer, from the first occurrence of the config itself on.
func DescribeBroker(l Layers) []Entry {
	names := make([]string, 0, len(brokerList))
	for _, d := range brokerList {
		names = append(names, d.Name)
	}
	for _, m := range []map[string]string{l.PerBroker, l.ClusterDefault, l.static()} {
		for k := range m {
			if _, ok := listenerBase(k); ok && !slices.Contains(names, k) {
				names = append(names, k)
			}
		}
	}
	slices.Sort(names)
	out := make([]Entry, 0, len(names))
	for _, name := range names {
		out = append(out, brokerEntry(name, l, false))
	}
	return out
}

// DescribeBrokerDefault describes the cluster-wide defaults (resource name
// ""): only configs set in l.ClusterDefault, with synonyms from that layer.
func DescribeBrokerDefault(l Layers) []Entry {
	out := []Entry{}
	for _, name := range slices.Sorted(maps.Keys(l.ClusterDefault)) {
		out = append(out, brokerEntry(name, l, true))
	}
	return out
}

// brokerEntry builds the entry of one broker config.
func brokerEntry(name string, l Layers, defaultOnly bool) Entry {
	group := brokerSynonymGroup(name)
	syns := layerSynonyms(group, l.brokerLayers())
	for len(syns) > 0 && syns[0].Name != name {
		syns = syns[1:] // e.g. log.retention.ms set above log.retention.hours
	}
	if defaultOnly {
		syns = slices.DeleteFunc(syns, func(s Synonym) bool { return s.Source != SourceDynamicDefault })
	}
	var v *string
	src := SourceDefault
	if len(syns) > 0 {
		v, src = syns[0].Value, syns[0].Source
	}
	d := brokerDefFor(name)
	doc := d.Doc
	if d.BrokerDoc != "" {
		doc = d.BrokerDoc
	}
	e := newEntry(d, doc, v, src, d.Dynamic == ReadOnly && !isListenerName(name), syns)
	e.Name = name
	return e
}

// layerSynonyms lists, layer by layer, each of names set in that layer,
// then each name's non-null default.
func layerSynonyms(names []string, layers []layer) []Synonym {
	var out []Synonym
	for _, ly := range layers {
		for _, n := range names {
			if v, ok := ly.m[n]; ok {
				out = append(out, Synonym{n, ptr(v), ly.source})
			}
		}
	}
	for _, n := range names {
		if d, ok := lookupBroker(n); ok && d.Default != nil {
			out = append(out, Synonym{n, ptr(*d.Default), SourceDefault})
		}
	}
	return out
}

// brokerSynonymGroup mirrors DynamicBrokerConfig.brokerConfigSynonyms.
func brokerSynonymGroup(name string) []string {
	switch name {
	case "log.roll.ms", "log.roll.hours":
		return []string{"log.roll.ms", "log.roll.hours"}
	case "log.roll.jitter.ms", "log.roll.jitter.hours":
		return []string{"log.roll.jitter.ms", "log.roll.jitter.hours"}
	case "log.flush.interval.ms":
		return []string{"log.flush.interval.ms", "log.flush.scheduler.interval.ms"}
	case "log.retention.ms", "log.retention.minutes", "log.retention.hours":
		return []string{"log.retention.ms", "log.retention.minutes", "log.retention.hours"}
	}
	if base, ok := listenerBase(name); ok {
		return []string{name, base}
	}
	return []string{name}
}

func isListenerName(name string) bool {
	_, ok := listenerBase(name)
	return ok
}

// brokerDefFor returns the Def of name, or of its listener base; an unknown
// base is described as a sensitive string (Kafka treats unknown types as
// possibly sensitive).
func brokerDefFor(name string) *Def {
	if d, ok := lookupBroker(name); ok {
		return d
	}
	if base, ok := listenerBase(name); ok {
		if d, ok := lookupBroker(base); ok {
			return d
		}
	}
	return &Def{Name: name, Type: String, Sensitive: true, Dynamic: PerBroker}
}

// newEntry assembles an Entry, hiding sensitive values.
func newEntry(d *Def, doc string, v *string, src int8, readOnly bool, syns []Synonym) Entry {
	if d.Sensitive {
		v = nil
		for i := range syns {
			syns[i].Value = nil
		}
	}
	return Entry{Name: d.Name, Value: v, Source: src, ReadOnly: readOnly, Sensitive: d.Sensitive,
		Synonyms: syns, Type: d.Type, Doc: doc}
}
