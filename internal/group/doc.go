// Package group is the group coordinator: classic consumer groups (JoinGroup,
// SyncGroup, Heartbeat, LeaveGroup, with eager and cooperative client-side
// protocols and static membership), KIP-848 consumer groups
// (ConsumerGroupHeartbeat with server-side assignors), committed offsets and
// the group admin APIs. State lives in __consumer_offsets, in Kafka's own
// record formats, and is rebuilt by replaying a partition when this node
// becomes its leader (LoadPartition); the coordinator serves only the
// groups of partitions it leads and has loaded (Config.Owner answers
// NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS for the others), and
// UnloadPartition drops a partition's groups when leadership moves away.
//
// The package owns the state machines only. It never touches sockets, files
// or goroutines of its own: requests arrive as kmsg messages with a Clock,
// persistence goes through Store (the broker appends to and replays the
// __consumer_offsets partitions), and timeouts are Clock timers, so tests
// drive everything with a fake clock and an in-memory log.
//
// KIP-848 consumer groups are written as Kafka's ConsumerGroup* records
// (codecs in grouprec, generated from Kafka's schemas) and rebuilt at
// start-up, so members carry on after a restart. Classic members may be
// part of a consumer group (group.consumer.migration.policy): a live
// classic group is upgraded when a KIP-848 member joins and downgraded
// when only classic members remain after a member leaves.
//
// Transactional offset commits (TxnOffsetCommit) are written as
// transactional batches and held per producer until the transaction's
// marker on the group's partition commits or drops them, live (CompleteTxn,
// called by the broker for every marker) and on replay (txn_offsets.go).
//
// Concurrency: one mutex (Coordinator.mu) guards every group. Responses to
// parked requests (JoinGroup, SyncGroup) are delivered through callbacks
// called after the mutex is released.
//
// Writes wait for the ISR outside the mutex (pending.go), as Kafka's
// CoordinatorRuntime: an operation appends its records under the mutex
// (Store.Write: log order is state order) and changes the in-memory state
// at once; with the mutex released it waits (Store.Await) until the ISR
// holds everything appended to the partitions it touched, its own records
// and those of earlier operations, and only then answers. So no answer,
// read or write, shows state the log may still lose (an OffsetFetch right
// after a commit waits for that commit; a SyncGroup answer waits for the
// group's record), while a slow follower delays only the groups of the
// partitions it delays. The unit is the partition, as Kafka's deferred
// event queue: a read of one group waits for pending writes of other
// groups of its partition. A failed wait has the broker unload the
// partition and reload it from the log (dropping the changes made at
// append time, as Kafka reverts its timeline state); the waiting
// operations answer NOT_COORDINATOR for that partition's groups.
// Unloading never waits for a pending wait. TopicsDeleted (called on the
// metadata publish path) and CompleteTxn (called under the transaction
// coordinator's lock) never wait.
package group
