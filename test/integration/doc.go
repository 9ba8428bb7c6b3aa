// Package integration drives real Gofka nodes (started in-process through
// pkg/gofkatest) with real Kafka clients: franz-go (kgo, kadm), IBM/sarama
// and segmentio/kafka-go.
package integration
