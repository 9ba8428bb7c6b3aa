// Package share is the share-group coordinator of KIP-932: share groups
// (ShareGroupHeartbeat with the simple server-side assignor), share
// sessions, and the share partitions of this node, each a state machine
// (Partition) over its records: Available, Acquired under a time lock,
// Acknowledged or Archived, with delivery counts and archiving at the
// delivery count limit.
//
// The durable state of every share partition (its start offset and the
// states of the records in flight) is kept by StateStore in
// __share_group_state, in Kafka's ShareSnapshot and ShareUpdate record
// formats (codecs in sharerec), written and replayed through a Log the
// broker backs as it backs __consumer_offsets. A change is durable before
// the acknowledgement that caused it is answered. Acquisitions are not
// written: after a crash, records that were acquired are delivered again.
// Group membership is kept in memory; members rejoin after a restart.
//
// The package assumes the node that serves a share partition also hosts
// the __share_group_state partition of its key (one broker): the state is
// written in process, never forwarded to another node's share
// coordinator. The broker routes the share-group APIs by leadership as
// Kafka does (FindCoordinator, NOT_COORDINATOR on other brokers), but a
// share group works only where its partitions, its __consumer_offsets
// partition and its __share_group_state partitions have one leader.
//
// The package never touches sockets or files and starts no goroutines:
// the broker reads the logs (through a Read callback), and calls Tick for
// lock and session timeouts.
//
// Locks: Coordinator.mu guards groups, sessions and the partition map;
// each share partition has its own mutex, never held while taking
// Coordinator.mu; the StateStore's mutex is innermost.
package share
