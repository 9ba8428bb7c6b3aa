package group

import (
	"time"
)

// Group states as DescribeGroups and ListGroups name them. Classic groups
// use Empty, PreparingRebalance, CompletingRebalance, Stable and Dead;
// consumer groups use Empty, Assigning, Reconciling, Stable and Dead.
const (
	StateEmpty               = "Empty"
	StatePreparingRebalance  = "PreparingRebalance"
	StateCompletingRebalance = "CompletingRebalance"
	StateStable              = "Stable"
	StateDead                = "Dead"
	StateAssigning           = "Assigning"
	StateReconciling         = "Reconciling"
)

// Group types (ListGroups v5).
const (
	TypeClassic  = "classic"
	TypeConsumer = "consumer"
)

type topicPartition struct {
	topic     string
	partition int32
}

// offsetEntry is one committed offset.
type offsetEntry struct {
	offset      int64
	leaderEpoch int32
	metadata    string
	commitMs    int64
}

// group is one group of either type with its committed offsets.
type group struct {
	id      string
	typ     string
	offsets map[topicPartition]offsetEntry
	// stateMs is when the group last changed state (for expiry of
	// empty groups: Kafka's currentStateTimestamp).
	stateMs int64

	classic  classicGroup
	consumer *consumerGroup
}

func newGroup(id string, typ string, nowMs int64) *group {
	g := &group{id: id, typ: typ, offsets: make(map[topicPartition]offsetEntry), stateMs: nowMs}
	g.classic.init()
	if typ == TypeConsumer {
		g.consumer = newConsumerGroup()
	}
	return g
}

// state is the group's state name.
func (g *group) state() string {
	if g.typ == TypeConsumer {
		return g.consumer.state()
	}
	return g.classic.state
}

// isEmpty reports whether the group has no members.
func (g *group) isEmpty() bool {
	if g.typ == TypeConsumer {
		return len(g.consumer.members) == 0
	}
	return len(g.classic.members) == 0 && len(g.classic.pending) == 0
}

// protocolType is the group's protocol type ("consumer" for KIP-848 groups).
func (g *group) protocolType() string {
	if g.typ == TypeConsumer {
		return "consumer"
	}
	return g.classic.protocolType
}

func (g *group) stopTimers() {
	g.classic.stopTimers()
	if g.consumer != nil {
		g.consumer.stopTimers()
	}
}

// subscribed reports whether the group's members consume topic (for
// OffsetDelete and expiry).
func (g *group) subscribed(topic string) bool {
	if g.typ == TypeConsumer {
		return g.consumer.subscribed(topic)
	}
	return g.classic.subscribed(topic)
}

func ms(v int32) time.Duration { return time.Duration(v) * time.Millisecond }
