package controller

// AlterPartition (key 56, v2-3: topic ids; v3 carries a broker epoch per
// ISR member, KIP-903), as Kafka's ReplicationControlManager.alterPartition
// validates it. A partition leader sends it to change the ISR (and to end
// the recovery of an unclean election); the answer is the partition's
// state after the change. Per partition, in Kafka's order:
//
//   - unknown topic id: UNKNOWN_TOPIC_ID; unknown partition: UNKNOWN_TOPIC_OR_PARTITION
//   - a leader or partition epoch newer than the controller's: NOT_CONTROLLER
//     (this controller is likely behind a newer one)
//   - the sender does not lead the partition: INVALID_REQUEST
//   - an older leader epoch: FENCED_LEADER_EPOCH; an older partition epoch:
//     INVALID_UPDATE_VERSION
//   - an ISR that is not a duplicate-free subset of the replicas, a RECOVERING
//     state with more than one ISR member or after recovery, or an ISR
//     without the leader: INVALID_REQUEST
//   - an ISR member that is unregistered, fenced, shutting down or of
//     another broker epoch: INELIGIBLE_REPLICA
//
// A stale or unknown sender epoch fails the whole request with
// STALE_BROKER_EPOCH. An ISR change that completes a reassignment and moves
// the leader off the sender answers NEW_LEADER_ELECTED.

import (
	"errors"
	"slices"

	"github.com/gofka/gofka/internal/metadata"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// AlterPartition applies a leader's ISR changes.
func (c *Controller) AlterPartition(r *kmsg.AlterPartitionRequest) *kmsg.AlterPartitionResponse {
	resp := r.ResponseKind().(*kmsg.AlterPartitionResponse)
	c.mu.Lock()
	defer c.mu.Unlock()
	img := c.pub.Current()
	if b := img.Brokers[r.BrokerID]; b == nil || b.Epoch != r.BrokerEpoch {
		resp.ErrorCode = kerr.StaleBrokerEpoch.Code
		return resp
	}
	ps := c.policies(img)
	var recs []metadata.Record
	var changed []alterPending
	seen := map[metadata.UUID]map[int32]bool{}
	for i, rt := range r.Topics {
		out := kmsg.NewAlterPartitionResponseTopic()
		out.TopidID = rt.TopicID
		t := img.TopicByID(metadata.UUID(rt.TopicID))
		for _, rp := range rt.Partitions {
			res := kmsg.NewAlterPartitionResponseTopicPartition()
			res.Partition = rp.Partition
			if t == nil {
				res.ErrorCode = kerr.UnknownTopicID.Code
				out.Partitions = append(out.Partitions, res)
				continue
			}
			p := partitionOf(t, rp.Partition)
			if seen[t.ID][rp.Partition] {
				p = nil // one change per partition and request
			}
			if seen[t.ID] == nil {
				seen[t.ID] = map[int32]bool{}
			}
			seen[t.ID][rp.Partition] = true
			isr := newISR(r.Version, rp)
			if code := validateAlterPartition(img, r.BrokerID, p, rp, isr); code != nil {
				res.ErrorCode = code.Code
				out.Partitions = append(out.Partitions, res)
				continue
			}
			b := ps.change(p)
			b.isr = memberIDs(isr)
			b.recovery = rp.LeaderRecoveryState
			if rec := b.build(); rec != nil {
				recs = append(recs, rec)
				changed = append(changed, alterPending{i, len(out.Partitions), rec})
			}
			out.Partitions = append(out.Partitions, res)
		}
		resp.Topics = append(resp.Topics, out)
	}
	if err := c.commitLocked(recs); err != nil {
		if errors.Is(err, ErrNotController) {
			resp.ErrorCode = kerr.NotController.Code // the sender asks the next one
		}
		for _, ch := range changed {
			resp.Topics[ch.topic].Partitions[ch.part].ErrorCode = ErrorCode(err).Code
		}
	}
	c.fillAlterPartition(resp, r.BrokerID, changed)
	return resp
}

// alterPending is a partition of the answer whose change is committed.
type alterPending struct {
	topic, part int
	rec         *metadata.PartitionChangeRecord
}

// fillAlterPartition answers each accepted partition with its state after
// the change.
func (c *Controller) fillAlterPartition(resp *kmsg.AlterPartitionResponse, sender int32, changed []alterPending) {
	img := c.pub.Current()
	leaderMoved := map[[2]int]bool{}
	for _, ch := range changed {
		if ch.rec.Leader != metadata.NoLeaderChange && ch.rec.Leader != sender {
			leaderMoved[[2]int{ch.topic, ch.part}] = true
		}
	}
	for ti := range resp.Topics {
		t := img.TopicByID(metadata.UUID(resp.Topics[ti].TopidID))
		for pi := range resp.Topics[ti].Partitions {
			res := &resp.Topics[ti].Partitions[pi]
			if res.ErrorCode != 0 {
				continue
			}
			if leaderMoved[[2]int{ti, pi}] {
				res.ErrorCode = kerr.NewLeaderElected.Code
				continue
			}
			p := partitionOf(t, res.Partition)
			if p == nil {
				res.ErrorCode = kerr.UnknownTopicOrPartition.Code
				continue
			}
			res.LeaderID, res.LeaderEpoch, res.PartitionEpoch = p.Leader, p.LeaderEpoch, p.PartitionEpoch
			res.ISR, res.LeaderRecoveryState = slices.Clone(p.ISR), p.LeaderRecoveryState
		}
	}
}

// partitionOf returns partition id of t, or nil.
func partitionOf(t *metadata.TopicImage, id int32) *metadata.PartitionImage {
	if t == nil || id < 0 || int(id) >= len(t.Partitions) {
		return nil
	}
	return t.Partitions[id]
}

// isrMember is one proposed ISR member and its broker epoch (-1: unknown).
type isrMember struct {
	id    int32
	epoch int64
}

// newISR reads the proposed ISR of either version: v3's NewEpochISR, or
// NewISR with unknown epochs.
func newISR(version int16, rp kmsg.AlterPartitionRequestTopicPartition) []isrMember {
	var out []isrMember
	if version >= 3 {
		for _, m := range rp.NewEpochISR {
			out = append(out, isrMember{m.BrokerID, m.BrokerEpoch})
		}
		return out
	}
	for _, id := range rp.NewISR {
		out = append(out, isrMember{id, -1})
	}
	return out
}

func memberIDs(ms []isrMember) []int32 {
	out := make([]int32, 0, len(ms))
	for _, m := range ms {
		out = append(out, m.id)
	}
	return out
}

// validateAlterPartition is Kafka's validateAlterPartitionData.
func validateAlterPartition(img *metadata.Image, sender int32, p *metadata.PartitionImage,
	rp kmsg.AlterPartitionRequestTopicPartition, isr []isrMember) *kerr.Error {
	ids := memberIDs(isr)
	switch {
	case p == nil:
		return kerr.UnknownTopicOrPartition
	case rp.LeaderEpoch > p.LeaderEpoch, rp.PartitionEpoch > p.PartitionEpoch:
		return kerr.NotController
	case sender != p.Leader:
		return kerr.InvalidRequest
	case rp.LeaderEpoch < p.LeaderEpoch:
		return kerr.FencedLeaderEpoch
	case rp.PartitionEpoch < p.PartitionEpoch:
		return kerr.InvalidUpdateVersion
	case !validISR(p.Replicas, ids):
		return kerr.InvalidRequest
	case rp.LeaderRecoveryState != recovered && rp.LeaderRecoveryState != recovering:
		return kerr.InvalidRequest
	case rp.LeaderRecoveryState == recovering && len(ids) > 1:
		return kerr.InvalidRequest
	case p.LeaderRecoveryState == recovered && rp.LeaderRecoveryState == recovering:
		return kerr.InvalidRequest
	case !eligibleISR(img, isr):
		return kerr.IneligibleReplica
	case !slices.Contains(ids, p.Leader):
		return kerr.InvalidRequest
	}
	return nil
}

// validISR reports an ISR of distinct replicas.
func validISR(replicas, isr []int32) bool {
	for i, id := range isr {
		if !slices.Contains(replicas, id) || slices.Contains(isr[:i], id) {
			return false
		}
	}
	return true
}

// eligibleISR reports an ISR whose members are registered, unfenced, not
// shutting down and, where the leader told their epochs, of those epochs
// (KIP-903: a replica that restarted must catch up again).
func eligibleISR(img *metadata.Image, isr []isrMember) bool {
	for _, m := range isr {
		b := img.Brokers[m.id]
		if b == nil || b.Fenced || b.InControlledShutdown || m.epoch != -1 && m.epoch != b.Epoch {
			return false
		}
	}
	return true
}
