package group

import (
	"bytes"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// classicGroup is the state of a group using the classic protocol, as
// Kafka's ClassicGroup: members join, the leader assigns, the coordinator
// distributes the assignment.
type classicGroup struct {
	state        string
	protocolType string
	protocol     string // selected protocol, "" when none
	generation   int32
	leader       string
	members      map[string]*member
	pending      map[string]*timer // member ids handed out, not yet joined (KIP-394)
	statics      map[string]string // group.instance.id -> member id
	seq          int64             // join order counter

	joinTimer *timer
	// initial delay (group.initial.rebalance.delay.ms): while delaying,
	// joins do not complete the rebalance early.
	delaying         bool
	delayRemaining   time.Duration
	newMemberInDelay bool
}

// protocol is one (name, metadata) a member supports.
type protocol struct {
	name     string
	metadata []byte
}

// member is one member of a classic group.
type member struct {
	id, instanceID, clientID, clientHost string
	sessionTimeout, rebalanceTimeout     time.Duration
	protocols                            []protocol
	assignment                           []byte
	seq                                  int64

	joinCB    func(*kmsg.JoinGroupResponse)
	joinVer   int16
	syncCB    func(*kmsg.SyncGroupResponse)
	heartbeat *timer
}

func (cg *classicGroup) init() {
	cg.state = StateEmpty
	cg.members = make(map[string]*member)
	cg.pending = make(map[string]*timer)
	cg.statics = make(map[string]string)
}

func (cg *classicGroup) stopTimers() {
	cg.joinTimer.stop()
	for _, t := range cg.pending {
		t.stop()
	}
	for _, m := range cg.members {
		m.heartbeat.stop()
	}
}

// metadataFor is the member's metadata for a protocol.
func (m *member) metadataFor(name string) []byte {
	for _, p := range m.protocols {
		if p.name == name {
			return p.metadata
		}
	}
	return nil
}

func (m *member) supports(name string) bool {
	for _, p := range m.protocols {
		if p.name == name {
			return true
		}
	}
	return false
}

// sameProtocols reports whether ps equals the member's protocols.
func (m *member) sameProtocols(ps []protocol) bool {
	if len(ps) != len(m.protocols) {
		return false
	}
	for i := range ps {
		if ps[i].name != m.protocols[i].name || !bytes.Equal(ps[i].metadata, m.protocols[i].metadata) {
			return false
		}
	}
	return true
}

// supportsProtocols reports whether a member with protocol type pt and
// protocols ps may join: the same type, and at least one protocol every
// member supports.
func (cg *classicGroup) supportsProtocols(pt string, ps []protocol) bool {
	if len(cg.members) == 0 {
		return pt != "" && len(ps) > 0
	}
	if pt != cg.protocolType {
		return false
	}
	for _, p := range ps {
		all := true
		for _, m := range cg.members {
			if !m.supports(p.name) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}

// selectProtocol picks the protocol every member supports that most
// members list first (Kafka's vote), ties broken by the oldest member's order.
func (cg *classicGroup) selectProtocol() string {
	ms := cg.sortedMembers()
	var candidates []string
	for _, p := range ms[0].protocols {
		all := true
		for _, m := range ms {
			all = all && m.supports(p.name)
		}
		if all {
			candidates = append(candidates, p.name)
		}
	}
	votes := map[string]int{}
	for _, m := range ms {
		for _, p := range m.protocols {
			if contains(candidates, p.name) {
				votes[p.name]++
				break
			}
		}
	}
	best := ""
	for _, c := range candidates {
		if best == "" || votes[c] > votes[best] {
			best = c
		}
	}
	return best
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// sortedMembers lists members in join order.
func (cg *classicGroup) sortedMembers() []*member {
	out := make([]*member, 0, len(cg.members))
	for _, m := range cg.members {
		out = append(out, m)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].seq < out[j-1].seq; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// allJoined reports whether every member has rejoined and no member id
// handed out is still pending.
func (cg *classicGroup) allJoined() bool {
	if len(cg.pending) > 0 {
		return false
	}
	for _, m := range cg.members {
		if m.joinCB == nil {
			return false
		}
	}
	return true
}

// maxRebalanceTimeout is the longest rebalance timeout of any member.
func (cg *classicGroup) maxRebalanceTimeout() time.Duration {
	var d time.Duration
	for _, m := range cg.members {
		d = max(d, m.rebalanceTimeout)
	}
	return d
}

// subscribed reports whether a consumer-protocol member subscribes to
// topic or has it assigned.
func (cg *classicGroup) subscribed(topic string) bool {
	if cg.protocolType != "consumer" || cg.protocol == "" {
		return false
	}
	for _, m := range cg.members {
		var meta kmsg.ConsumerMemberMetadata
		if meta.ReadFrom(m.metadataFor(cg.protocol)) == nil && contains(meta.Topics, topic) {
			return true
		}
	}
	return false
}

func protocolsOf(ps []kmsg.JoinGroupRequestProtocol) []protocol {
	out := make([]protocol, len(ps))
	for i, p := range ps {
		out[i] = protocol{name: p.Name, metadata: bytes.Clone(p.Metadata)}
	}
	return out
}
