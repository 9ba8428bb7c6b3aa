package config

import (
	"slices"
	"testing"
)

func TestTypeCodesMatchKafka(t *testing.T) {
	want := map[Type]int8{Boolean: 1, String: 2, Int: 3, Short: 4, Long: 5, Double: 6, List: 7, Class: 8, Password: 9}
	for typ, code := range want {
		if int8(typ) != code {
			t.Errorf("%s = %d, want %d", typ, int8(typ), code)
		}
	}
}

func TestDefaultsPassTheirValidators(t *testing.T) {
	for _, d := range append(TopicDefs(), BrokerDefs()...) {
		if d.Default == nil {
			continue
		}
		if err := d.Check(*d.Default); err != nil {
			t.Errorf("%s: default %q: %v", d.Name, *d.Default, err)
		}
	}
}

func TestTableInvariants(t *testing.T) {
	for _, d := range BrokerDefs() {
		if !slices.Contains([]string{ReadOnly, PerBroker, ClusterWide}, d.Dynamic) {
			t.Errorf("%s: dynamic mode %q", d.Name, d.Dynamic)
		}
		if d.Doc == "" {
			t.Errorf("%s: no doc", d.Name)
		}
	}
	for _, d := range TopicDefs() {
		for _, s := range d.Synonyms {
			if _, ok := lookupBroker(s); !ok {
				t.Errorf("%s: synonym %s is not a broker config", d.Name, s)
			}
		}
		if d.Doc == "" {
			t.Errorf("%s: no doc", d.Name)
		}
	}
	if !slices.IsSortedFunc(BrokerDefs(), func(a, b *Def) int { return compareNames(a, b) }) ||
		!slices.IsSortedFunc(TopicDefs(), func(a, b *Def) int { return compareNames(a, b) }) {
		t.Error("defs are not sorted by name")
	}
}

func compareNames(a, b *Def) int {
	switch {
	case a.Name < b.Name:
		return -1
	case a.Name > b.Name:
		return 1
	}
	return 0
}

func TestStructTagsNameDefs(t *testing.T) {
	for _, name := range taggedNames(Broker{}) {
		if _, ok := lookupBroker(name); !ok {
			t.Errorf("Broker field tag %s is not a broker config", name)
		}
	}
	tags := taggedNames(Topic{})
	for _, name := range tags {
		if _, ok := lookupTopic(name); !ok {
			t.Errorf("Topic field tag %s is not a topic config", name)
		}
	}
	for _, d := range TopicDefs() {
		if !slices.Contains(tags, d.Name) {
			t.Errorf("topic config %s has no Topic field", d.Name)
		}
	}
}

func TestKafka4TopicConfigsPresent(t *testing.T) {
	// The topic configs of Apache Kafka 4.0 (TopicConfig + throttled replicas).
	want := []string{"cleanup.policy", "compression.gzip.level", "compression.lz4.level", "compression.type",
		"compression.zstd.level", "delete.retention.ms", "file.delete.delay.ms", "flush.messages", "flush.ms",
		"follower.replication.throttled.replicas", "index.interval.bytes", "leader.replication.throttled.replicas",
		"local.retention.bytes", "local.retention.ms", "max.compaction.lag.ms", "max.message.bytes",
		"message.timestamp.after.max.ms", "message.timestamp.before.max.ms", "message.timestamp.type",
		"min.cleanable.dirty.ratio", "min.compaction.lag.ms", "min.insync.replicas", "preallocate",
		"remote.log.copy.disable", "remote.log.delete.on.disable", "remote.storage.enable", "retention.bytes",
		"retention.ms", "segment.bytes", "segment.index.bytes", "segment.jitter.ms", "segment.ms",
		"unclean.leader.election.enable"}
	var got []string
	for _, d := range TopicDefs() {
		got = append(got, d.Name)
	}
	if !slices.Equal(got, want) {
		t.Errorf("topic configs:\n got %v\nwant %v", got, want)
	}
}

func TestRequiredBrokerConfigsPresent(t *testing.T) {
	for _, name := range []string{"node.id", "process.roles", "listeners", "advertised.listeners",
		"listener.security.protocol.map", "controller.listener.names", "controller.quorum.voters",
		"controller.quorum.bootstrap.servers", "inter.broker.listener.name", "log.dir", "log.dirs",
		"metadata.log.dir", "num.partitions", "default.replication.factor", "auto.create.topics.enable",
		"delete.topic.enable", "socket.request.max.bytes", "socket.send.buffer.bytes",
		"socket.receive.buffer.bytes", "message.max.bytes", "num.network.threads", "num.io.threads",
		"log.segment.bytes", "log.roll.ms", "log.roll.hours", "log.roll.jitter.ms", "log.retention.ms",
		"log.retention.minutes", "log.retention.hours", "log.retention.bytes", "log.retention.check.interval.ms",
		"log.cleanup.policy", "log.index.size.max.bytes", "log.index.interval.bytes", "log.flush.interval.messages",
		"log.flush.interval.ms", "log.flush.scheduler.interval.ms", "log.flush.offset.checkpoint.interval.ms",
		"log.flush.start.offset.checkpoint.interval.ms", "log.message.timestamp.type",
		"log.message.timestamp.before.max.ms", "log.message.timestamp.after.max.ms", "log.preallocate",
		"log.cleaner.enable", "log.cleaner.threads", "log.cleaner.dedupe.buffer.size",
		"log.cleaner.io.max.bytes.per.second", "log.cleaner.backoff.ms", "log.cleaner.min.cleanable.ratio",
		"log.cleaner.delete.retention.ms", "log.cleaner.min.compaction.lag.ms", "compression.type",
		"min.insync.replicas", "unclean.leader.election.enable", "offsets.topic.num.partitions",
		"offsets.topic.replication.factor", "offsets.retention.minutes", "offsets.commit.timeout.ms",
		"offsets.topic.segment.bytes", "offsets.load.buffer.size", "group.initial.rebalance.delay.ms",
		"group.min.session.timeout.ms", "group.max.session.timeout.ms", "group.max.size",
		"group.consumer.session.timeout.ms", "group.consumer.heartbeat.interval.ms", "group.consumer.max.size",
		"group.consumer.assignors", "group.coordinator.rebalance.protocols", "transaction.state.log.num.partitions",
		"transaction.state.log.replication.factor", "transaction.state.log.min.isr", "transaction.state.log.segment.bytes",
		"transaction.max.timeout.ms", "transaction.abort.timed.out.transaction.cleanup.interval.ms",
		"transaction.remove.expired.transaction.cleanup.interval.ms", "transactional.id.expiration.ms",
		"producer.id.expiration.ms", "replica.lag.time.max.ms", "replica.fetch.max.bytes", "queued.max.requests",
		"connections.max.idle.ms", "request.timeout.ms", "broker.rack", "metadata.max.retention.bytes",
		"metadata.max.retention.ms", "metadata.max.idle.interval.ms", "gofka.metrics.listen", "gofka.log.format",
		"gofka.log.level", "gofka.pprof.enable"} {
		if _, ok := lookupBroker(name); !ok {
			t.Errorf("missing broker config %s", name)
		}
	}
}

func TestKafkaDefaultsAndModes(t *testing.T) {
	tests := []struct{ name, def, mode string }{
		{"log.segment.bytes", "1073741824", ClusterWide},
		{"log.retention.hours", "168", ReadOnly},
		{"log.retention.ms", "", ClusterWide},
		{"message.max.bytes", "1048588", ClusterWide},
		{"num.network.threads", "3", ClusterWide},
		{"listeners", "PLAINTEXT://localhost:9092", PerBroker},
		{"offsets.topic.replication.factor", "3", ReadOnly},
		{"num.recovery.threads.per.data.dir", "2", ClusterWide},
		{"log.message.timestamp.after.max.ms", "3600000", ClusterWide},
		{"group.coordinator.rebalance.protocols", "classic,consumer", ReadOnly},
	}
	for _, tc := range tests {
		d, _ := Lookup(tc.name)
		def := ""
		if d.Default != nil {
			def = *d.Default
		}
		if def != tc.def || d.Dynamic != tc.mode {
			t.Errorf("%s: default %q mode %s, want %q %s", tc.name, def, d.Dynamic, tc.def, tc.mode)
		}
	}
	if d, _ := Lookup("ssl.keystore.password"); !d.Sensitive || d.Type != Password {
		t.Error("ssl.keystore.password must be a sensitive password")
	}
}
