package group

import (
	"sort"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// OffsetFetch handles OffsetFetch v1+: one group before v8, a batch of
// groups from v8, member epoch checks for consumer groups from v9 and topic
// ids from v10. Partitions without a commit answer offset -1. With
// RequireStable (v7+) a partition with offsets in an open transaction
// answers UNSTABLE_OFFSET_COMMIT, so the client retries once it ends.
func (c *Coordinator) OffsetFetch(r *kmsg.OffsetFetchRequest) *kmsg.OffsetFetchResponse {
	resp := kmsg.NewPtrOffsetFetchResponse()
	c.doOr(func() {
		if r.Version >= 8 {
			for _, rg := range r.Groups {
				resp.Groups = append(resp.Groups, c.fetchGroupLocked(&rg, r.Version, r.RequireStable))
			}
			return
		}
		c.fetchLegacyLocked(r, resp)
	}, func(failed func(string) bool) {
		if r.Version < 8 && failed(r.Group) {
			resp.ErrorCode, resp.Topics = kerr.NotCoordinator.Code, nil
		}
		for i, g := range resp.Groups {
			if failed(g.Group) {
				resp.Groups[i].ErrorCode, resp.Groups[i].Topics = kerr.NotCoordinator.Code, nil
			}
		}
	})
	return resp
}

// fetchLegacyLocked answers a v1-7 request through the batched path.
func (c *Coordinator) fetchLegacyLocked(r *kmsg.OffsetFetchRequest, resp *kmsg.OffsetFetchResponse) {
	rg := kmsg.NewOffsetFetchRequestGroup()
	rg.Group = r.Group
	if r.Topics != nil {
		rg.Topics = []kmsg.OffsetFetchRequestGroupTopic{}
		for _, t := range r.Topics {
			rg.Topics = append(rg.Topics, kmsg.OffsetFetchRequestGroupTopic{Topic: t.Topic, Partitions: t.Partitions})
		}
	}
	out := c.fetchGroupLocked(&rg, r.Version, r.RequireStable)
	resp.ErrorCode = out.ErrorCode
	for _, t := range out.Topics {
		rt := kmsg.NewOffsetFetchResponseTopic()
		rt.Topic = t.Topic
		for _, p := range t.Partitions {
			rt.Partitions = append(rt.Partitions, kmsg.OffsetFetchResponseTopicPartition{
				Partition: p.Partition, Offset: p.Offset, LeaderEpoch: p.LeaderEpoch, Metadata: p.Metadata, ErrorCode: p.ErrorCode,
			})
		}
		resp.Topics = append(resp.Topics, rt)
	}
}

func (c *Coordinator) fetchGroupLocked(rg *kmsg.OffsetFetchRequestGroup, version int16, stable bool) kmsg.OffsetFetchResponseGroup {
	out := kmsg.NewOffsetFetchResponseGroup()
	out.Group = rg.Group
	g := c.groupLocked(rg.Group)
	var err *kerr.Error
	switch {
	case rg.Group == "" && version < 8:
		err = kerr.InvalidGroupID
	case c.availLocked(rg.Group) != nil:
		err = c.availLocked(rg.Group)
	case rg.MemberID != nil && g != nil && g.typ == TypeConsumer:
		err = c.validateConsumerFetch(g, *rg.MemberID, rg.MemberEpoch)
	case rg.MemberID != nil && *rg.MemberID != "" && g == nil:
		err = kerr.UnknownMemberID
	}
	if err != nil {
		out.ErrorCode = err.Code
		return out
	}
	meta := c.meta()
	unstable := func(topicPartition) bool { return false }
	if stable {
		unstable = func(tp topicPartition) bool { return c.hasPendingLocked(rg.Group, tp) }
	}
	if rg.Topics == nil {
		out.Topics = allOffsets(g, meta, version >= 10, unstable)
		return out
	}
	for _, t := range rg.Topics {
		out.Topics = append(out.Topics, fetchTopic(g, meta, version >= 10, t, unstable))
	}
	return out
}

func fetchTopic(g *group, meta Metadata, byID bool, t kmsg.OffsetFetchRequestGroupTopic, unstable func(topicPartition) bool) kmsg.OffsetFetchResponseGroupTopic {
	rt := kmsg.NewOffsetFetchResponseGroupTopic()
	rt.Topic, rt.TopicID = t.Topic, t.TopicID
	name := t.Topic
	var topicErr *kerr.Error
	if byID {
		name, _, topicErr = resolveTopic(meta, true, "", t.TopicID)
	}
	for _, p := range t.Partitions {
		rp := kmsg.NewOffsetFetchResponseGroupTopicPartition()
		rp.Partition, rp.Offset, rp.LeaderEpoch = p, -1, -1
		empty := ""
		rp.Metadata = &empty
		if topicErr != nil {
			rp.ErrorCode = topicErr.Code
		} else if unstable(topicPartition{name, p}) {
			rp.ErrorCode = kerr.UnstableOffsetCommit.Code
		} else if g != nil {
			if e, ok := g.offsets[topicPartition{name, p}]; ok {
				fillFetched(&rp, e)
			}
		}
		rt.Partitions = append(rt.Partitions, rp)
	}
	return rt
}

func fillFetched(rp *kmsg.OffsetFetchResponseGroupTopicPartition, e offsetEntry) {
	md := e.metadata
	rp.Offset, rp.LeaderEpoch, rp.Metadata = e.offset, e.leaderEpoch, &md
}

// allOffsets lists every committed offset of the group, sorted.
func allOffsets(g *group, meta Metadata, byID bool, unstable func(topicPartition) bool) []kmsg.OffsetFetchResponseGroupTopic {
	if g == nil {
		return nil
	}
	byTopic := map[string][]topicPartition{}
	var names []string
	for tp := range g.offsets {
		if _, ok := byTopic[tp.topic]; !ok {
			names = append(names, tp.topic)
		}
		byTopic[tp.topic] = append(byTopic[tp.topic], tp)
	}
	sort.Strings(names)
	var out []kmsg.OffsetFetchResponseGroupTopic
	for _, n := range names {
		rt := kmsg.NewOffsetFetchResponseGroupTopic()
		rt.Topic = n
		if byID {
			id, _, ok := meta.Topic(n)
			if !ok {
				continue
			}
			rt.TopicID = id
		}
		tps := byTopic[n]
		sort.Slice(tps, func(i, j int) bool { return tps[i].partition < tps[j].partition })
		for _, tp := range tps {
			rp := kmsg.NewOffsetFetchResponseGroupTopicPartition()
			rp.Partition = tp.partition
			if unstable(tp) {
				empty := ""
				rp.Offset, rp.LeaderEpoch, rp.Metadata = -1, -1, &empty
				rp.ErrorCode = kerr.UnstableOffsetCommit.Code
			} else {
				fillFetched(&rp, g.offsets[tp])
			}
			rt.Partitions = append(rt.Partitions, rp)
		}
		out = append(out, rt)
	}
	return out
}

// OffsetDelete handles OffsetDelete v0: offsets of topics the group no
// longer consumes are deleted (tombstones); a subscribed topic answers
// GROUP_SUBSCRIBED_TO_TOPIC.
func (c *Coordinator) OffsetDelete(r *kmsg.OffsetDeleteRequest) *kmsg.OffsetDeleteResponse {
	resp := kmsg.NewPtrOffsetDeleteResponse()
	c.doOr(func() { c.offsetDeleteLocked(r, resp) }, func(failed func(string) bool) {
		if failed(r.Group) {
			resp.ErrorCode, resp.Topics = kerr.NotCoordinator.Code, nil
		}
	})
	return resp
}

func (c *Coordinator) offsetDeleteLocked(r *kmsg.OffsetDeleteRequest, resp *kmsg.OffsetDeleteResponse) {
	g := c.groupLocked(r.Group)
	switch {
	case r.Group == "":
		resp.ErrorCode = kerr.InvalidGroupID.Code
		return
	case c.availLocked(r.Group) != nil:
		resp.ErrorCode = c.availLocked(r.Group).Code
		return
	case g == nil:
		resp.ErrorCode = kerr.GroupIDNotFound.Code
		return
	case g.typ == TypeClassic && !g.isEmpty() && g.classic.protocolType != "consumer":
		resp.ErrorCode = kerr.NonEmptyGroup.Code
		return
	}
	var recs []kv
	var del []topicPartition
	for _, t := range r.Topics {
		rt := kmsg.NewOffsetDeleteResponseTopic()
		rt.Topic = t.Topic
		sub := !g.isEmpty() && g.subscribed(t.Topic)
		for _, p := range t.Partitions {
			rp := kmsg.NewOffsetDeleteResponseTopicPartition()
			rp.Partition = p.Partition
			tp := topicPartition{t.Topic, p.Partition}
			if sub {
				rp.ErrorCode = kerr.GroupSubscribedToTopic.Code
			} else if _, ok := g.offsets[tp]; ok {
				recs = append(recs, kv{key: offsetCommitKey(g.id, tp.topic, tp.partition)})
				del = append(del, tp)
			}
			rt.Partitions = append(rt.Partitions, rp)
		}
		resp.Topics = append(resp.Topics, rt)
	}
	if err := c.write(g.id, recs); err != nil {
		resp.ErrorCode = writeErrCode(err, kerr.CoordinatorNotAvailable).Code
		resp.Topics = nil
		return
	}
	for _, tp := range del {
		delete(g.offsets, tp)
	}
}
