package group

import (
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// consumerGroup is a KIP-848 consumer group.
type consumerGroup struct {
	members map[string]*cmember
}

type cmember struct{}

func newConsumerGroup() *consumerGroup { return &consumerGroup{members: map[string]*cmember{}} }

func (cg *consumerGroup) state() string           { return StateEmpty }
func (cg *consumerGroup) stopTimers()             {}
func (cg *consumerGroup) subscribed(string) bool  { return false }
func (cg *consumerGroup) tombstones(string) []kv  { return nil }
func (c *Coordinator) armConsumerLoaded(g *group) {}

func (c *Coordinator) replayConsumer(v int16, key, value []byte) error { return nil }

func (c *Coordinator) validateConsumerCommit(g *group, memberID string, epoch int32, version int16) *kerr.Error {
	return kerr.UnknownMemberID
}

func (c *Coordinator) validateConsumerFetch(g *group, memberID string, epoch int32) *kerr.Error {
	return kerr.UnknownMemberID
}

func (c *Coordinator) describeConsumerAsClassic(g *group, out *kmsg.DescribeGroupsResponseGroup) {}

func (c *Coordinator) classicJoinConsumerGroup(g *group, r *kmsg.JoinGroupRequest, clientID, clientHost string, respond func(*kmsg.JoinGroupResponse)) *kerr.Error {
	return kerr.InconsistentGroupProtocol
}

func (c *Coordinator) classicSyncConsumerGroup(g *group, r *kmsg.SyncGroupRequest, respond func(*kmsg.SyncGroupResponse)) *kerr.Error {
	return kerr.UnknownMemberID
}

func (c *Coordinator) classicHeartbeatConsumerGroup(g *group, r *kmsg.HeartbeatRequest) *kerr.Error {
	return kerr.UnknownMemberID
}

func (c *Coordinator) consumerLeaveClassic(g *group, memberID string, iid *string) *kerr.Error {
	return kerr.UnknownMemberID
}
