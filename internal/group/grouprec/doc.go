// Package grouprec holds the KIP-848 consumer group records of
// __consumer_offsets (ConsumerGroupMetadata, PartitionMetadata,
// MemberMetadata, TargetAssignmentMetadata, TargetAssignmentMember and
// CurrentMemberAssignment keys and values), generated from Kafka's
// group-coordinator schemas by internal/metadata/gen. A key's version is
// its record type (3 to 8); values are encoded at version 0.
//
// The package only encodes and decodes: it never does I/O.
package grouprec

//go:generate go run ../../metadata/gen -schemas ../../../../shared/kafka-schemas/group-coordinator -package grouprec -include ConsumerGroup -out records_gen.go
