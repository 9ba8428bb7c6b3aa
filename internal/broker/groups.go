package broker

// Consumer groups and offsets: the group coordinator (internal/group) wired
// to the node. The coordinator's state lives in __consumer_offsets, created
// through the controller on the first FindCoordinator (as Kafka does) and
// replayed at start-up before clients connect.

import (
	"sync"

	"github.com/gofka/gofka/internal/group"
	"github.com/gofka/gofka/internal/metadata"
	"github.com/gofka/gofka/internal/wire"
	"github.com/twmb/franz-go/pkg/kerr"
)

// offsetsTopic is Kafka's internal topic of group state and offsets.
const offsetsTopic = "__consumer_offsets"

// groupState is the node's consumer groups and offsets state.
type groupState struct {
	coord    *group.Coordinator
	createMu sync.Mutex // serializes creation of __consumer_offsets
}

// groupAPIs lists the consumer groups and offsets APIs served, at Kafka
// 4.0's floors (KIP-896) and the newest versions kmsg knows.
func groupAPIs() []api {
	return []api{
		{key: 8, min: 2, max: 10, handle: (*Node).handleOffsetCommit},
		{key: 9, min: 1, max: 10, handle: (*Node).handleOffsetFetch},
		{key: 10, min: 0, max: 6, handle: (*Node).handleFindCoordinator},
		{key: 11, min: 2, max: 9, handle: (*Node).handleJoinGroup},
		{key: 12, min: 0, max: 4, handle: (*Node).handleHeartbeat},
		{key: 13, min: 0, max: 5, handle: (*Node).handleLeaveGroup},
		{key: 14, min: 0, max: 5, handle: (*Node).handleSyncGroup},
		{key: 15, min: 0, max: 6, handle: (*Node).handleDescribeGroups},
		{key: 16, min: 0, max: 5, handle: (*Node).handleListGroups},
		{key: 42, min: 0, max: 3, handle: (*Node).handleDeleteGroups},
		{key: 47, min: 0, max: 0, handle: (*Node).handleOffsetDelete},
		{key: 68, min: 0, max: 1, handle: (*Node).handleConsumerGroupHeartbeat},
		{key: 69, min: 0, max: 1, handle: (*Node).handleConsumerGroupDescribe},
	}
}

// startGroups builds the coordinator; the __consumer_offsets partitions
// this node leads are loaded by coordinator_leadership.go.
func (n *Node) startGroups() error {
	cfg := n.groupConfig()
	cfg.Owner = func(p int32) *kerr.Error { return n.coordOwner(offsetsTopic, p) }
	n.groups.coord = group.New(cfg, group.SystemClock{}, groupStore{n, offsetsTopic}, n.groupMetadata)
	coord := n.groups.coord
	n.meta.Subscribe(func(_, _ *metadata.Image, d metadata.Delta) {
		var names []string
		for _, t := range d.DeletedTopics {
			names = append(names, t.Name)
		}
		if len(names) > 0 {
			coord.TopicsDeleted(names)
		}
	})
	return nil
}

func (n *Node) closeGroups() error {
	if n.groups.coord != nil {
		n.groups.coord.Close()
	}
	return nil
}

// groupConfig maps the broker's group.* and offsets.* properties. An
// existing __consumer_offsets keeps its partition count.
func (n *Node) groupConfig() group.Config {
	c := n.cfg
	cfg := group.DefaultConfig()
	cfg.NumPartitions = c.OffsetsTopicNumPartitions
	if t := n.meta.Current().Topic(offsetsTopic); t != nil {
		cfg.NumPartitions = int32(len(t.Partitions))
	}
	cfg.MinSessionTimeout = ms(int64(c.GroupMinSessionTimeoutMs))
	cfg.MaxSessionTimeout = ms(int64(c.GroupMaxSessionTimeoutMs))
	cfg.InitialRebalanceDelay = ms(c.GroupInitialRebalanceDelayMs)
	cfg.MaxSize = int(c.GroupMaxSize)
	cfg.OffsetMetadataMaxBytes = int(c.OffsetMetadataMaxBytes)
	cfg.OffsetsRetention = ms(int64(c.OffsetsRetentionMinutes) * 60_000)
	cfg.RetentionCheckInterval = ms(c.OffsetsRetentionCheckIntervalMs)
	cfg.ConsumerSessionTimeout = ms(int64(c.GroupConsumerSessionTimeoutMs))
	cfg.ConsumerHeartbeatInterval = ms(int64(c.GroupConsumerHeartbeatIntervalMs))
	cfg.ConsumerMaxSize = int(c.GroupConsumerMaxSize)
	cfg.Assignors = c.GroupConsumerAssignors
	cfg.MigrationPolicy = c.GroupConsumerMigrationPolicy
	cfg.Protocols = c.GroupCoordinatorRebalanceProtocols
	cfg.OnWriteError = func(g string, err error) {
		n.log.Error("group write failed", "group", g, "err", err)
	}
	return cfg
}

// clientHost is the client address as Kafka reports it ("/127.0.0.1").
func clientHost(req *wire.Request) string {
	if req.Conn == nil || req.Conn.Remote == nil {
		return ""
	}
	host := req.Conn.Remote.String()
	if i := lastColon(host); i >= 0 {
		host = host[:i]
	}
	return "/" + trimBrackets(host)
}

func lastColon(s string) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == ':' {
			return i
		}
	}
	return -1
}

func trimBrackets(s string) string {
	if len(s) >= 2 && s[0] == '[' && s[len(s)-1] == ']' {
		return s[1 : len(s)-1]
	}
	return s
}
