package config

import (
	"errors"
	"testing"
)

func TestValidateTopic(t *testing.T) {
	tests := []struct {
		name  string
		value *string
		kind  error
	}{
		{"retention.ms", ptr("-1"), nil},
		{"retention.ms", ptr("-2"), ErrInvalid},
		{"retention.ms", nil, nil},
		{"cleanup.policy", ptr("compact, delete"), nil},
		{"cleanup.policy", ptr("compacted"), ErrInvalid},
		{"compression.gzip.level", ptr("-1"), nil},
		{"compression.gzip.level", ptr("0"), ErrInvalid},
		{"compression.zstd.level", ptr("-131072"), nil},
		{"leader.replication.throttled.replicas", ptr("0:1,1:2"), nil},
		{"leader.replication.throttled.replicas", ptr("*"), nil},
		{"leader.replication.throttled.replicas", ptr("0-1"), ErrInvalid},
		{"message.timestamp.type", ptr("createtime"), ErrInvalid},
		{"message.format.version", ptr("3.0"), ErrUnknown}, // removed in Kafka 4.0
		{"log.retention.ms", ptr("1"), ErrUnknown},
	}
	for _, tc := range tests {
		err := ValidateTopic(tc.name, tc.value)
		if (tc.kind == nil) != (err == nil) || (tc.kind != nil && !errors.Is(err, tc.kind)) {
			t.Errorf("%s=%v: err %v, want %v", tc.name, tc.value, err, tc.kind)
		}
	}
}

func TestValidateBrokerDynamic(t *testing.T) {
	tests := []struct {
		name       string
		value      *string
		perBroker  error // ValidateBrokerDynamic
		clusterDef error // ValidateBrokerDefault
	}{
		{"log.retention.ms", ptr("1000"), nil, nil},
		{"log.retention.ms", ptr("abc"), ErrInvalid, ErrInvalid},
		{"log.retention.hours", ptr("1"), ErrInvalid, ErrInvalid}, // read-only
		{"num.io.threads", ptr("4"), nil, nil},
		{"num.io.threads", ptr("0"), ErrInvalid, ErrInvalid},
		{"listeners", ptr("PLAINTEXT://:9092"), nil, ErrInvalid}, // per-broker
		{"node.id", ptr("2"), ErrInvalid, ErrInvalid},
		{"ssl.keystore.location", ptr("/k"), ErrInvalid, ErrInvalid}, // needs listener prefix
		{"listener.name.ssl.ssl.keystore.location", ptr("/k"), nil, ErrInvalid},
		{"listener.name.ext.max.connections", ptr("10"), nil, nil},
		{"listener.name.ext.max.connections", ptr("ten"), ErrInvalid, ErrInvalid},
		{"gofka.log.level", ptr("debug"), nil, nil},
		{"no.such.config", ptr("1"), ErrUnknown, ErrUnknown},
		{"retention.ms", ptr("1"), ErrUnknown, ErrUnknown}, // topic-only name
		{"message.max.bytes", nil, nil, nil},
	}
	for _, tc := range tests {
		for i, fn := range []func(string, *string) error{ValidateBrokerDynamic, ValidateBrokerDefault} {
			want := []error{tc.perBroker, tc.clusterDef}[i]
			err := fn(tc.name, tc.value)
			if (want == nil) != (err == nil) || (want != nil && !errors.Is(err, want)) {
				t.Errorf("%s (fn %d): err %v, want %v", tc.name, i, err, want)
			}
		}
	}
}
