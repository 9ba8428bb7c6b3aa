package controller

// ElectLeaders (key 43, v0-2) as Kafka's ReplicationControlManager serves
// it, and the automatic preferred-leader balancing of
// auto.leader.rebalance.enable.
//
// PREFERRED moves leadership to the first replica when it is alive and in
// the ISR: ELECTION_NOT_NEEDED when it leads already,
// PREFERRED_LEADER_NOT_AVAILABLE when it cannot (a leaderless partition
// still gets any eligible leader). UNCLEAN elects only for a partition
// without a leader: from the ISR (or ELR) first, then any alive replica
// (data may be lost; the leader starts RECOVERING): ELECTION_NOT_NEEDED
// when there is a leader, ELIGIBLE_LEADERS_NOT_AVAILABLE when no replica is
// alive. A null topic list means every partition, and then partitions that
// need no election are left out of the answer.

import (
	"fmt"
	"maps"
	"slices"

	"github.com/gofka/gofka/internal/metadata"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Election types of ElectLeaders.
const (
	ElectionPreferred int8 = 0
	ElectionUnclean   int8 = 1
)

// ElectLeaders runs the elections asked for.
func (c *Controller) ElectLeaders(r *kmsg.ElectLeadersRequest) *kmsg.ElectLeadersResponse {
	resp := r.ResponseKind().(*kmsg.ElectLeadersResponse)
	typ := r.ElectionType
	if r.Version == 0 {
		typ = ElectionPreferred
	}
	if typ != ElectionPreferred && typ != ElectionUnclean {
		resp.ErrorCode = kerr.InvalidRequest.Code
		return resp
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	img := c.pub.Current()
	ps := c.policies(img)
	var recs []metadata.Record
	add := func(topic string, part int32, err *kerr.Error, msg string) {
		if r.Topics == nil && err == kerr.ElectionNotNeeded {
			return
		}
		i := slices.IndexFunc(resp.Topics, func(t kmsg.ElectLeadersResponseTopic) bool { return t.Topic == topic })
		if i < 0 {
			i = len(resp.Topics)
			resp.Topics = append(resp.Topics, kmsg.ElectLeadersResponseTopic{Topic: topic})
		}
		res := kmsg.NewElectLeadersResponseTopicPartition()
		res.Partition = part
		if err != nil {
			res.ErrorCode = err.Code
			if msg != "" {
				res.ErrorMessage = &msg
			}
		}
		resp.Topics[i].Partitions = append(resp.Topics[i].Partitions, res)
	}
	for _, rt := range c.electionTargets(img, r.Topics) {
		for _, part := range rt.Partitions {
			rec, err, msg := electOne(img, ps, rt.Topic, part, typ)
			if rec != nil {
				recs = append(recs, rec)
			}
			add(rt.Topic, part, err, msg)
		}
	}
	if err := c.commitLocked(recs); err != nil {
		resp.ErrorCode = ErrorCode(err).Code
	}
	return resp
}

// electionTargets is the request's partitions, or every partition.
func (c *Controller) electionTargets(img *metadata.Image, topics []kmsg.ElectLeadersRequestTopic) []kmsg.ElectLeadersRequestTopic {
	if topics != nil {
		return topics
	}
	var out []kmsg.ElectLeadersRequestTopic
	for _, name := range img.TopicNames() {
		out = append(out, kmsg.ElectLeadersRequestTopic{Topic: name, Partitions: partitionIDs(img.Topic(name))})
	}
	return out
}

// electOne is Kafka's electLeader for one partition: the change to commit,
// or the error to answer.
func electOne(img *metadata.Image, ps *policies, topic string, part int32, typ int8) (*metadata.PartitionChangeRecord, *kerr.Error, string) {
	t := img.Topic(topic)
	if t == nil {
		return nil, kerr.UnknownTopicOrPartition, "No such topic as " + topic
	}
	p := partitionOf(t, part)
	if p == nil {
		return nil, kerr.UnknownTopicOrPartition, fmt.Sprintf("No such partition as %s-%d", topic, part)
	}
	if typ == ElectionPreferred && len(p.Replicas) > 0 && p.Leader == p.Replicas[0] || typ == ElectionUnclean && p.Leader >= 0 {
		return nil, kerr.ElectionNotNeeded, ""
	}
	b := ps.change(p)
	b.election = electPreferred
	if typ == ElectionUnclean {
		b.election = electUnclean
	}
	rec := b.build()
	switch {
	case rec != nil:
		return rec, nil, ""
	case typ == ElectionPreferred:
		return nil, kerr.PreferredLeaderNotAvailable, fmt.Sprintf("Failed to elect leader for partition %s-%d under strategy PreferredElection", topic, part)
	}
	return nil, kerr.EligibleLeadersNotAvailable, fmt.Sprintf("Failed to elect leader for partition %s-%d under strategy UncleanElection", topic, part)
}

// BalanceLeaders is one round of auto.leader.rebalance.enable: for each
// broker whose share of partitions it prefers but does not lead exceeds
// leader.imbalance.per.broker.percentage, leadership of those partitions
// moves back to it where it is alive and in the ISR. It also gives
// leaderless partitions of topics that allow unclean elections a leader
// (unclean.leader.election.enable turned on since they lost theirs).
// It returns the number of partitions changed.
func (c *Controller) BalanceLeaders(percentage int32) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	img := c.pub.Current()
	ps := c.policies(img)
	preferred := map[int32]int{}
	behind := map[int32][]*metadata.PartitionImage{}
	var recs []metadata.Record
	img.EachTopic(func(t *metadata.TopicImage) bool {
		for _, p := range t.Partitions {
			if p == nil || len(p.Replicas) == 0 {
				continue
			}
			pref := p.Replicas[0]
			preferred[pref]++
			if p.Leader != pref {
				behind[pref] = append(behind[pref], p)
			}
			if p.Leader < 0 && ps.of(p.Topic).unclean {
				if rec := ps.change(p).build(); rec != nil {
					recs = append(recs, rec)
				}
			}
		}
		return true
	})
	for _, id := range slices.Sorted(maps.Keys(behind)) {
		if len(behind[id])*100 <= int(percentage)*preferred[id] {
			continue
		}
		for _, p := range behind[id] {
			if p.Leader < 0 && ps.of(p.Topic).unclean {
				continue // elected above
			}
			b := ps.change(p)
			b.election = electPreferred
			if rec := b.build(); rec != nil && rec.Leader == id {
				recs = append(recs, rec)
			}
		}
	}
	if err := c.commitLocked(recs); err != nil {
		return 0, fmt.Errorf("controller: balance leaders: %w", err)
	}
	return len(recs), nil
}
