// Package txn owns the transaction coordinator: the transactional id to
// producer id mapping, each transaction's state machine (Empty, Ongoing,
// PrepareCommit, PrepareAbort, CompleteCommit, CompleteAbort, Dead,
// PrepareEpochFence, with Kafka's state ids), the partitions each
// transaction touched, timeouts, and the __transaction_state log in Kafka's
// record format (TransactionLogKey v0, TransactionLogValue v0/v1).
//
// The Coordinator owns no goroutine. Every transition is validated and
// appended to the transaction log under the lock (Deps.AppendLog) as the
// id's pending write; with the lock released the caller waits until the
// ISR holds it (Deps.AwaitLog) and only then applies it in memory and
// answers, as Kafka's TransactionStateManager completes a transition once
// its acks=all append is done (pending.go): requests that would change an
// id with a pending write answer CONCURRENT_TRANSACTIONS, a failed wait
// reverts the change. Commit and abort append the Prepare state, wait for
// it, write the markers (Deps.WriteMarkers) and append and wait for the
// Complete state, all but the appends without the lock (finish.go), so a
// transaction whose markers wait for a slow partition delays no other
// transactional id. A Prepare state found when the log is loaded after a
// crash, or left by a failed marker write, is finished by Recover. The
// broker drives the periodic work (AbortTimedOut, Recover, ExpireIDs) from
// goroutines it owns.
//
// The Coordinator serves the transactional ids of the __transaction_state
// partitions this node leads (Config.Owner; NOT_COORDINATOR or
// COORDINATOR_LOAD_IN_PROGRESS for the others): LoadPartition replays a
// partition when the node becomes its leader and finishes the transactions
// left prepared, UnloadPartition forgets it when leadership moves away, and
// a failed log write answers NOT_COORDINATOR (ErrNotCoordinator).
//
// Transactions v2 (KIP-890 part 2) are served by request version: EndTxn
// v5+ bumps the epoch at every end, and Produce v12+ / TxnOffsetCommit v5+
// add partitions implicitly through VerifyPartition.
//
// Lock order: the Coordinator's mutex is taken before a transaction log
// partition's locks (its records are appended under it); the waits for
// the ISR and the markers run without it. Callers must never call into
// the Coordinator while holding a partition lock.
package txn
