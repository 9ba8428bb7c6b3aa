package broker

// Replication metrics (docs/metrics.md): Kafka's ReplicaManager gauges
// computed at scrape time from the hosted partitions, the ISR counters of
// the replica manager, the fetchers' lags and the replication throttles.

import (
	"slices"

	"github.com/gofka/gofka/internal/metadata"
	"github.com/gofka/gofka/internal/metrics"
)

// replicationStats reads the node's replication state at scrape time.
func (n *Node) replicationStats() metrics.ReplicationStat {
	var s metrics.ReplicationStat
	if n.replicas == nil {
		return s
	}
	img := n.meta.Current()
	for _, p := range n.parts.all() {
		if p.offline.Load() {
			s.Offline++
			continue
		}
		if p.rep.IsLeader() {
			countLed(&s, p, img)
		}
	}
	s.ISRShrinks, s.ISRExpands = n.replicas.Metrics().ISRShrinks(), n.replicas.Metrics().ISRExpands()
	for tp, lag := range n.replicas.FetcherLags() {
		s.FetcherLag = append(s.FetcherLag, metrics.FetcherLag{Topic: tp.Topic, Partition: tp.Partition, Lag: lag})
	}
	now := n.now()
	if n.throttle.leader != nil {
		lr, lb := n.throttle.leader.Measure(now)
		fr, fb := n.throttle.follower.Measure(now)
		s.Throttles = []metrics.ThrottleStat{{Side: "leader", Rate: lr, Bound: lb}, {Side: "follower", Rate: fr, Bound: fb}}
	}
	return s
}

// countLed adds a partition this node leads to the ReplicaManager gauges,
// as Kafka's Partition does: under-replicated when the ISR is smaller
// than the replicas (those a reassignment is adding left out), under or
// at min ISR by min.insync.replicas capped at the replication factor.
func countLed(s *metrics.ReplicationStat, p *partition, img *metadata.Image) {
	s.Leaders++
	rf := 0
	if t := img.Topic(p.tp.Topic); t != nil && int(p.tp.Partition) < len(t.Partitions) && t.Partitions[p.tp.Partition] != nil {
		pi := t.Partitions[p.tp.Partition]
		for _, r := range pi.Replicas {
			if !slices.Contains(pi.AddingReplicas, r) {
				rf++
			}
		}
	}
	isr := p.rep.ISRSize()
	minISR := min(int(p.config().MinInSyncReplicas), rf)
	switch {
	case rf == 0:
		return
	case isr < minISR:
		s.UnderMinISR++
	case isr == minISR:
		s.AtMinISR++
	}
	if isr < rf {
		s.UnderReplicated++
	}
}
