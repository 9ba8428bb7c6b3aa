package broker

// Share groups (KIP-932): the share coordinator (internal/share) wired
// to the node. Membership, share sessions and the share partitions of
// this node's leader partitions live in one share.Coordinator; the
// durable share-partition state lives in __share_group_state, created
// through the controller on first use, replayed at start-up.

import (
	"fmt"
	"strconv"

	"github.com/gofka/gofka/internal/config"
	"github.com/gofka/gofka/internal/controller"
	"sync"
	"time"

	"github.com/gofka/gofka/internal/share"
	"github.com/gofka/gofka/internal/wire"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// shareStateTopic is Kafka's internal topic of share-partition state.
const shareStateTopic = "__share_group_state"

// shareState is the node's share groups.
type shareState struct {
	coord    *share.Coordinator
	createMu sync.Mutex // serializes creation of __share_group_state
}

// shareAPIs lists the share-group APIs served.
func shareAPIs() []api {
	return []api{
		{key: 76, min: 1, max: 1, handle: (*Node).handleShareGroupHeartbeat},
		{key: 77, min: 1, max: 1, handle: (*Node).handleShareGroupDescribe},
		{key: 78, min: 1, max: 2, handle: (*Node).handleShareFetch},
		{key: 79, min: 1, max: 2, handle: (*Node).handleShareAcknowledge},
		{key: 83, min: 0, max: 0, handle: (*Node).handleInitializeShareGroupState},
		{key: 84, min: 0, max: 0, handle: (*Node).handleReadShareGroupState},
		{key: 85, min: 0, max: 1, handle: (*Node).handleWriteShareGroupState},
		{key: 86, min: 0, max: 0, handle: (*Node).handleDeleteShareGroupState},
		{key: 87, min: 0, max: 1, handle: (*Node).handleReadShareGroupStateSummary},
		{key: 90, min: 0, max: 1, handle: (*Node).handleDescribeShareGroupOffsets},
		{key: 91, min: 0, max: 0, handle: (*Node).handleAlterShareGroupOffsets},
		{key: 92, min: 0, max: 0, handle: (*Node).handleDeleteShareGroupOffsets},
	}
}

// startShares finalizes group.version 1 (KIP-848 consumer groups) and
// share.version 1 (KIP-932 share groups) on a new cluster, builds the coordinator, replays __share_group_state and
// starts the ticker of lock and session timeouts.
func (n *Node) startShares() error {
	for name, level := range map[string]int16{"group.version": controller.MaxGroupVersion, "share.version": controller.MaxShareVersion} {
		if err := n.controller().FinalizeFeature(name, level); err != nil {
			return err
		}
	}
	c := n.cfg
	parts := c.ShareStateTopicNumPartitions
	if t := n.meta.Current().Topic(shareStateTopic); t != nil {
		parts = int32(len(t.Partitions))
	}
	st := share.NewStateStore(share.StateConfig{
		NumPartitions:      parts,
		UpdatesPerSnapshot: int(c.ShareSnapshotUpdatesPerSnapshot),
	}, groupStore{n, shareStateTopic}, n.now)
	if err := st.Load(); err != nil {
		return fmt.Errorf("broker: load share groups: %w", err)
	}
	n.shares.coord = share.New(n.shareConfig(), st, n.groupMetadata, n.now)
	tick := min(time.Second, ms(int64(c.GroupShareRecordLockDurationMs))/10)
	n.goAsync(func(quit <-chan struct{}) { every(quit, tick, n.shares.coord.Tick) })
	n.goAsync(func(quit <-chan struct{}) {
		every(quit, ms(c.ShareStateTopicPruneIntervalMs), func() {
			if err := st.Prune(); err != nil {
				n.log.Error("prune share state", "err", err)
			}
		})
	})
	return nil
}

func (n *Node) shareConfig() share.Config {
	c := n.cfg
	return share.Config{
		HeartbeatInterval: ms(int64(c.GroupShareHeartbeatIntervalMs)),
		SessionTimeout:    ms(int64(c.GroupShareSessionTimeoutMs)),
		MaxSize:           int(c.GroupShareMaxSize),
		Limits: share.Limits{
			LockMs:        int64(c.GroupShareRecordLockDurationMs),
			MaxDeliveries: int16(c.GroupShareDeliveryCountLimit),
			MaxLocks:      int(c.GroupSharePartitionMaxRecordLocks),
		},
		MaxSessions:     int(c.GroupShareMaxShareSessions),
		AutoOffsetReset: c.ShareAutoOffsetReset,
		Isolation:       c.ShareIsolationLevel,
		Group:           n.shareGroupSettings,
	}
}

// shareGroupSettings resolves a share group's configs (resource type
// GROUP) over the broker's.
func (n *Node) shareGroupSettings(groupID string) share.GroupSettings {
	img := n.meta.Current()
	layers := n.brokerLayers(img)
	v := config.ResolveGroup(layers, img.Configs(controller.ResourceGroup, groupID))
	num := func(name string) int64 {
		i, _ := strconv.ParseInt(v[name], 10, 64) // validated when set
		return i
	}
	return share.GroupSettings{
		HeartbeatInterval: ms(num("share.heartbeat.interval.ms")),
		SessionTimeout:    ms(num("share.session.timeout.ms")),
		Limits: share.Limits{
			LockMs:        num("share.record.lock.duration.ms"),
			MaxDeliveries: int16(num("share.delivery.count.limit")),
			MaxLocks:      int(n.cfg.GroupSharePartitionMaxRecordLocks),
		},
		AutoOffsetReset: v["share.auto.offset.reset"],
		Isolation:       v["share.isolation.level"],
	}
}

// ensureShareStateTopic creates __share_group_state when it does not
// exist: cleanup.policy delete with no retention, as Kafka creates it.
func (n *Node) ensureShareStateTopic() *kerr.Error {
	if n.meta.Current().Topic(shareStateTopic) != nil {
		return nil
	}
	n.shares.createMu.Lock()
	defer n.shares.createMu.Unlock()
	return n.createInternalTopic(shareStateTopic, n.shares.coord.State().NumPartitions(),
		"share.coordinator.state.topic.replication.factor", n.cfg.ShareStateTopicReplicationFactor, map[string]string{
			"cleanup.policy":   "delete",
			"retention.ms":     "-1",
			"compression.type": "producer",
			"segment.bytes":    strconv.Itoa(int(n.cfg.ShareStateTopicSegmentBytes)),
		})
}

// sharesEnabled reports whether share.version is finalized at 1 or more:
// with it at 0 (downgraded), members can neither join nor fetch.
func (n *Node) sharesEnabled() bool { return n.meta.Current().Features["share.version"] >= 1 }

func (n *Node) handleShareGroupHeartbeat(req *wire.Request, reply wire.Reply) {
	r := req.Msg.(*kmsg.ShareGroupHeartbeatRequest)
	fail := func(err *kerr.Error, msg string) {
		resp := r.ResponseKind().(*kmsg.ShareGroupHeartbeatResponse)
		resp.ErrorCode, resp.ErrorMessage = err.Code, &msg
		reply.Send(resp)
	}
	if !n.sharesEnabled() {
		fail(kerr.UnsupportedVersion, "Share groups are not enabled: share.version is 0.")
		return
	}
	if err := n.ensureShareStateTopic(); err != nil {
		fail(err, err.Message)
		return
	}
	if err := n.groupOwner(r.GroupID); err != nil {
		fail(err, err.Message)
		return
	}
	if r.GroupID != "" && n.groups.coord.Exists(r.GroupID) {
		fail(kerr.GroupIDNotFound, "Group "+r.GroupID+" is not a share group.")
		return
	}
	reply.Send(n.shares.coord.Heartbeat(r, share.Member{ClientID: req.ClientIDString(), Host: clientHost(req)}))
}

func (n *Node) handleShareGroupDescribe(req *wire.Request, reply wire.Reply) {
	r := req.Msg.(*kmsg.ShareGroupDescribeRequest)
	resp := n.shares.coord.Describe(r)
	for i := range resp.Groups {
		g := &resp.Groups[i]
		if err := n.groupOwner(g.GroupID); err != nil {
			*g = kmsg.ShareGroupDescribeResponseGroup{GroupID: g.GroupID, ErrorCode: err.Code, AuthorizedOperations: opsNotRequested}
		}
		if g.ErrorCode == kerr.GroupIDNotFound.Code && n.groups.coord.Exists(g.GroupID) {
			msg := "Group " + g.GroupID + " is not a share group."
			g.ErrorMessage = &msg
		}
		if !n.authorizeGroup(req, opDescribe, g.GroupID) {
			*g = kmsg.ShareGroupDescribeResponseGroup{GroupID: g.GroupID, ErrorCode: groupDenied, AuthorizedOperations: opsNotRequested}
			continue
		}
		if r.IncludeAuthorizedOperations {
			g.AuthorizedOperations = n.groupOps(req, g.GroupID)
		}
	}
	reply.Send(resp)
}
