package broker

// Replication throttles (KIP-73), as Kafka's ReplicationQuotaManager. Each
// broker has two byte rates, leader.replication.throttled.rate and
// follower.replication.throttled.rate (dynamic, per broker or the cluster
// default; unlimited by default), measured over
// replication.quota.window.num samples of
// replication.quota.window.size.seconds. They apply to the replicas a
// topic's leader.replication.throttled.replicas and
// follower.replication.throttled.replicas name ("partition:broker" lists
// or "*"): a leader counts the bytes it sends for its throttled replicas
// and, once over its rate, sends nothing more for them to followers out of
// the ISR (fetch.go); a follower counts the bytes it fetches for its
// throttled replicas and, once over its rate, leaves those that have not
// caught up out of its fetches (internal/replica). Replicas in sync are
// never held back, so a throttle never shrinks the ISR; a throttled
// replica out of it joins once it has caught up, as any other.

import (
	"strconv"
	"strings"

	"github.com/gofka/gofka/internal/config"
	"github.com/gofka/gofka/internal/metadata"
	"github.com/gofka/gofka/internal/quota"
)

// replThrottle is the node's two replication throttles.
type replThrottle struct {
	leader, follower *quota.Replication
}

// startReplThrottle creates the throttles and keeps their rates in step
// with the dynamic broker configs.
func (n *Node) startReplThrottle() {
	w := window(n.cfg.ReplicationQuotaWindowNum, n.cfg.ReplicationQuotaWindowSizeSeconds)
	n.throttle = replThrottle{leader: quota.NewReplication(w), follower: quota.NewReplication(w)}
	n.meta.Subscribe(func(_, next *metadata.Image, d metadata.Delta) {
		for _, k := range d.ChangedConfigs {
			if k.Type == metadata.ConfigResourceBroker {
				n.setThrottleRates(next)
				return
			}
		}
	})
	n.setThrottleRates(n.meta.Current())
}

// setThrottleRates applies the rates in force: per broker over the
// cluster default over the static config.
func (n *Node) setThrottleRates(img *metadata.Image) {
	eff, err := config.EffectiveBroker(n.brokerLayers(img))
	if err != nil {
		n.log.Warn("broker config: keeping the replication throttles", "err", err)
		return
	}
	n.throttle.leader.SetBound(eff.LeaderReplicationThrottledRate)
	n.throttle.follower.SetBound(eff.FollowerReplicationThrottledRate)
}

// applyThrottles marks p throttled as leader and as follower by its
// topic's throttled-replicas lists.
func (n *Node) applyThrottles(p *partition, cfg *config.Topic) {
	p.leaderThrottled.Store(throttledHere(cfg.LeaderThrottledReplicas, p.tp.Partition, n.nodeID))
	p.rep.SetThrottled(throttledHere(cfg.FollowerThrottledReplicas, p.tp.Partition, n.nodeID))
}

// throttledHere reports whether a throttled-replicas list names the
// replica of partition on broker: "*", or a "partition:broker" entry
// (Kafka's parseThrottledPartitions).
func throttledHere(list []string, partition, broker int32) bool {
	for _, e := range list {
		e = strings.TrimSpace(e)
		if e == "*" {
			return true
		}
		ps, bs, ok := strings.Cut(e, ":")
		pi, err1 := strconv.ParseInt(strings.TrimSpace(ps), 10, 32)
		bi, err2 := strconv.ParseInt(strings.TrimSpace(bs), 10, 32)
		if ok && err1 == nil && err2 == nil && int32(pi) == partition && int32(bi) == broker {
			return true
		}
	}
	return false
}

// leaderHoldsBack reports whether this leader sends a follower nothing
// for p now (Kafka's shouldLeaderThrottle): p is throttled, the follower
// is out of the ISR and the leader's rate is over its bound.
func (op *fetchOp) leaderHoldsBack(p *partition) bool {
	return op.replica >= 0 && p.leaderThrottled.Load() && op.n.throttle.leader.Exceeded(op.n.now()) &&
		!p.rep.InISR(op.replica)
}

// recordReplication counts the bytes a follower's fetch response carries
// for throttled partitions against the leader's rate (Kafka's
// sizeOfThrottledPartitions).
func (op *fetchOp) recordReplication(topics []fetchTopic) {
	if op.replica < 0 || op.n.throttle.leader == nil || !op.n.throttle.leader.Limited() {
		return
	}
	size := 0
	for _, t := range topics {
		for i := range t.parts {
			fp := &t.parts[i]
			if fp.slice.Size == 0 {
				continue
			}
			if p := op.n.parts.get(t.name, fp.partition); p != nil && p.leaderThrottled.Load() {
				size += int(fp.slice.Size)
			}
		}
	}
	if size > 0 {
		op.n.throttle.leader.Record(size, op.n.now())
	}
}
