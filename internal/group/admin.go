package group

import (
	"slices"
	"strings"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// ListGroups handles ListGroups: v4 filters by state, v5 by type (both
// case-insensitive, as Kafka).
func (c *Coordinator) ListGroups(r *kmsg.ListGroupsRequest) *kmsg.ListGroupsResponse {
	resp := kmsg.NewPtrListGroupsResponse()
	c.doOr(func() {
		if c.mu.closed {
			resp.ErrorCode = kerr.CoordinatorNotAvailable.Code
			return
		}
		for _, g := range c.sortedGroupsLocked() {
			if c.ownerLocked(g.id) != nil || !matchFold(r.StatesFilter, g.state()) || !matchFold(r.TypesFilter, g.typ) {
				continue
			}
			c.touchLocked(c.PartitionFor(g.id))
			lg := kmsg.NewListGroupsResponseGroup()
			lg.Group, lg.ProtocolType, lg.GroupState, lg.GroupType = g.id, g.protocolType(), g.state(), g.typ
			resp.Groups = append(resp.Groups, lg)
		}
	}, func(failed func(string) bool) {
		// As Kafka, the groups of a partition no longer served are left out.
		resp.Groups = slices.DeleteFunc(resp.Groups, func(g kmsg.ListGroupsResponseGroup) bool { return failed(g.Group) })
	})
	return resp
}

func matchFold(filter []string, v string) bool {
	if len(filter) == 0 {
		return true
	}
	for _, f := range filter {
		if strings.EqualFold(f, v) {
			return true
		}
	}
	return false
}

// DescribeGroups handles DescribeGroups. A consumer group described here
// answers its members as a classic group would (Kafka returns it with
// error GROUP_ID_NOT_FOUND only for unknown groups; v6 adds a message).
func (c *Coordinator) DescribeGroups(r *kmsg.DescribeGroupsRequest) *kmsg.DescribeGroupsResponse {
	resp := kmsg.NewPtrDescribeGroupsResponse()
	c.doOr(func() {
		for _, id := range r.Groups {
			resp.Groups = append(resp.Groups, c.describeLocked(id, r.Version))
		}
	}, func(failed func(string) bool) {
		for i, g := range resp.Groups {
			if failed(g.Group) {
				resp.Groups[i] = kmsg.NewDescribeGroupsResponseGroup()
				resp.Groups[i].Group, resp.Groups[i].ErrorCode = g.Group, kerr.NotCoordinator.Code
				resp.Groups[i].AuthorizedOperations = -2147483648
			}
		}
	})
	return resp
}

func (c *Coordinator) describeLocked(id string, version int16) kmsg.DescribeGroupsResponseGroup {
	out := kmsg.NewDescribeGroupsResponseGroup()
	out.Group = id
	out.AuthorizedOperations = -2147483648
	g := c.groupLocked(id)
	switch err := c.availLocked(id); {
	case err != nil:
		out.ErrorCode = err.Code
		return out
	case g == nil:
		out.State = StateDead
		if version >= 6 {
			out.ErrorCode = kerr.GroupIDNotFound.Code
			msg := "group " + id + " not found"
			out.ErrorMessage = &msg
		}
		return out
	case g.typ == TypeConsumer:
		c.describeConsumerAsClassic(g, &out)
		return out
	}
	cg := &g.classic
	out.State, out.ProtocolType = cg.state, cg.protocolType
	if cg.state == StateStable || cg.state == StateCompletingRebalance {
		out.Protocol = cg.protocol
	}
	for _, m := range cg.sortedMembers() {
		dm := kmsg.NewDescribeGroupsResponseGroupMember()
		dm.MemberID, dm.ClientID, dm.ClientHost = m.id, m.clientID, m.clientHost
		if m.instanceID != "" {
			iid := m.instanceID
			dm.InstanceID = &iid
		}
		if cg.state == StateStable {
			dm.ProtocolMetadata = m.metadataFor(cg.protocol)
			dm.MemberAssignment = m.assignment
		}
		out.Members = append(out.Members, dm)
	}
	return out
}

// DeleteGroups handles DeleteGroups: only empty groups are deleted, with
// tombstones for their metadata and every committed offset.
func (c *Coordinator) DeleteGroups(r *kmsg.DeleteGroupsRequest) *kmsg.DeleteGroupsResponse {
	resp := kmsg.NewPtrDeleteGroupsResponse()
	c.doOr(func() {
		for _, id := range r.Groups {
			dg := kmsg.NewDeleteGroupsResponseGroup()
			dg.Group = id
			if err := c.deleteGroupLocked(id); err != nil {
				dg.ErrorCode = err.Code
			}
			resp.Groups = append(resp.Groups, dg)
		}
	}, func(failed func(string) bool) {
		for i, g := range resp.Groups {
			if failed(g.Group) && g.ErrorCode == 0 {
				resp.Groups[i].ErrorCode = kerr.NotCoordinator.Code
			}
		}
	})
	return resp
}

func (c *Coordinator) deleteGroupLocked(id string) *kerr.Error {
	g := c.groupLocked(id)
	switch err := c.availLocked(id); {
	case id == "":
		return kerr.InvalidGroupID
	case err != nil:
		return err
	case g == nil:
		return kerr.GroupIDNotFound
	case !g.isEmpty():
		return kerr.NonEmptyGroup
	}
	if err := c.write(id, tombstones(g)); err != nil {
		return writeErrCode(err, kerr.CoordinatorNotAvailable)
	}
	g.stopTimers()
	delete(c.mu.groups, id)
	return nil
}

// tombstones deletes every record of the group.
func tombstones(g *group) []kv {
	var recs []kv
	for tp := range g.offsets {
		recs = append(recs, kv{key: offsetCommitKey(g.id, tp.topic, tp.partition)})
	}
	if g.typ == TypeConsumer {
		return append(recs, g.consumer.tombstones(g.id)...)
	}
	return append(recs, kv{key: groupMetadataKey(g.id)})
}

// Exists reports whether a classic or consumer group of this id exists
// (share groups live in internal/share and share the namespace).
func (c *Coordinator) Exists(id string) bool {
	var ok bool
	c.do(func() { ok = c.groupLocked(id) != nil })
	return ok
}
