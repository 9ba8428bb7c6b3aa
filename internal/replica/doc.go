// Package replica replicates partitions between brokers as Kafka's
// ReplicaManager and Partition do.
//
// A Manager holds this node's replicas. The broker applies every metadata
// image to it: a replica whose partition names this node as leader leads,
// any other replica follows.
//
// The leader:
//   - tracks each follower's log end offset from the offsets its fetches ask for;
//   - moves the high watermark to the smallest log end offset in the ISR,
//     counting the replicas an in-flight ISR expansion adds (Kafka's maximal ISR);
//   - completes acks=all waits once the high watermark passes them;
//   - asks the controller to expand or shrink the ISR with AlterPartition
//     (KIP-497), one request at a time per partition.
//
// A follower joins a fetcher of its leader (num.replica.fetchers of them per
// source broker). The fetcher first truncates the log by OffsetForLeaderEpoch
// (KIP-101, KIP-279), then fetches with the last fetched epoch so that a
// diverging log is truncated again from the fetch response (KIP-320). It
// appends what it gets with the leader's offsets and epochs.
//
// Lock order: Manager.mu before Partition.mu before fetcher.mu; none is
// held across a network call. Manager.goMu and a Throttle's lock are
// leaves.
package replica
