package config

import (
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Topic is a resolved topic config (typed), used by storage and the broker.
type Topic struct {
	CleanupPolicy               []string `config:"cleanup.policy"`
	CompressionType             string   `config:"compression.type"`
	CompressionGzipLevel        int32    `config:"compression.gzip.level"`
	CompressionLz4Level         int32    `config:"compression.lz4.level"`
	CompressionZstdLevel        int32    `config:"compression.zstd.level"`
	MaxMessageBytes             int32    `config:"max.message.bytes"`
	MessageTimestampType        string   `config:"message.timestamp.type"`
	SegmentBytes                int64    `config:"segment.bytes"`
	SegmentMs                   int64    `config:"segment.ms"`
	SegmentJitterMs             int64    `config:"segment.jitter.ms"`
	SegmentIndexBytes           int32    `config:"segment.index.bytes"`
	IndexIntervalBytes          int32    `config:"index.interval.bytes"`
	RetentionMs                 int64    `config:"retention.ms"`
	RetentionBytes              int64    `config:"retention.bytes"`
	FlushMessages               int64    `config:"flush.messages"`
	FlushMs                     int64    `config:"flush.ms"`
	FileDeleteDelayMs           int64    `config:"file.delete.delay.ms"`
	MinInSyncReplicas           int32    `config:"min.insync.replicas"`
	MinCompactionLagMs          int64    `config:"min.compaction.lag.ms"`
	MaxCompactionLagMs          int64    `config:"max.compaction.lag.ms"`
	DeleteRetentionMs           int64    `config:"delete.retention.ms"`
	MinCleanableDirtyRatio      float64  `config:"min.cleanable.dirty.ratio"`
	Preallocate                 bool     `config:"preallocate"`
	UncleanLeaderElectionEnable bool     `config:"unclean.leader.election.enable"`
	MessageTimestampBeforeMaxMs int64    `config:"message.timestamp.before.max.ms"`
	MessageTimestampAfterMaxMs  int64    `config:"message.timestamp.after.max.ms"`
	LocalRetentionMs            int64    `config:"local.retention.ms"`
	LocalRetentionBytes         int64    `config:"local.retention.bytes"`
	RemoteStorageEnable         bool     `config:"remote.storage.enable"`
	RemoteLogCopyDisable        bool     `config:"remote.log.copy.disable"`
	RemoteLogDeleteOnDisable    bool     `config:"remote.log.delete.on.disable"`
	LeaderThrottledReplicas     []string `config:"leader.replication.throttled.replicas"`
	FollowerThrottledReplicas   []string `config:"follower.replication.throttled.replicas"`
}

// Compact reports whether cleanup.policy includes "compact".
func (t Topic) Compact() bool { return slices.Contains(t.CleanupPolicy, "compact") }

// Delete reports whether cleanup.policy includes "delete".
func (t Topic) Delete() bool { return slices.Contains(t.CleanupPolicy, "delete") }

// Layers of config, lowest precedence last: topic overrides, per-broker
// dynamic, cluster-wide dynamic default (resource name ""), static broker
// config, Def default. Any layer may be nil.
type Layers struct {
	Topic          map[string]string
	PerBroker      map[string]string
	ClusterDefault map[string]string
	Static         *Broker
}

func (l Layers) static() map[string]string {
	if l.Static == nil {
		return nil
	}
	return l.Static.Raw
}

// brokerLayers are the broker-level layers in precedence order.
func (l Layers) brokerLayers() []layer {
	return []layer{
		{l.PerBroker, SourceDynamicBroker},
		{l.ClusterDefault, SourceDynamicDefault},
		{l.static(), SourceStatic},
	}
}

type layer struct {
	m      map[string]string
	source int8
}

// ResolveTopic resolves every topic config through the layers, following
// Kafka's KafkaConfigSchema: a topic override wins; otherwise the first
// broker synonym set in the per-broker layer, then the cluster default
// layer, then the static config (hours/minutes synonyms are converted to
// milliseconds); otherwise the Def default. Unknown or invalid topic
// overrides, and invalid inherited values, are errors.
func ResolveTopic(l Layers) (Topic, error) {
	for _, name := range slices.Sorted(maps.Keys(l.Topic)) {
		if err := ValidateTopic(name, ptr(l.Topic[name])); err != nil {
			return Topic{}, err
		}
	}
	vals := map[string]*string{}
	for _, d := range topicList {
		v, _ := resolveTopicValue(d, l)
		if v != nil {
			if err := d.check(*v); err != nil {
				return Topic{}, err
			}
		}
		vals[d.Name] = v
	}
	var t Topic
	fill(&t, func(name string) *string { return vals[name] })
	return t, nil
}

// resolveTopicValue returns the effective value of topic config d and the
// source it came from.
func resolveTopicValue(d *Def, l Layers) (*string, int8) {
	if v, ok := l.Topic[d.Name]; ok {
		return &v, SourceTopic
	}
	for _, ly := range l.brokerLayers() {
		for _, syn := range d.Synonyms {
			if v, ok := ly.m[syn]; ok {
				c := convertSynonym(syn, v)
				return &c, ly.source
			}
		}
	}
	return d.Default, SourceDefault
}

// convertSynonym converts a broker synonym value to the topic config's unit:
// *.hours and *.minutes become milliseconds; a negative time means
// unlimited (-1), as KafkaConfig.logRetentionTimeMillis does.
func convertSynonym(syn, v string) string {
	var unit int64
	switch {
	case strings.HasSuffix(syn, ".hours"):
		unit = 3600000
	case strings.HasSuffix(syn, ".minutes"):
		unit = 60000
	default:
		return v
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 32)
	if err != nil {
		return v // leave it to the type check to report
	}
	if n < 0 {
		return "-1"
	}
	return strconv.FormatInt(n*unit, 10)
}
