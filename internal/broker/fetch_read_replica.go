package broker

// Fetch from the closest replica (KIP-392). With replica.selector.class set
// to Kafka's RackAwareReplicaSelector, a leader answers a consumer's fetch
// (v11+) whose client.rack (RackID) names a rack other than its own with
// PreferredReadReplica: the most caught-up in-sync follower in that rack
// whose log holds the fetch offset, and no records, at once; the consumer
// then fetches from that follower, which serves it up to its own high
// watermark (checkRole). As Kafka's ReplicaManager.findPreferredReadReplica
// and RackAwareReplicaSelector: the leader keeps the consumer when it is in
// the client's rack itself, when no follower there qualifies, or when the
// client names no rack; followers' fetches are never redirected.
//
// A follower answers a consumer past its high watermark but within its log
// with no records (the fetch waits for the high watermark to move), and
// past its log end with OFFSET_OUT_OF_RANGE, as Kafka's LocalLog.read does
// on any replica; the consumer then asks the leader for the offset.

import (
	"github.com/gofka/gofka/internal/config"
	"github.com/gofka/gofka/internal/metadata"
	"github.com/gofka/gofka/internal/replica"
)

// preferredReadReplica picks the follower a consumer should read p from,
// or reports false to keep it on this leader.
func (op *fetchOp) preferredReadReplica(p *partition, sp *sessionPartition) (int32, bool) {
	if op.rack == "" || op.n.cfg.ReplicaSelectorClass != config.ReplicaSelectorRackAware || !p.rep.IsLeader() {
		return -1, false
	}
	img := op.n.meta.Current()
	if brokerRack(img, op.n.nodeID) == op.rack {
		return -1, false
	}
	best := replica.ReadReplica{ID: -1}
	for _, r := range p.rep.ReadReplicas(sp.offset, op.n.now()) {
		if brokerRack(img, r.ID) == op.rack && (best.ID < 0 || moreCaughtUp(r, best)) {
			best = r
		}
	}
	return best.ID, best.ID >= 0
}

// moreCaughtUp orders replicas as Kafka's ReplicaView.comparator: the
// larger log end offset, then the more recent catch-up; then the lower id,
// so that the choice is stable.
func moreCaughtUp(a, b replica.ReadReplica) bool {
	if a.LogEndOffset != b.LogEndOffset {
		return a.LogEndOffset > b.LogEndOffset
	}
	if a.SinceCaughtUp != b.SinceCaughtUp {
		return a.SinceCaughtUp < b.SinceCaughtUp
	}
	return a.ID < b.ID
}

// brokerRack is a registered, unfenced broker's rack; "" for a broker
// without a rack or one a client cannot be sent to.
func brokerRack(img *metadata.Image, id int32) string {
	b := img.Brokers[id]
	if b == nil || b.Fenced || b.Rack == nil {
		return ""
	}
	return *b.Rack
}

// redirect answers a consumer with the replica to read from instead of
// records, with the leader's offsets.
func (op *fetchOp) redirect(p *partition, fp *fetchPartition, id int32) {
	fp.readReplica, fp.hasReadReplica = id, true
	fp.hw = p.log.HighWatermark()
	fp.lso = min(fp.hw, p.lastStableOffset())
	fp.lso0 = p.log.LogStartOffset()
}
