package config

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestLoadBrokerDefaults(t *testing.T) {
	b, err := LoadBroker(nil)
	if err != nil {
		t.Fatal(err)
	}
	want := Listener{Name: "PLAINTEXT", Host: "localhost", Port: 9092, SecurityProtocol: "PLAINTEXT"}
	switch {
	case b.NodeID != 1:
		t.Errorf("NodeID = %d", b.NodeID)
	case !slices.Equal(b.ProcessRoles, []string{"broker", "controller"}):
		t.Errorf("ProcessRoles = %v", b.ProcessRoles)
	case !slices.Equal(b.Listeners, []Listener{want}) || !slices.Equal(b.AdvertisedListeners, []Listener{want}):
		t.Errorf("Listeners = %v, advertised %v", b.Listeners, b.AdvertisedListeners)
	case !slices.Equal(b.LogDirs, []string{"./gofka-data"}) || b.MetadataLogDir != "./gofka-data":
		t.Errorf("LogDirs = %v, MetadataLogDir = %q", b.LogDirs, b.MetadataLogDir)
	case b.NumPartitions != 1 || b.DefaultReplicationFactor != 1 || !b.AutoCreateTopics || !b.DeleteTopicEnable:
		t.Errorf("topic defaults: %d %d %v %v", b.NumPartitions, b.DefaultReplicationFactor, b.AutoCreateTopics, b.DeleteTopicEnable)
	case b.SocketRequestMaxBytes != 104857600 || b.MessageMaxBytes != 1048588:
		t.Errorf("sizes: %d %d", b.SocketRequestMaxBytes, b.MessageMaxBytes)
	case b.LogRetentionCheckIntervalMs != 300000 || b.LogFlushOffsetCheckpointIntervalMs != 60000 ||
		b.LogFlushStartOffsetCheckpointIntervalMs != 60000 || b.LogFlushSchedulerIntervalMs != 1<<63-1:
		t.Errorf("log intervals: %d %d %d %d", b.LogRetentionCheckIntervalMs, b.LogFlushOffsetCheckpointIntervalMs,
			b.LogFlushStartOffsetCheckpointIntervalMs, b.LogFlushSchedulerIntervalMs)
	case b.OffsetsTopicNumPartitions != 50 || b.OffsetsTopicReplicationFactor != 3 || b.GroupInitialRebalanceDelayMs != 3000:
		t.Errorf("group: %d %d %d", b.OffsetsTopicNumPartitions, b.OffsetsTopicReplicationFactor, b.GroupInitialRebalanceDelayMs)
	case b.LogCleanerIOMaxBytesPerSecond != 1.7976931348623157e308 || b.GofkaLogFormat != "text" || b.GofkaLogLevel != "info":
		t.Errorf("misc: %v %q %q", b.LogCleanerIOMaxBytesPerSecond, b.GofkaLogFormat, b.GofkaLogLevel)
	case b.InterBrokerListenerName != "PLAINTEXT" || b.GofkaMetricsListen != "" || b.GofkaPprofEnable:
		t.Errorf("misc2: %q %q %v", b.InterBrokerListenerName, b.GofkaMetricsListen, b.GofkaPprofEnable)
	}
}

func TestLoadBrokerExplicit(t *testing.T) {
	b, err := LoadBroker(map[string]string{
		"node.id":                                      "3",
		"process.roles":                                "broker",
		"listeners":                                    "INTERNAL://0.0.0.0:9092, EXTERNAL://[::1]:9093,CONTROLLER://:9094",
		"advertised.listeners":                         "INTERNAL://10.0.0.1:9092,EXTERNAL://ext.example.com:19093",
		"listener.security.protocol.map":               "INTERNAL:PLAINTEXT,EXTERNAL:SSL,CONTROLLER:PLAINTEXT",
		"controller.listener.names":                    "CONTROLLER",
		"inter.broker.listener.name":                   "INTERNAL",
		"controller.quorum.voters":                     "1@c1:9094,2@c2:9094",
		"log.dirs":                                     "/d1, /d2",
		"num.partitions":                               " 6 ",
		"auto.create.topics.enable":                    "FALSE",
		"listener.name.external.ssl.keystore.location": "/k.pem",
	})
	if err != nil {
		t.Fatal(err)
	}
	if b.NodeID != 3 || b.NumPartitions != 6 || b.AutoCreateTopics || b.HasRole("controller") {
		t.Errorf("scalars: %d %d %v %v", b.NodeID, b.NumPartitions, b.AutoCreateTopics, b.ProcessRoles)
	}
	if got := b.Listeners[1]; got != (Listener{"EXTERNAL", "::1", 9093, "SSL"}) || got.String() != "EXTERNAL://[::1]:9093" {
		t.Errorf("listener[1] = %+v (%s)", got, got)
	}
	if len(b.AdvertisedListeners) != 2 || b.InterBrokerListenerName != "INTERNAL" || b.Listeners[2].Host != "" {
		t.Errorf("advertised %v inter %q", b.AdvertisedListeners, b.InterBrokerListenerName)
	}
	if !slices.Equal(b.LogDirs, []string{"/d1", "/d2"}) || b.MetadataLogDir != "/d1" {
		t.Errorf("dirs %v %q", b.LogDirs, b.MetadataLogDir)
	}
	if !slices.Equal(b.ControllerQuorumVoters, []string{"1@c1:9094", "2@c2:9094"}) {
		t.Errorf("voters %v", b.ControllerQuorumVoters)
	}
}

func TestLoadBrokerControllerListenerDefaultsToPlaintext(t *testing.T) {
	b, err := LoadBroker(map[string]string{
		"listeners":                 "PLAINTEXT://localhost:9092,CONTROLLER://localhost:9093",
		"controller.listener.names": "CONTROLLER",
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(b.AdvertisedListeners) != 1 || b.AdvertisedListeners[0].Name != "PLAINTEXT" || b.Listeners[1].SecurityProtocol != "PLAINTEXT" {
		t.Errorf("advertised %v listeners %v", b.AdvertisedListeners, b.Listeners)
	}
}

func TestLoadBrokerErrors(t *testing.T) {
	tests := []struct {
		name    string
		props   map[string]string
		kind    error
		message string
	}{
		{"unknown", map[string]string{"no.such.thing": "1"}, ErrUnknown, "config: no.such.thing: unknown broker config"},
		{"bad long", map[string]string{"log.retention.check.interval.ms": "abc"}, ErrInvalid, `config: log.retention.check.interval.ms: value "abc" is not a long`},
		{"bad int", map[string]string{"log.segment.bytes": "abc"}, ErrInvalid, `config: log.segment.bytes: value "abc" is not an int`},
		{"int overflow", map[string]string{"num.partitions": "2147483648"}, ErrInvalid, `config: num.partitions: value "2147483648" is not an int`},
		{"bad short", map[string]string{"offsets.topic.replication.factor": "40000"}, ErrInvalid, `config: offsets.topic.replication.factor: value "40000" is not a short`},
		{"bad bool", map[string]string{"delete.topic.enable": "yes"}, ErrInvalid, `config: delete.topic.enable: value "yes" is not a boolean (true or false)`},
		{"bad double", map[string]string{"log.cleaner.min.cleanable.ratio": "half"}, ErrInvalid, `config: log.cleaner.min.cleanable.ratio: value "half" is not a double`},
		{"bad enum", map[string]string{"compression.type": "brotli"}, ErrInvalid, `config: compression.type: value "brotli" must be one of [uncompressed, zstd, lz4, snappy, gzip, producer]`},
		{"bad list enum", map[string]string{"log.cleanup.policy": "delete,shrink"}, ErrInvalid, `config: log.cleanup.policy: value "shrink" must be one of [compact, delete]`},
		{"out of range", map[string]string{"num.partitions": "0"}, ErrInvalid, "config: num.partitions: value 0 must be at least 1"},
		{"segment below 1MiB", map[string]string{"log.segment.bytes": "1000"}, ErrInvalid, "config: log.segment.bytes: value 1000 must be at least 1048576"},
		{"ratio range", map[string]string{"log.cleaner.min.cleanable.ratio": "1.5"}, ErrInvalid, "config: log.cleaner.min.cleanable.ratio: value 1.5 must be between 0 and 1"},
		{"gofka level", map[string]string{"gofka.log.level": "trace"}, ErrInvalid, `config: gofka.log.level: value "trace" must be one of [debug, info, warn, error]`},
		{"listener syntax", map[string]string{"listeners": "localhost:9092"}, ErrInvalid, "config: listeners: unable to parse"},
		{"listener no protocol", map[string]string{"listeners": "CLIENT://:9092"}, ErrInvalid, "config: listeners: no security protocol defined for listener CLIENT"},
		{"advertise 0.0.0.0", map[string]string{"listeners": "PLAINTEXT://0.0.0.0:9092"}, ErrInvalid, "config: advertised.listeners: cannot use the nonroutable meta-address 0.0.0.0"},
		{"duplicate listener", map[string]string{"listeners": "PLAINTEXT://:1,plaintext://:2"}, ErrInvalid, "config: listeners: listener name"},
		{"voters", map[string]string{"controller.quorum.voters": "1@host"}, ErrInvalid, "config: controller.quorum.voters:"},
		{"controller listener missing", map[string]string{"controller.listener.names": "CONTROLLER"}, ErrInvalid, "config: controller.listener.names: listener CONTROLLER is not in listeners"},
		{"node id mismatch", map[string]string{"node.id": "2", "broker.id": "3"}, ErrInvalid, "config: broker.id: value 3 must equal node.id 2"},
		{"empty roles", map[string]string{"process.roles": ""}, ErrInvalid, "config: process.roles: value must not be empty"},
		{"group timeouts", map[string]string{"group.consumer.heartbeat.interval.ms": "50000"}, ErrInvalid, "config: group.consumer.heartbeat.interval.ms: must be less than or equal to"},
		{"listener override type", map[string]string{"listener.name.x.max.connections": "many"}, ErrInvalid, `config: listener.name.x.max.connections: value "many" is not an int`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadBroker(tc.props)
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, tc.kind) || !strings.HasPrefix(err.Error(), tc.message) {
				t.Errorf("error %q (is %v), want prefix %q wrapping %v", err, errors.Is(err, tc.kind), tc.message, tc.kind)
			}
		})
	}
}

func TestBrokerIDSynonym(t *testing.T) {
	b, err := LoadBroker(map[string]string{"broker.id": "7"})
	if err != nil || b.NodeID != 7 {
		t.Fatalf("NodeID %v, err %v", b, err)
	}
}

func TestEffectiveBroker(t *testing.T) {
	b, err := EffectiveBroker(Layers{
		PerBroker:      map[string]string{"num.io.threads": "4"},
		ClusterDefault: map[string]string{"num.io.threads": "6", "message.max.bytes": "2000000"},
		Static:         staticBroker(t, map[string]string{"num.io.threads": "5", "node.id": "9"}),
	})
	if err != nil {
		t.Fatal(err)
	}
	if b.NumIOThreads != 4 || b.MessageMaxBytes != 2000000 || b.NodeID != 9 {
		t.Errorf("got %d %d %d", b.NumIOThreads, b.MessageMaxBytes, b.NodeID)
	}
}
