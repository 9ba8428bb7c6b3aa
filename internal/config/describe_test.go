package config

import (
	"fmt"
	"slices"
	"testing"
)

func entry(t *testing.T, es []Entry, name string) Entry {
	t.Helper()
	i := slices.IndexFunc(es, func(e Entry) bool { return e.Name == name })
	if i < 0 {
		t.Fatalf("no entry %s", name)
	}
	return es[i]
}

// syns formats synonyms as name=value@source for compact comparison.
func syns(s []Synonym) []string {
	var out []string
	for _, x := range s {
		v := "<nil>"
		if x.Value != nil {
			v = *x.Value
		}
		out = append(out, fmt.Sprintf("%s=%s@%d", x.Name, v, x.Source))
	}
	return out
}

func val(e Entry) string {
	if e.Value == nil {
		return "<nil>"
	}
	return *e.Value
}

// The sources of Kafka's PlaintextAdminIntegrationTest.testCreateTopicsReturnsConfigs.
func TestDescribeTopicSources(t *testing.T) {
	l := Layers{
		Topic:          map[string]string{"index.interval.bytes": "9999999"},
		PerBroker:      map[string]string{"log.cleaner.delete.retention.ms": "34"},
		ClusterDefault: map[string]string{"log.retention.ms": "10800000"},
		Static:         staticBroker(t, map[string]string{"log.roll.jitter.ms": "123", "log.roll.hours": "2"}),
	}
	es := DescribeTopic(l)
	if len(es) != len(TopicDefs()) {
		t.Fatalf("%d entries", len(es))
	}
	tests := []struct {
		name, value string
		source      int8
	}{
		{"cleanup.policy", "delete", SourceDefault},
		{"retention.ms", "10800000", SourceDynamicDefault},
		{"delete.retention.ms", "34", SourceDynamicBroker},
		{"segment.jitter.ms", "123", SourceStatic},
		{"segment.ms", "7200000", SourceStatic},
		{"index.interval.bytes", "9999999", SourceTopic},
	}
	for _, tc := range tests {
		e := entry(t, es, tc.name)
		if val(e) != tc.value || e.Source != tc.source || e.ReadOnly || e.Sensitive {
			t.Errorf("%s = %s@%d (ro %v), want %s@%d", tc.name, val(e), e.Source, e.ReadOnly, tc.value, tc.source)
		}
	}
	if e := entry(t, es, "segment.bytes"); e.Type != Int || e.Doc == "" {
		t.Errorf("segment.bytes type %v doc %q", e.Type, e.Doc)
	}
}

func TestDescribeTopicSynonyms(t *testing.T) {
	l := Layers{
		Topic:          map[string]string{"retention.ms": "42"},
		PerBroker:      map[string]string{"log.retention.minutes": "5"},
		ClusterDefault: map[string]string{"log.retention.ms": "10800000"},
		Static:         staticBroker(t, map[string]string{"log.retention.hours": "2", "log.retention.ms": "77"}),
	}
	got := syns(entry(t, DescribeTopic(l), "retention.ms").Synonyms)
	want := []string{"retention.ms=42@1", "log.retention.minutes=5@2", "log.retention.ms=10800000@3",
		"log.retention.ms=77@4", "log.retention.hours=2@4", "log.retention.hours=168@5"}
	if !slices.Equal(got, want) {
		t.Errorf("synonyms\n got %v\nwant %v", got, want)
	}
	l.Topic = nil
	e := entry(t, DescribeTopic(l), "retention.ms")
	if val(e) != "300000" || e.Source != SourceDynamicBroker || !slices.Equal(syns(e.Synonyms), want[1:]) {
		t.Errorf("without override: %s@%d %v", val(e), e.Source, syns(e.Synonyms))
	}
	e = entry(t, DescribeTopic(Layers{}), "segment.bytes")
	if !slices.Equal(syns(e.Synonyms), []string{"log.segment.bytes=1073741824@5"}) || e.Source != SourceDefault {
		t.Errorf("segment.bytes: %v @%d", syns(e.Synonyms), e.Source)
	}
	e = entry(t, DescribeTopic(Layers{}), "remote.storage.enable")
	if len(e.Synonyms) != 0 || e.Source != SourceDefault || val(e) != "false" {
		t.Errorf("remote.storage.enable: %v %s@%d", syns(e.Synonyms), val(e), e.Source)
	}
}

// Mirrors Kafka's DynamicBrokerReconfigurationTest synonym checks.
func TestDescribeBrokerSynonyms(t *testing.T) {
	l := Layers{Static: staticBroker(t, map[string]string{"log.retention.ms": "1680000000", "log.retention.hours": "168"})}
	es := DescribeBroker(l)
	tests := []struct {
		name     string
		readOnly bool
		want     []string
	}{
		{"log.retention.ms", false, []string{"log.retention.ms=1680000000@4", "log.retention.hours=168@4", "log.retention.hours=168@5"}},
		{"log.retention.hours", true, []string{"log.retention.hours=168@4", "log.retention.hours=168@5"}},
		{"log.roll.hours", true, []string{"log.roll.hours=168@5"}},
		{"log.cleaner.threads", false, []string{"log.cleaner.threads=1@5"}},
		{"log.roll.ms", false, nil},
	}
	for _, tc := range tests {
		e := entry(t, es, tc.name)
		if e.ReadOnly != tc.readOnly || !slices.Equal(syns(e.Synonyms), tc.want) {
			t.Errorf("%s: ro %v synonyms %v, want %v %v", tc.name, e.ReadOnly, syns(e.Synonyms), tc.readOnly, tc.want)
		}
	}
	if e := entry(t, es, "log.roll.ms"); e.Value != nil || e.Source != SourceDefault {
		t.Errorf("log.roll.ms = %s@%d", val(e), e.Source)
	}
	if e := entry(t, es, "log.retention.ms"); val(e) != "1680000000" || e.Source != SourceStatic {
		t.Errorf("log.retention.ms = %s@%d", val(e), e.Source)
	}
}

func TestDescribeBrokerLayersAndSensitive(t *testing.T) {
	l := Layers{
		PerBroker:      map[string]string{"num.io.threads": "4", "listener.name.ext.ssl.keystore.password": "p1"},
		ClusterDefault: map[string]string{"num.io.threads": "6", "log.cleaner.threads": "2"},
		Static:         staticBroker(t, map[string]string{"num.io.threads": "5", "ssl.keystore.password": "secret"}),
	}
	es := DescribeBroker(l)
	e := entry(t, es, "num.io.threads")
	if val(e) != "4" || e.Source != SourceDynamicBroker || e.ReadOnly ||
		!slices.Equal(syns(e.Synonyms), []string{"num.io.threads=4@2", "num.io.threads=6@3", "num.io.threads=5@4", "num.io.threads=8@5"}) {
		t.Errorf("num.io.threads: %s@%d %v", val(e), e.Source, syns(e.Synonyms))
	}
	e = entry(t, es, "ssl.keystore.password")
	if e.Value != nil || !e.Sensitive || e.Source != SourceStatic || !slices.Equal(syns(e.Synonyms), []string{"ssl.keystore.password=<nil>@4"}) {
		t.Errorf("password: %s@%d sensitive %v %v", val(e), e.Source, e.Sensitive, syns(e.Synonyms))
	}
	e = entry(t, es, "listener.name.ext.ssl.keystore.password")
	if e.Value != nil || !e.Sensitive || e.Source != SourceDynamicBroker || e.Type != Password ||
		!slices.Equal(syns(e.Synonyms), []string{"listener.name.ext.ssl.keystore.password=<nil>@2", "ssl.keystore.password=<nil>@4"}) {
		t.Errorf("listener password: %+v %v", e, syns(e.Synonyms))
	}

	def := DescribeBrokerDefault(l)
	if len(def) != 2 || def[0].Name != "log.cleaner.threads" || def[1].Name != "num.io.threads" {
		t.Fatalf("defaults: %v", def)
	}
	if val(def[1]) != "6" || def[1].Source != SourceDynamicDefault || !slices.Equal(syns(def[1].Synonyms), []string{"num.io.threads=6@3"}) {
		t.Errorf("default num.io.threads: %s@%d %v", val(def[1]), def[1].Source, syns(def[1].Synonyms))
	}
}
