package group

import (
	"github.com/twmb/franz-go/pkg/kmsg"
)

// storeGroup writes the classic group's GroupMetadataValue (v3).
func (c *Coordinator) storeGroup(g *group) error {
	return c.write(g.id, []kv{{groupMetadataKey(g.id), classicValue(g)}})
}

func classicValue(g *group) []byte {
	cg := &g.classic
	v := kmsg.NewGroupMetadataValue()
	v.Version = 3
	v.ProtocolType = cg.protocolType
	v.Generation = cg.generation
	if cg.protocol != "" {
		p := cg.protocol
		v.Protocol = &p
	}
	if cg.leader != "" {
		l := cg.leader
		v.Leader = &l
	}
	v.CurrentStateTimestamp = g.stateMs
	for _, m := range cg.sortedMembers() {
		vm := kmsg.NewGroupMetadataValueMember()
		vm.MemberID, vm.ClientID, vm.ClientHost = m.id, m.clientID, m.clientHost
		if m.instanceID != "" {
			iid := m.instanceID
			vm.InstanceID = &iid
		}
		vm.RebalanceTimeoutMillis = int32(m.rebalanceTimeout.Milliseconds())
		vm.SessionTimeoutMillis = int32(m.sessionTimeout.Milliseconds())
		vm.Subscription = m.metadataFor(cg.protocol)
		vm.Assignment = m.assignment
		if vm.Assignment == nil {
			vm.Assignment = []byte{}
		}
		v.Members = append(v.Members, vm)
	}
	return v.AppendTo(nil)
}

// loadClassic rebuilds a classic group from its GroupMetadataValue;
// loaded members get a fresh session timeout, as Kafka's loader does.
func (c *Coordinator) loadClassic(id string, v *kmsg.GroupMetadataValue) {
	g := c.groupLocked(id)
	if g == nil || g.typ != TypeClassic {
		old := g
		g = newGroup(id, TypeClassic, v.CurrentStateTimestamp)
		if old != nil {
			g.offsets = old.offsets
			old.stopTimers()
		}
		c.mu.groups[id] = g
	}
	g.classic.stopTimers()
	g.classic.init()
	cg := &g.classic
	cg.protocolType, cg.generation = v.ProtocolType, v.Generation
	if v.Protocol != nil {
		cg.protocol = *v.Protocol
	}
	if v.Leader != nil {
		cg.leader = *v.Leader
	}
	g.stateMs = v.CurrentStateTimestamp
	for _, vm := range v.Members {
		cg.seq++
		m := &member{id: vm.MemberID, clientID: vm.ClientID, clientHost: vm.ClientHost, seq: cg.seq,
			sessionTimeout: ms(vm.SessionTimeoutMillis), rebalanceTimeout: ms(vm.RebalanceTimeoutMillis),
			protocols: []protocol{{name: cg.protocol, metadata: vm.Subscription}}, assignment: vm.Assignment}
		if vm.InstanceID != nil {
			m.instanceID = *vm.InstanceID
			cg.statics[m.instanceID] = m.id
		}
		cg.members[m.id] = m
	}
	if len(cg.members) > 0 {
		cg.state = StateStable
	}
}

// armLoaded starts the session timers of members of partition p loaded
// from the log.
func (c *Coordinator) armLoaded(p int32) {
	for _, g := range c.mu.groups {
		if c.PartitionFor(g.id) != p {
			continue
		}
		if g.typ == TypeClassic {
			for _, m := range g.classic.members {
				c.resetHeartbeat(g, m)
			}
		}
		if g.typ == TypeConsumer {
			c.armConsumerLoaded(g)
		}
	}
}
