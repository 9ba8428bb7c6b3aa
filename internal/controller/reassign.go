package controller

// Partition reassignment (KIP-455): AlterPartitionAssignments (key 45,
// v0-1) and ListPartitionReassignments (key 46, v0), as Kafka's
// ReplicationControlManager serves them.
//
// A target replica list makes the partition's replicas the target followed
// by the replicas it removes, with AddingReplicas and RemovingReplicas set.
// The adding replicas start following the leader; once the leader reports
// them all in the ISR (AlterPartition) the reassignment completes (see
// partitionChange.completeReassignment): the replicas become the target,
// the removed ones leave the ISR and, if the leader was one, a new leader
// is elected. A target that only removes replicas completes at once. A
// new target during a reassignment starts from the original replicas.
// A null target cancels: the adding replicas are dropped and the original
// replicas stay (NO_REASSIGNMENT_IN_PROGRESS when there is none).

import (
	"slices"

	"github.com/gofka/gofka/internal/metadata"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// AlterPartitionAssignments starts, changes or cancels reassignments.
func (c *Controller) AlterPartitionAssignments(r *kmsg.AlterPartitionAssignmentsRequest) *kmsg.AlterPartitionAssignmentsResponse {
	resp := r.ResponseKind().(*kmsg.AlterPartitionAssignmentsResponse)
	resp.AllowReplicationFactorChange = r.AllowReplicationFactorChange
	allowRF := r.Version == 0 || r.AllowReplicationFactorChange
	c.mu.Lock()
	defer c.mu.Unlock()
	var changed []*kmsg.AlterPartitionAssignmentsResponseTopicPartition
	var recs []metadata.Record
	img := c.pub.Current()
	ps := c.policies(img)
	resp.Topics = make([]kmsg.AlterPartitionAssignmentsResponseTopic, len(r.Topics))
	for i, rt := range r.Topics {
		out := &resp.Topics[i]
		out.Topic = rt.Topic
		out.Partitions = make([]kmsg.AlterPartitionAssignmentsResponseTopicPartition, len(rt.Partitions))
		for j, rp := range rt.Partitions {
			res := &out.Partitions[j]
			*res = kmsg.NewAlterPartitionAssignmentsResponseTopicPartition()
			res.Partition = rp.Partition
			rec, terr := reassignOne(img, ps, rt.Topic, rp, allowRF)
			if terr != nil {
				res.ErrorCode = terr.code.Code
				res.ErrorMessage = &terr.msg
				continue
			}
			if rec != nil {
				recs = append(recs, rec)
				changed = append(changed, res)
			}
		}
	}
	if err := c.commitLocked(recs); err != nil {
		for _, res := range changed {
			res.ErrorCode = ErrorCode(err).Code
		}
	}
	return resp
}

// reassignOne validates one partition's target and returns its change.
func reassignOne(img *metadata.Image, ps *policies, topic string, rp kmsg.AlterPartitionAssignmentsRequestTopicPartition, allowRF bool) (*metadata.PartitionChangeRecord, *topicError) {
	p := img.Partition(topic, rp.Partition)
	if p == nil {
		return nil, errf(kerr.UnknownTopicOrPartition, "Unable to find partition %s:%d.", topic, rp.Partition)
	}
	reassigning := len(p.AddingReplicas) > 0 || len(p.RemovingReplicas) > 0
	if rp.Replicas == nil {
		if !reassigning {
			return nil, errf(kerr.NoReassignmentInProgress, "No partition reassignment is in progress for the topic %s partition %d", topic, rp.Partition)
		}
		return cancelReassignment(ps, p)
	}
	if terr := checkReplicas(img, rp.Replicas); terr != nil {
		return nil, terr
	}
	original := without(p.Replicas, p.AddingReplicas)
	if !allowRF && len(rp.Replicas) != len(original) {
		return nil, errf(kerr.InvalidReplicationFactor, "The replication factor is changed from %d to %d but allowReplicationFactorChange is false",
			len(original), len(rp.Replicas))
	}
	b := ps.change(p)
	b.removing = without(original, rp.Replicas)
	b.adding = without(rp.Replicas, original)
	b.replicas = append(slices.Clone(rp.Replicas), b.removing...)
	b.isr = intersect(b.isr, b.replicas) // adding replicas of an earlier target leave
	if len(b.isr) == 0 {
		return nil, errf(kerr.InvalidReplicaAssignment, "The new target of %s:%d drops every in-sync replica (%v) of the reassignment in progress.",
			topic, rp.Partition, p.ISR)
	}
	return b.build(), nil
}

// cancelReassignment reverts to the original replicas: Kafka's
// PartitionReassignmentRevert. An ISR of adding replicas only would need
// an unclean election, allowed only where the topic allows those.
func cancelReassignment(ps *policies, p *metadata.PartitionImage) (*metadata.PartitionChangeRecord, *topicError) {
	b := ps.change(p)
	b.replicas = without(p.Replicas, p.AddingReplicas)
	b.isr = without(p.ISR, p.AddingReplicas)
	b.adding, b.removing = nil, nil
	if len(b.isr) == 0 {
		if !ps.of(p.Topic).unclean {
			return nil, errf(kerr.InvalidReplicaAssignment, "Unable to revert partition assignment for %s:%d because it would require an unclean leader election.",
				p.Topic, p.Partition)
		}
		b.isr = b.replicas[:1]
		b.election = electUnclean
	}
	return b.build(), nil
}

// ListPartitionReassignments lists the reassignments in progress: of the
// named partitions, or every one when topics is nil. Unknown topics and
// partitions not being reassigned are left out.
func (c *Controller) ListPartitionReassignments(topics []kmsg.ListPartitionReassignmentsRequestTopic) []kmsg.ListPartitionReassignmentsResponseTopic {
	img := c.pub.Current()
	var out []kmsg.ListPartitionReassignmentsResponseTopic
	list := func(name string, parts []int32) {
		t := img.Topic(name)
		if t == nil {
			return
		}
		rt := kmsg.ListPartitionReassignmentsResponseTopic{Topic: name}
		for _, id := range parts {
			p := partitionOf(t, id)
			if p == nil || len(p.AddingReplicas) == 0 && len(p.RemovingReplicas) == 0 {
				continue
			}
			rp := kmsg.NewListPartitionReassignmentsResponseTopicPartition()
			rp.Partition = id
			rp.Replicas = slices.Clone(p.Replicas)
			rp.AddingReplicas, rp.RemovingReplicas = nonNilInts(slices.Clone(p.AddingReplicas)), nonNilInts(slices.Clone(p.RemovingReplicas))
			rt.Partitions = append(rt.Partitions, rp)
		}
		if len(rt.Partitions) > 0 {
			out = append(out, rt)
		}
	}
	if topics == nil {
		for _, name := range img.TopicNames() {
			list(name, partitionIDs(img.Topic(name)))
		}
		return out
	}
	for _, rt := range topics {
		list(rt.Topic, rt.Partitions)
	}
	return out
}

func partitionIDs(t *metadata.TopicImage) []int32 {
	ids := make([]int32, 0, len(t.Partitions))
	for _, p := range t.Partitions {
		if p != nil {
			ids = append(ids, p.Partition)
		}
	}
	return ids
}
