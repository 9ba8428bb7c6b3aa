package config

import (
	"errors"
	"slices"
	"testing"
)

func staticBroker(t *testing.T, props map[string]string) *Broker {
	t.Helper()
	b, err := LoadBroker(props)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestResolveTopicDefaults(t *testing.T) {
	got, err := ResolveTopic(Layers{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.CleanupPolicy, []string{"delete"}) || got.CompressionType != "producer" ||
		got.SegmentBytes != 1<<30 || got.RetentionMs != 604800000 || got.RetentionBytes != -1 ||
		got.MaxMessageBytes != 1048588 || got.MinCleanableDirtyRatio != 0.5 || got.FlushMs != 1<<63-1 ||
		got.LocalRetentionMs != -2 || got.MessageTimestampAfterMaxMs != 3600000 || got.SegmentIndexBytes != 10485760 ||
		got.MinInSyncReplicas != 1 || got.MessageTimestampType != "CreateTime" || !got.Delete() || got.Compact() {
		t.Errorf("defaults: %+v", got)
	}
}

func TestResolveTopicRetentionPrecedence(t *testing.T) {
	tests := []struct {
		name   string
		layers Layers
		want   int64
	}{
		{"default", Layers{}, 604800000},
		{"static hours", Layers{Static: staticBroker(t, map[string]string{"log.retention.hours": "2"})}, 7200000},
		{"static minutes beat hours", Layers{Static: staticBroker(t, map[string]string{"log.retention.hours": "2", "log.retention.minutes": "3"})}, 180000},
		{"static ms beat minutes", Layers{Static: staticBroker(t, map[string]string{"log.retention.minutes": "3", "log.retention.ms": "1234"})}, 1234},
		{"negative hours are unlimited", Layers{Static: staticBroker(t, map[string]string{"log.retention.hours": "-5"})}, -1},
		{"cluster default beats static", Layers{
			ClusterDefault: map[string]string{"log.retention.hours": "1"},
			Static:         staticBroker(t, map[string]string{"log.retention.ms": "1234"})}, 3600000},
		{"per-broker layer beats cluster default regardless of synonym rank", Layers{
			PerBroker:      map[string]string{"log.retention.minutes": "10"},
			ClusterDefault: map[string]string{"log.retention.ms": "99"}}, 600000},
		{"topic override beats all", Layers{
			Topic:     map[string]string{"retention.ms": "42"},
			PerBroker: map[string]string{"log.retention.ms": "99"}}, 42},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ResolveTopic(tc.layers)
			if err != nil {
				t.Fatal(err)
			}
			if got.RetentionMs != tc.want {
				t.Errorf("RetentionMs = %d, want %d", got.RetentionMs, tc.want)
			}
		})
	}
}

func TestResolveTopicOtherSynonyms(t *testing.T) {
	got, err := ResolveTopic(Layers{
		Topic:     map[string]string{"cleanup.policy": "compact,delete"},
		PerBroker: map[string]string{"log.roll.hours": "1", "message.max.bytes": "2000000"},
		Static: staticBroker(t, map[string]string{"log.roll.jitter.hours": "2", "log.flush.scheduler.interval.ms": "5000",
			"min.insync.replicas": "2", "log.cleaner.delete.retention.ms": "10"}),
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.SegmentMs != 3600000 || got.SegmentJitterMs != 7200000 || got.FlushMs != 5000 || got.MaxMessageBytes != 2000000 ||
		got.MinInSyncReplicas != 2 || got.DeleteRetentionMs != 10 || !got.Compact() || !got.Delete() {
		t.Errorf("got %+v", got)
	}
}

func TestResolveTopicErrors(t *testing.T) {
	tests := []struct {
		name string
		l    Layers
		kind error
	}{
		{"unknown override", Layers{Topic: map[string]string{"retention.hours": "1"}}, ErrUnknown},
		{"broker-only name as topic override", Layers{Topic: map[string]string{"log.retention.ms": "1"}}, ErrUnknown},
		{"bad override", Layers{Topic: map[string]string{"retention.ms": "-7"}}, ErrInvalid},
		{"bad inherited", Layers{PerBroker: map[string]string{"log.segment.bytes": "x"}}, ErrInvalid},
	}
	for _, tc := range tests {
		if _, err := ResolveTopic(tc.l); !errors.Is(err, tc.kind) {
			t.Errorf("%s: err %v, want %v", tc.name, err, tc.kind)
		}
	}
}
