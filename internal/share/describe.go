package share

import (
	"sort"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Group states of share groups as ListGroups and describe report them.
const (
	StateEmpty  = "Empty"
	StateStable = "Stable"
)

// Describe serves ShareGroupDescribe.
func (c *Coordinator) Describe(r *kmsg.ShareGroupDescribeRequest) *kmsg.ShareGroupDescribeResponse {
	resp := r.ResponseKind().(*kmsg.ShareGroupDescribeResponse)
	for _, id := range r.GroupIDs {
		resp.Groups = append(resp.Groups, c.describe(id))
	}
	return resp
}

func (c *Coordinator) describe(id string) kmsg.ShareGroupDescribeResponseGroup {
	out := kmsg.NewShareGroupDescribeResponseGroup()
	out.GroupID, out.Assignor = id, "simple"
	if !c.IsShareGroup(id) {
		out.ErrorCode = kerr.GroupIDNotFound.Code
		msg := "Group " + id + " not found."
		out.ErrorMessage = &msg
		return out
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	out.GroupState = StateEmpty
	g := c.mu.groups[id]
	if g == nil {
		return out
	}
	out.GroupEpoch, out.AssignmentEpoch = g.epoch, g.epoch
	if len(g.members) > 0 {
		out.GroupState = StateStable
	}
	for _, m := range sortedMembers(g) {
		dm := kmsg.NewShareGroupDescribeResponseGroupMember()
		dm.MemberID, dm.RackID, dm.MemberEpoch = m.id, m.rack, m.epoch
		dm.ClientID, dm.ClientHost, dm.SubscribedTopicNames = m.clientID, m.host, m.topics
		dm.Assignment = c.describeAssignment(g.target[m.id])
		out.Members = append(out.Members, dm)
	}
	return out
}

func (c *Coordinator) describeAssignment(tps []TP) kmsg.ShareGroupDescribeResponseGroupMemberAssignment {
	a := kmsg.NewShareGroupDescribeResponseGroupMemberAssignment()
	meta := c.meta()
	for _, tp := range tps {
		n := len(a.TopicPartitions)
		if n == 0 || a.TopicPartitions[n-1].TopicID != tp.TopicID {
			t := kmsg.NewShareGroupDescribeResponseGroupMemberAssignmentTopicPartition()
			t.TopicID = tp.TopicID
			t.Topic, _, _ = meta.TopicByID(tp.TopicID)
			a.TopicPartitions = append(a.TopicPartitions, t)
			n++
		}
		a.TopicPartitions[n-1].Partitions = append(a.TopicPartitions[n-1].Partitions, tp.Partition)
	}
	return a
}

func sortedMembers(g *shareGroup) []*member {
	out := make([]*member, 0, len(g.members))
	for _, m := range g.members {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

// GroupInfo is a share group as ListGroups reports it.
type GroupInfo struct{ ID, State string }

// Groups lists every share group, live or with durable state, sorted.
func (c *Coordinator) Groups() []GroupInfo {
	seen := map[string]string{}
	for _, k := range c.state.Keys("") {
		seen[k.Group] = StateEmpty
	}
	c.mu.Lock()
	for id, g := range c.mu.groups {
		seen[id] = StateEmpty
		if len(g.members) > 0 {
			seen[id] = StateStable
		}
	}
	c.mu.Unlock()
	out := make([]GroupInfo, 0, len(seen))
	for id, st := range seen {
		out = append(out, GroupInfo{id, st})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// DeleteGroup deletes an empty share group and its durable state.
func (c *Coordinator) DeleteGroup(id string) *kerr.Error {
	if !c.IsShareGroup(id) {
		return kerr.GroupIDNotFound
	}
	c.mu.Lock()
	if g := c.mu.groups[id]; g != nil && len(g.members) > 0 {
		c.mu.Unlock()
		return kerr.NonEmptyGroup
	}
	delete(c.mu.groups, id)
	for k := range c.mu.parts {
		if k.Group == id {
			delete(c.mu.parts, k)
		}
	}
	c.mu.Unlock()
	for _, k := range c.state.Keys(id) {
		if err := c.state.Delete(k); err != nil {
			return kerr.UnknownServerError
		}
	}
	return nil
}
