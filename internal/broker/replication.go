package broker

// The broker's side of replication (internal/replica): each hosted
// partition is a replica.Host, the manager reaches other brokers on their
// inter-broker listener and the controller through the controller channel,
// and appends a leader makes wait for the ISR when they must be durable.

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/gofka/gofka/internal/record"
	"github.com/gofka/gofka/internal/replica"
	"github.com/gofka/gofka/internal/storage"
	"github.com/gofka/gofka/internal/wire"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// newReplicaManager builds the manager from the replica.* configs.
func (n *Node) newReplicaManager() *replica.Manager {
	c := n.cfg
	n.startReplThrottle()
	return replica.NewManager(replica.Config{
		NodeID:                n.nodeID,
		BrokerEpoch:           n.epoch.Load,
		LagTime:               ms(c.ReplicaLagTimeMaxMs),
		FetchWait:             ms(int64(c.ReplicaFetchWaitMaxMs)),
		FetchMinBytes:         c.ReplicaFetchMinBytes,
		FetchMaxBytes:         c.ReplicaFetchMaxBytes,
		FetchResponseMaxBytes: c.ReplicaFetchResponseMaxBytes,
		FetchBackoff:          ms(int64(c.ReplicaFetchBackoffMs)),
		NumFetchers:           int(c.NumReplicaFetchers),
		Throttle:              n.throttle.follower,
		Logger:                n.log,
		Now:                   n.nowFn,
	}, replicaTransport{n})
}

// replicaTransport reaches brokers and the controller for the manager.
type replicaTransport struct{ n *Node }

// Dial connects to a broker's inter-broker listener under the client id
// that names this node's link ("gofka-broker-<id>"; see internal/faultnet),
// secured as that listener asks (internode.go).
func (t replicaTransport) Dial(id int32) (replica.Client, error) {
	addr, err := t.n.brokerAddr(id)
	if err != nil {
		return nil, err
	}
	cl := wire.NewSecureClient(addr, fmt.Sprintf("gofka-broker-%d", t.n.nodeID), t.n.brokerSec)
	return cl.WithRecvBuffer(int(t.n.cfg.ReplicaSocketReceiveBufferBytes)), nil
}

func (t replicaTransport) AlterPartition(ctx context.Context, req *kmsg.AlterPartitionRequest) (*kmsg.AlterPartitionResponse, error) {
	resp, err := t.n.toController(ctx, req)
	if err != nil {
		return nil, err
	}
	return resp.(*kmsg.AlterPartitionResponse), nil
}

// brokerAddr is a registered broker's inter-broker listener address.
func (n *Node) brokerAddr(id int32) (string, error) {
	b := n.meta.Current().Brokers[id]
	if b == nil || len(b.Endpoints) == 0 {
		return "", fmt.Errorf("broker: broker %d is not registered", id)
	}
	ep := b.Endpoints[0]
	for _, e := range b.Endpoints {
		if e.Name == n.cfg.InterBrokerListenerName {
			ep = e
		}
	}
	return net.JoinHostPort(ep.Host, strconv.Itoa(int(ep.Port))), nil
}

// leaderAppended moves the high watermark after an append as leader and
// wakes parked fetches: consumers for the new high watermark, followers
// for the new records. Never call it holding the producer-state lock.
func (p *partition) leaderAppended() {
	p.rep.LeaderAppended()
	p.wake()
}

// leaderAppendedInline is leaderAppended for a caller that holds no lock
// at all (Produce): parked fetches are answered on its goroutine.
func (p *partition) leaderAppendedInline() {
	p.rep.LeaderAppended()
	p.wakeInline()
}

// Log is the replica's log (replica.Host).
func (p *partition) Log() *storage.Log { return p.log }

// Wake signals parked fetches (replica.Host).
func (p *partition) Wake() { p.wake() }

// AppendReplicated appends batches copied from the leader and applies
// them to the producer state and the aborted-transaction index
// (replica.Host).
func (p *partition) AppendReplicated(b []byte) error {
	pl := p.prod
	pl.mu.Lock()
	defer pl.mu.Unlock()
	res, err := p.log.AppendReplicated(b)
	if err != nil {
		return err
	}
	pl.afterRoll(p.log, res.FirstOffset)
	err = record.Split(b, func(batch []byte) error {
		h, err := record.ParseHeader(batch)
		if err != nil {
			return err
		}
		return pl.applyBatch(p.log, batch, &h)
	})
	pl.publish()
	return err
}

// Truncate removes the log from offset on and rebuilds the producer state
// from the newest snapshot below it (replica.Host).
func (p *partition) Truncate(offset int64) error {
	pl := p.prod
	pl.mu.Lock()
	defer pl.mu.Unlock()
	end := p.log.LogEndOffset()
	if err := p.log.TruncateTo(offset); err != nil {
		return err
	}
	if p.log.LogEndOffset() == end {
		return nil // no record went (only leader epochs past the end)
	}
	return pl.reload(p.log)
}

// Restart empties the log at offset (replica.Host).
func (p *partition) Restart(offset int64) error {
	pl := p.prod
	pl.mu.Lock()
	defer pl.mu.Unlock()
	if err := p.log.TruncateFullyAndStartAt(offset); err != nil {
		return err
	}
	return pl.reload(p.log)
}

// awaitReplicated waits until the ISR has every record below offset
// (acks=all), for at most timeout.
func (n *Node) awaitReplicated(p *partition, offset int64, timeout time.Duration) *kerr.Error {
	w := p.rep.Await(offset, int(p.config().MinInSyncReplicas))
	select {
	case err := <-w.C:
		return replicationError(err)
	default:
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case err := <-w.C:
		return replicationError(err)
	case <-t.C:
		w.Cancel()
		return kerr.RequestTimedOut
	case <-n.stopping:
		w.Cancel()
		return kerr.NotLeaderForPartition
	}
}

func replicationError(err error) *kerr.Error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, replica.ErrNotEnoughReplicasAfterAppend):
		return kerr.NotEnoughReplicasAfterAppend
	}
	return kerr.NotLeaderForPartition
}

// checkRole checks that this replica may answer a fetch: a follower's
// fetch needs the leader, a consumer's too before v11 (from v11 a
// consumer may read a follower up to its high watermark, KIP-392); and
// the fetcher's leader epoch must match.
func (op *fetchOp) checkRole(p *partition, sp *sessionPartition) *kerr.Error {
	if (op.replica >= 0 || op.version < 11) && !p.rep.IsLeader() {
		return kerr.NotLeaderForPartition
	}
	return checkLeaderEpoch(sp.leaderEpoch, p.rep.LeaderEpoch())
}

// diverges answers a follower whose last fetched epoch ends before its
// fetch offset on the leader with the epoch and end offset to truncate to
// (KIP-320), as Kafka's Partition.fetchRecords does.
func (op *fetchOp) diverges(p *partition, sp *sessionPartition, fp *fetchPartition) bool {
	if sp.lastEpoch < 0 || op.version < 12 {
		return false
	}
	epoch, end := p.log.EndOffsetForEpoch(sp.lastEpoch)
	if epoch == sp.lastEpoch && end >= sp.offset {
		return false
	}
	fp.diverging, fp.divEpoch, fp.divEnd = true, epoch, end
	fp.hw, fp.lso0 = p.log.HighWatermark(), p.log.LogStartOffset()
	fp.lso = fp.hw
	return true
}

// followerFetched records a follower's fetch offset with the leader, which
// may move the ISR and the high watermark, and returns how far the fetch
// may read: the log end for a follower.
func (n *Node) followerFetched(op *fetchOp, p *partition, sp *sessionPartition) (int64, *kerr.Error) {
	if op.replica < 0 {
		return -1, nil
	}
	moved, err := p.rep.FollowerFetched(op.replica, op.repEpoch, sp.offset, n.now())
	if err != nil {
		n.log.Debug("follower fetch refused", "partition", p.tp.String(), "replica", op.replica, "err", err)
		return -1, kerr.NotLeaderForPartition
	}
	p.rep.SetFollowerLogStart(op.replica, sp.logStart)
	if moved {
		p.wake()
	}
	return p.log.LogEndOffset(), nil
}

// replicatedNow settles the acks=all jobs whose records the ISR already
// has (every job, with an ISR of one) and reports whether none is left to
// wait for.
func (n *Node) replicatedNow(jobs []produceJob) bool {
	done := true
	for i := range jobs {
		j := &jobs[i]
		if j.part == nil || j.out.ErrorCode != 0 {
			continue
		}
		if j.part.log.HighWatermark() < j.until {
			done = false
			continue
		}
		if j.part.rep.ISRSize() < int(j.part.config().MinInSyncReplicas) {
			j.out.ErrorCode = kerr.NotEnoughReplicasAfterAppend.Code
		}
		j.part = nil
	}
	return done
}

// awaitProduce waits, within the request's timeout, until the ISR has the
// records of every job left (Kafka's DelayedProduce) and sets the errors of
// those that failed.
func (n *Node) awaitProduce(jobs []produceJob, timeout time.Duration) {
	deadline := n.now().Add(timeout)
	for i := range jobs {
		j := &jobs[i]
		if j.part == nil || j.out.ErrorCode != 0 {
			continue
		}
		if code := n.awaitReplicated(j.part, j.until, max(deadline.Sub(n.now()), 0)); code != nil {
			j.out.ErrorCode = code.Code
		}
	}
}
