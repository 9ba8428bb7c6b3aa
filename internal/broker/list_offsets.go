package broker

// ListOffsets, versions 1-11. Special timestamps as Kafka defines them:
// -2 earliest, -1 latest (high watermark, or last stable offset for
// read_committed), -3 max timestamp (v7+, KIP-734), -4 earliest local
// (v8+, KIP-405: the log start here, there is no remote tier), -5 latest
// tiered and -6 earliest pending upload (v9+/v11+: no remote tier, so
// unknown offset -1). A timestamp >= 0 finds the first record whose
// timestamp is at or after it, below the high watermark. A new leader
// whose high watermark has not reached the start of its epoch answers a
// consumer's latest offset with OFFSET_NOT_AVAILABLE (v5+;
// LEADER_NOT_AVAILABLE before), as Kafka's Partition.fetchOffsetForTimestamp.

import (
	"github.com/gofka/gofka/internal/record"
	"github.com/gofka/gofka/internal/wire"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// debugReplicaID is the replica id of tools that may read any replica.
const debugReplicaID = -2

const (
	tsLatest        = -1
	tsEarliest      = -2
	tsMax           = -3
	tsEarliestLocal = -4
)

func (n *Node) handleListOffsets(req *wire.Request, reply wire.Reply) {
	r := req.Msg.(*kmsg.ListOffsetsRequest)
	resp := r.ResponseKind().(*kmsg.ListOffsetsResponse)
	resp.SetVersion(req.Version)
	for i := range r.Topics {
		t := &r.Topics[i]
		rt := kmsg.NewListOffsetsResponseTopic()
		rt.Topic = t.Topic
		denied := !n.authorize(req, opDescribe, resTopic, t.Topic)
		for j := range t.Partitions {
			if denied {
				rp := kmsg.NewListOffsetsResponseTopicPartition()
				rp.Partition, rp.ErrorCode = t.Partitions[j].Partition, kerr.TopicAuthorizationFailed.Code
				rp.Timestamp, rp.Offset, rp.LeaderEpoch = -1, -1, -1
				rt.Partitions = append(rt.Partitions, rp)
				continue
			}
			rt.Partitions = append(rt.Partitions, n.listOffset(t.Topic, &t.Partitions[j], r.ReplicaID, r.IsolationLevel))
			if rp := &rt.Partitions[len(rt.Partitions)-1]; rp.ErrorCode == kerr.OffsetNotAvailable.Code && req.Version < 5 {
				rp.ErrorCode = kerr.LeaderNotAvailable.Code
			}
		}
		resp.Topics = append(resp.Topics, rt)
	}
	reply.Send(resp)
}

// listOffset answers one partition. Clients and followers need the leader
// (the debugging replica id -2 does not); a follower's latest offset is
// the log end, a consumer's the high watermark or last stable offset.
func (n *Node) listOffset(topic string, rp *kmsg.ListOffsetsRequestTopicPartition, replicaID int32, isolation int8) kmsg.ListOffsetsResponseTopicPartition {
	out := kmsg.NewListOffsetsResponseTopicPartition()
	out.Partition = rp.Partition
	out.Timestamp, out.Offset, out.LeaderEpoch = -1, -1, -1
	p := n.parts.get(topic, rp.Partition)
	if p == nil {
		out.ErrorCode = kerr.UnknownTopicOrPartition.Code
		return out
	}
	if replicaID != debugReplicaID && !p.rep.IsLeader() {
		out.ErrorCode = kerr.NotLeaderForPartition.Code
		return out
	}
	if code := checkLeaderEpoch(rp.CurrentLeaderEpoch, p.leaderEpoch.Load()); code != nil {
		out.ErrorCode = code.Code
		return out
	}
	hw := p.log.HighWatermark()
	switch {
	case replicaID >= 0:
		hw = p.log.LogEndOffset()
	case isolation == 1:
		hw = min(hw, p.lastStableOffset()) // read_committed sees up to the LSO
	}
	switch ts := rp.Timestamp; {
	case ts == tsLatest && replicaID == -1 && hwBehindEpochStart(p):
		out.ErrorCode = kerr.OffsetNotAvailable.Code
	case ts == tsLatest:
		out.Offset = hw
		out.LeaderEpoch = latestEpoch(p)
	case ts == tsEarliest || ts == tsEarliestLocal:
		out.Offset = p.log.LogStartOffset()
		out.LeaderEpoch = latestEpoch(p)
	case ts == tsMax:
		batch, ok, err := p.log.MaxTimestampBatch()
		out.ErrorCode = n.findInBatch(&out, batch, ok, err, -1, hw)
	case ts >= 0:
		batch, ok, err := p.log.BatchForTimestamp(ts)
		out.ErrorCode = n.findInBatch(&out, batch, ok, err, ts, hw)
	}
	return out
}

// hwBehindEpochStart reports whether a new leader's high watermark has not
// yet reached the start of its epoch: the latest offset is not known
// until the followers have caught up (Kafka's OFFSET_NOT_AVAILABLE).
func hwBehindEpochStart(p *partition) bool {
	start, ok := p.rep.EpochStart()
	return ok && start > p.log.HighWatermark()
}

func latestEpoch(p *partition) int32 {
	if e, ok := p.log.LatestEpoch(); ok {
		return e
	}
	return -1
}

// findInBatch sets the offset and timestamp of the record a timestamp
// lookup found: the first record at or after target, or (target < 0) the
// first record holding the batch's max timestamp. Records at or past the
// high watermark are not visible.
func (n *Node) findInBatch(out *kmsg.ListOffsetsResponseTopicPartition, batch []byte, ok bool, err error, target, hw int64) int16 {
	if err != nil {
		return storageErrorCode(err).Code
	}
	if !ok {
		return 0
	}
	_, err = record.Iterate(batch, nil, func(h *record.Header, r *record.Record) error {
		match := r.Timestamp >= target
		if target < 0 {
			match = r.Timestamp == h.MaxTimestamp
		}
		if match && r.Offset < hw {
			out.Offset, out.Timestamp, out.LeaderEpoch = r.Offset, r.Timestamp, h.PartitionLeaderEpoch
			return errFound
		}
		return nil
	})
	if err != nil && err != errFound {
		return kerr.CorruptMessage.Code
	}
	return 0
}
