package broker

// Transactions: producer ids, per-partition producer state and the
// transaction coordinator (internal/txn) wired to the node. The
// coordinator's state lives in __transaction_state, created through the
// controller on first use (FindCoordinator with key type 1, or a
// transactional InitProducerId) and replayed at start-up; transactions left
// prepared by a crash are finished before clients connect. A goroutine owned
// by the node aborts timed-out transactions every
// transaction.abort.timed.out.transaction.cleanup.interval.ms.

import (
	"strconv"
	"sync"
	"time"

	"github.com/gofka/gofka/internal/controller"
	"github.com/gofka/gofka/internal/txn"
	"github.com/twmb/franz-go/pkg/kerr"
)

// txnState is the node's transactions state.
type txnState struct {
	pids     pidBlock
	coord    *txn.Coordinator
	createMu sync.Mutex // serializes creation of __transaction_state
}

// txnAPIs lists the transactions APIs served, at Kafka 4.0's floors
// (KIP-896) and the newest versions kmsg knows.
func txnAPIs() []api {
	return []api{
		{key: 22, min: 0, max: 5, handle: (*Node).handleInitProducerID},
		{key: 24, min: 0, max: 5, handle: (*Node).handleAddPartitionsToTxn},
		{key: 25, min: 0, max: 4, handle: (*Node).handleAddOffsetsToTxn},
		{key: 26, min: 0, max: 5, handle: (*Node).handleEndTxn},
		{key: 27, min: 1, max: 2, handle: (*Node).handleWriteTxnMarkers},
		{key: 28, min: 0, max: 6, handle: (*Node).handleTxnOffsetCommit},
		{key: 61, min: 0, max: 0, handle: (*Node).handleDescribeProducers},
		{key: 65, min: 0, max: 0, handle: (*Node).handleDescribeTransactions},
		{key: 66, min: 0, max: 2, handle: (*Node).handleListTransactions},
	}
}

// startTxns builds the coordinator and starts the timeout goroutine; the
// __transaction_state partitions this node leads are loaded (prepared
// transactions finished) by coordinator_leadership.go.
func (n *Node) startTxns() error {
	if err := n.controller().FinalizeFeature("transaction.version", controller.MaxTransactionVersion); err != nil {
		return err
	}
	n.txns.pids.allocBlock = func() (int64, int32, error) {
		return n.controller().AllocateProducerIDs(n.nodeID, n.epoch.Load())
	}
	parts := n.cfg.TransactionStateLogNumPartitions
	if t := n.meta.Current().Topic(txn.Topic); t != nil {
		parts = int32(len(t.Partitions))
	}
	n.txns.coord = txn.New(txn.Config{
		Partitions: parts, MaxTimeoutMs: n.cfg.TransactionMaxTimeoutMs, Now: n.nowFn, Logger: n.log,
		Owner: func(p int32) *kerr.Error { return n.coordOwner(txn.Topic, p) },
	}, txnDeps{n})
	interval := ms(int64(n.cfg.TransactionAbortTimedOutIntervalMs))
	n.goAsync(func(quit <-chan struct{}) { n.txnTimeouts(quit, interval) })
	expire := ms(int64(n.cfg.TransactionRemoveExpiredIntervalMs))
	n.goAsync(func(quit <-chan struct{}) { n.txnIDExpiry(quit, expire) })
	n.startProducerExpiry()
	return nil
}

func (n *Node) txnTimeouts(quit <-chan struct{}, interval time.Duration) {
	every(quit, interval, func() {
		n.txns.coord.AbortTimedOut()
		n.txns.coord.Recover()
	})
}

// txnIDExpiry removes transactional ids idle past
// transactional.id.expiration.ms every
// transaction.remove.expired.transaction.cleanup.interval.ms.
func (n *Node) txnIDExpiry(quit <-chan struct{}, interval time.Duration) {
	every(quit, interval, func() {
		if k := n.txns.coord.ExpireIDs(int64(n.cfg.TransactionalIDExpirationMs)); k > 0 {
			n.log.Info("expired transactional ids", "count", k)
		}
	})
}

// closeTxns snapshots every partition's producer state at its log end, so
// the next start reads the snapshot instead of the log.
func (n *Node) closeTxns() error {
	for _, p := range n.parts.all() {
		if p.prod == nil {
			continue
		}
		if err := p.prod.snapshot(p.log); err != nil {
			n.log.Warn("producer state snapshot failed", "partition", p.tp.String(), "err", err)
		}
	}
	return nil
}

func (n *Node) txnCoordinator() *txn.Coordinator { return n.txns.coord }

// ensureTxnTopic creates __transaction_state when it does not exist:
// compacted, transaction.state.log.num.partitions partitions,
// transaction.state.log.replication.factor replicas (internalTopicRF) and
// min.insync.replicas transaction.state.log.min.isr.
func (n *Node) ensureTxnTopic() *kerr.Error {
	if n.meta.Current().Topic(txn.Topic) != nil {
		return nil
	}
	n.txns.createMu.Lock()
	defer n.txns.createMu.Unlock()
	return n.createInternalTopic(txn.Topic, n.cfg.TransactionStateLogNumPartitions,
		"transaction.state.log.replication.factor", n.cfg.TransactionStateLogReplicationFactor, map[string]string{
			"cleanup.policy":      "compact",
			"compression.type":    "uncompressed",
			"min.insync.replicas": strconv.Itoa(int(n.cfg.TransactionStateLogMinISR)),
			"segment.bytes":       strconv.Itoa(int(n.cfg.TransactionStateLogSegmentBytes)),
		})
}
