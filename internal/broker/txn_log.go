package broker

// The coordinator's view of the node (txn.Deps): appends to
// __transaction_state, producer ids, markers and partition lookups.

import (
	"errors"
	"fmt"

	"github.com/gofka/gofka/internal/record"
	"github.com/gofka/gofka/internal/storage"
	"github.com/gofka/gofka/internal/txn"
	"github.com/twmb/franz-go/pkg/kerr"
)

// txnDeps implements txn.Deps.
type txnDeps struct{ n *Node }

// AppendLog writes one record to a transaction log partition and returns
// the log end offset after it, without waiting for the ISR (AwaitLog).
func (d txnDeps) AppendLog(partition int32, key, value []byte) (int64, error) {
	if err := d.n.ensureTxnTopic(); err != nil {
		return -1, err
	}
	p := d.n.parts.get(txn.Topic, partition)
	if p == nil {
		return -1, d.lost(partition, fmt.Errorf("%w: %s-%d", errNoPartition, txn.Topic, partition))
	}
	now := d.n.now()
	b := record.NewBuilder(record.CodecNone, 0, now.UnixMilli())
	b.Add(record.Record{Timestamp: now.UnixMilli(), Key: key, Value: value})
	batch, err := b.Build(nil)
	if err != nil {
		return -1, err
	}
	res, err := d.n.appendLeader(p, batch, now)
	if err != nil {
		return -1, d.lost(partition, err)
	}
	return res.LastOffset + 1, nil
}

// AwaitLog waits until the ISR holds a transaction log partition up to
// end, or its log end offset for end < 0 (at most request.timeout.ms, as
// Kafka's transaction log appends with acks=all), without any lock: the
// coordinator answers only once its record is replicated. A lost
// leadership or a timeout reloads the partition (NOT_COORDINATOR); an ISR
// below min.insync.replicas (transaction.state.log.min.isr) leaves it
// loaded (COORDINATOR_NOT_AVAILABLE: the write is reverted, a prepared
// transaction stays prepared and Recover tries again).
func (d txnDeps) AwaitLog(partition int32, end int64) error {
	p := d.n.parts.get(txn.Topic, partition)
	if p == nil {
		return d.lost(partition, fmt.Errorf("%w: %s-%d", errNoPartition, txn.Topic, partition))
	}
	if end < 0 {
		end = p.log.LogEndOffset()
	}
	code := d.n.awaitReplicated(p, end, ms(int64(d.n.cfg.RequestTimeoutMs)))
	switch code {
	case nil:
		return nil
	case kerr.NotEnoughReplicasAfterAppend:
		return fmt.Errorf("broker: %s: %v", p.tp.String(), code)
	}
	return d.lost(partition, fmt.Errorf("%w: %s: %v", errNotLeader, p.tp.String(), code))
}

// lost takes a failed append as a lost leadership of the partition
// (coordinator_leadership.go): the coordinator answers NOT_COORDINATOR.
func (d txnDeps) lost(partition int32, err error) error {
	d.n.coordWriteFailed(txn.Topic, partition)
	return fmt.Errorf("%w: %w", txn.ErrNotCoordinator, err)
}

// NewProducerID hands out a producer id from the node's block.
func (d txnDeps) NewProducerID() (int64, error) { return d.n.txns.pids.newProducerID() }

// WriteMarkers appends the markers of one transaction: in place on the
// partitions this node leads, with WriteTxnMarkers to the leaders of the
// others (txn_remote.go). The coordinator epoch is the leader epoch of the
// transaction log partition, as in Kafka: a partition refuses markers of
// an older coordinator epoch than it has seen for the producer.
func (d txnDeps) WriteMarkers(txnPartition int32, pid int64, epoch int16, commit bool, parts []txn.TopicPartition) error {
	var errs []error
	img := d.n.meta.Current()
	coordEpoch := int32(0)
	if pi := img.Partition(txn.Topic, txnPartition); pi != nil {
		coordEpoch = pi.LeaderEpoch
	}
	remote := map[int32][]txn.TopicPartition{}
	for _, tp := range parts {
		pi := img.Partition(tp.Topic, tp.Partition)
		if pi == nil {
			continue // deleted since it was added: nothing to mark
		}
		if pi.Leader != d.n.nodeID {
			remote[pi.Leader] = append(remote[pi.Leader], tp)
			continue
		}
		p := d.n.parts.get(tp.Topic, tp.Partition)
		if p == nil {
			errs = append(errs, fmt.Errorf("broker: marker for %s-%d: %w", tp.Topic, tp.Partition, errNoPartition))
			continue
		}
		if err := d.n.writeMarker(p, pid, epoch, commit, coordEpoch); err != nil {
			errs = append(errs, fmt.Errorf("broker: marker for %s: %w", p.tp.String(), err))
			continue
		}
		d.n.onMarkerWritten(tp, pid, commit)
	}
	for leader, tps := range remote {
		if err := d.n.sendMarkers(leader, pid, epoch, commit, coordEpoch, tps); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// PartitionExists reports whether the partition is in the metadata.
func (d txnDeps) PartitionExists(tp txn.TopicPartition) bool {
	return d.n.meta.Current().Partition(tp.Topic, tp.Partition) != nil
}

// onMarkerWritten tells the group coordinator about markers on
// __consumer_offsets, where transactional offset commits wait for them.
// It is called after the marker's append, with no lock held (the
// transaction coordinator writes markers without its lock).
func (n *Node) onMarkerWritten(tp txn.TopicPartition, pid int64, commit bool) {
	if tp.Topic == offsetsTopic && n.groups.coord != nil {
		n.groups.coord.CompleteTxn(tp.Partition, pid, commit)
	}
}

// readBatches calls fn for every batch in [from, to) of a log.
func readBatches(log *storage.Log, from, to int64, fn func(b []byte, h *record.Header) error) error {
	var buf []byte
	for off := from; off < to; {
		sl, err := log.Read(off, 1<<20, to, true)
		if err != nil {
			return fmt.Errorf("broker: read %s: %w", log.TopicPartition().String(), err)
		}
		if sl.Size == 0 {
			return nil
		}
		buf = append(buf[:0], make([]byte, sl.Size)...)
		if _, err := sl.File.ReadAt(buf, sl.Pos); err != nil {
			return fmt.Errorf("broker: read %s: %w", log.TopicPartition().String(), err)
		}
		err = record.Split(buf, func(b []byte) error {
			h, err := record.ParseHeader(b)
			if err != nil {
				return err
			}
			off = h.LastOffset() + 1
			return fn(b, &h)
		})
		if err != nil {
			return fmt.Errorf("broker: read %s: %w", log.TopicPartition().String(), err)
		}
	}
	return nil
}
