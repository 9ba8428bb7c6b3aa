package group

import (
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
)

// Config are the coordinator's settings (Kafka's group.* and offsets.*
// broker properties).
type Config struct {
	// NumPartitions is offsets.topic.num.partitions.
	NumPartitions int32
	// MinSessionTimeout and MaxSessionTimeout bound classic session timeouts.
	MinSessionTimeout, MaxSessionTimeout time.Duration
	// InitialRebalanceDelay is group.initial.rebalance.delay.ms.
	InitialRebalanceDelay time.Duration
	// MaxSize is group.max.size (classic groups).
	MaxSize int
	// OffsetMetadataMaxBytes is offset.metadata.max.bytes.
	OffsetMetadataMaxBytes int
	// OffsetsRetention is offsets.retention.minutes.
	OffsetsRetention time.Duration
	// RetentionCheckInterval is offsets.retention.check.interval.ms.
	RetentionCheckInterval time.Duration
	// ConsumerSessionTimeout and ConsumerHeartbeatInterval are the KIP-848
	// group.consumer.session.timeout.ms and heartbeat.interval.ms.
	ConsumerSessionTimeout, ConsumerHeartbeatInterval time.Duration
	// ConsumerMaxSize is group.consumer.max.size.
	ConsumerMaxSize int
	// Assignors are group.consumer.assignors; the first is the default.
	Assignors []string
	// MigrationPolicy is group.consumer.migration.policy.
	MigrationPolicy string
	// Protocols are group.coordinator.rebalance.protocols.
	Protocols []string
	// MaxRecordBytes bounds one write (the __consumer_offsets topic's
	// max.message.bytes); a larger group record fails like Kafka's
	// RECORD_TOO_LARGE, answered as UNKNOWN_SERVER_ERROR.
	MaxRecordBytes int
	// OnWriteError, when set, hears about writes that failed.
	OnWriteError func(group string, err error)
	// Owner, when set, says whether this node serves a __consumer_offsets
	// partition: nil when it leads it and has loaded it, else
	// NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS. It is called with
	// the coordinator's lock held and must take no lock that is held
	// while calling the coordinator. Unset, every partition is served.
	Owner func(partition int32) *kerr.Error
}

// DefaultConfig is Kafka's defaults.
func DefaultConfig() Config {
	return Config{
		NumPartitions:             50,
		MinSessionTimeout:         6 * time.Second,
		MaxSessionTimeout:         30 * time.Minute,
		InitialRebalanceDelay:     3 * time.Second,
		MaxSize:                   1<<31 - 1,
		OffsetMetadataMaxBytes:    4096,
		OffsetsRetention:          7 * 24 * time.Hour,
		RetentionCheckInterval:    10 * time.Minute,
		ConsumerSessionTimeout:    45 * time.Second,
		ConsumerHeartbeatInterval: 5 * time.Second,
		ConsumerMaxSize:           1<<31 - 1,
		Assignors:                 []string{"uniform", "range"},
		MigrationPolicy:           "bidirectional",
		Protocols:                 []string{"classic", "consumer"},
		MaxRecordBytes:            1048588,
	}
}

func (c Config) protocolEnabled(p string) bool {
	for _, x := range c.Protocols {
		if x == p {
			return true
		}
	}
	return false
}
