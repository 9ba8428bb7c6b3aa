// Package raft is Gofka's metadata quorum: etcd-io/raft's RawNode with
// storage and transport of Gofka's own.
//
// The log is the Kafka-format partition __cluster_metadata-0 kept by
// internal/storage: each raft entry is one RecordBatch whose partition
// leader epoch is the entry's term. A proposal's batch holds KRaft metadata
// records; the empty entry a new leader appends is a control batch with a
// LeaderChangeMessage; a configuration change is a control batch with a
// VotersRecord (KIP-853) listing the voters after the change, the etcd
// ConfChangeV2 itself carried in a tagged field. Raft indexes count
// entries and Kafka offsets count records, so the log keeps the Kafka end
// offset of every entry in memory and rebuilds it by scanning at open.
//
// Snapshots are Kafka .checkpoint files named <end offset>-<epoch>
// (KIP-630): a SnapshotHeaderRecord (its tagged field 0 holds the raft
// index and the Kafka end offset), a VotersRecord, the metadata records
// that rebuild the image, and a SnapshotFooterRecord. The learners (the
// voters RemoveRaftVoter removed, which the leader goes on replicating to
// as Kafka's removed voters go on fetching as observers, until one stops
// answering: observers.go) are JSON in the snapshot VotersRecord's tagged
// field 0. The file
// 00000000000000000000-0000000001.checkpoint (index 1, term 1: etcd raft
// cannot snapshot at index 0) bootstraps a new quorum with
// its first voters. HardState lives in quorum-state, Kafka's JSON file.
//
// core is the deterministic part: it is fed ticks and messages and hands
// out what to send, with its storage on a directory and no goroutines of
// its own, so tests drive several cores through an in-memory network.
// Node runs a core on one goroutine with a ticker and a Transport.
//
// The package knows metadata records only as bytes it frames and hands to
// its StateMachine; it never builds images itself.
package raft
