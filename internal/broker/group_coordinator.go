package broker

// FindCoordinator, versions 0-6; batched keys from v4 (KIP-699). A key's
// coordinator is the leader of its coordinator partition, as Kafka
// computes it: Utils.abs(key.hashCode()) % partitions (Java's
// String.hashCode) of __consumer_offsets for groups (type 0),
// __transaction_state for transactional ids (type 1) and
// __share_group_state for share-coordinator keys ("group:topicId:partition",
// type 2), answered with its endpoint on the requester's listener;
// COORDINATOR_NOT_AVAILABLE while the partition has no leader. A missing
// coordinator topic is created through the controller on first use as
// Kafka does (compacted, offsets.topic.num.partitions partitions,
// offsets.topic.segment.bytes segments, offsets.topic.replication.factor
// replicas; see createInternalTopic for the replication factor).

import (
	"strconv"
	"strings"

	"github.com/gofka/gofka/internal/group"
	"github.com/gofka/gofka/internal/metadata"
	"github.com/gofka/gofka/internal/txn"
	"github.com/gofka/gofka/internal/wire"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func (n *Node) handleFindCoordinator(req *wire.Request, reply wire.Reply) {
	r := req.Msg.(*kmsg.FindCoordinatorRequest)
	resp := r.ResponseKind().(*kmsg.FindCoordinatorResponse)
	keys := r.CoordinatorKeys
	if req.Version < 4 {
		keys = []string{r.CoordinatorKey}
	}
	for _, k := range keys {
		if !n.coordinatorKeyAllowed(req, r.CoordinatorType, k) {
			resp.Coordinators = append(resp.Coordinators, coordinatorDenied(r.CoordinatorType, k))
			continue
		}
		resp.Coordinators = append(resp.Coordinators, n.findCoordinator(req.Conn.Listener, r.CoordinatorType, k))
	}
	if req.Version < 4 {
		c := resp.Coordinators[0]
		resp.ErrorCode, resp.ErrorMessage, resp.NodeID, resp.Host, resp.Port = c.ErrorCode, c.ErrorMessage, c.NodeID, c.Host, c.Port
		resp.Coordinators = nil
	}
	reply.Send(resp)
}

// coordinatorKeyAllowed: Describe on the group (type 0) or the
// transactional id (type 1).
func (n *Node) coordinatorKeyAllowed(req *wire.Request, typ int8, key string) bool {
	switch typ {
	case 0:
		return n.authorizeGroup(req, opDescribe, key)
	case 1:
		return n.authorize(req, opDescribe, resTxnID, key)
	}
	return true
}

func coordinatorDenied(typ int8, key string) kmsg.FindCoordinatorResponseCoordinator {
	c := kmsg.NewFindCoordinatorResponseCoordinator()
	c.Key, c.NodeID, c.Port = key, -1, -1
	c.ErrorCode = kerr.GroupAuthorizationFailed.Code
	if typ == 1 {
		c.ErrorCode = kerr.TransactionalIDAuthorizationFailed.Code
	}
	return c
}

func (n *Node) findCoordinator(listener string, typ int8, key string) kmsg.FindCoordinatorResponseCoordinator {
	c := kmsg.NewFindCoordinatorResponseCoordinator()
	c.Key, c.NodeID, c.Port = key, -1, -1
	fail := func(err *kerr.Error) kmsg.FindCoordinatorResponseCoordinator {
		c.ErrorCode = err.Code
		msg := err.Message
		c.ErrorMessage = &msg
		return c
	}
	var topic string
	switch {
	case typ == 0 && key == "":
		return fail(kerr.InvalidRequest)
	case typ == 0:
		if err := n.ensureOffsetsTopic(); err != nil {
			return fail(err)
		}
		topic = offsetsTopic
	case typ == 1:
		if err := n.ensureTxnTopic(); err != nil {
			return fail(err)
		}
		topic = txn.Topic
	case typ == 2 && strings.Count(key, ":") < 2: // share: "group:topicId:partition"
		return fail(kerr.InvalidRequest)
	case typ == 2:
		if err := n.ensureShareStateTopic(); err != nil {
			return fail(err)
		}
		topic = shareStateTopic
	default:
		return fail(kerr.InvalidRequest)
	}
	img := n.meta.Current()
	leader := coordinatorLeader(img, topic, key)
	b := img.Brokers[leader]
	if leader < 0 || b == nil || b.Fenced {
		return fail(kerr.CoordinatorNotAvailable)
	}
	ep, ok := endpointFor(b, listener)
	if !ok {
		return fail(kerr.CoordinatorNotAvailable)
	}
	c.NodeID, c.Host, c.Port = leader, ep.Host, int32(ep.Port)
	return c
}

// coordinatorLeader is the leader of key's partition of a coordinator
// topic, -1 when the topic or a leader is missing.
func coordinatorLeader(img *metadata.Image, topic, key string) int32 {
	t := img.Topic(topic)
	if t == nil || len(t.Partitions) == 0 {
		return -1
	}
	pi := t.Partitions[group.PartitionFor(key, int32(len(t.Partitions)))]
	if pi == nil {
		return -1
	}
	return pi.Leader
}

// ensureOffsetsTopic creates __consumer_offsets when it does not exist.
func (n *Node) ensureOffsetsTopic() *kerr.Error {
	if n.meta.Current().Topic(offsetsTopic) != nil {
		return nil
	}
	n.groups.createMu.Lock()
	defer n.groups.createMu.Unlock()
	return n.createInternalTopic(offsetsTopic, n.groups.coord.NumPartitions(), "offsets.topic.replication.factor",
		n.cfg.OffsetsTopicReplicationFactor, map[string]string{
			"cleanup.policy":   "compact",
			"compression.type": "producer",
			"segment.bytes":    strconv.Itoa(int(n.cfg.OffsetsTopicSegmentBytes)),
		})
}

// createInternalTopic creates a coordinator's topic through the
// controller unless it exists, with the replication factor of property
// rfName (see internalTopicRF). The caller serializes creations of one
// topic.
func (n *Node) createInternalTopic(name string, partitions int32, rfName string, rf int16, configs map[string]string) *kerr.Error {
	img := n.meta.Current()
	if img.Topic(name) != nil {
		return nil
	}
	rf, capped, kerrc := n.internalTopicRF(img, name, rfName, rf)
	if kerrc != nil {
		return kerrc
	}
	if capped {
		capMinISR(configs, rf)
	}
	req := kmsg.NewPtrCreateTopicsRequest()
	t := kmsg.NewCreateTopicsRequestTopic()
	t.Topic = name
	t.NumPartitions = partitions
	t.ReplicationFactor = rf
	for k, v := range configs {
		v := v
		t.Configs = append(t.Configs, kmsg.CreateTopicsRequestTopicConfig{Name: k, Value: &v})
	}
	req.Topics = append(req.Topics, t)
	res := n.controller().CreateTopics(req)
	if len(res) == 1 && res[0].ErrorCode != 0 && res[0].ErrorCode != kerr.TopicAlreadyExists.Code {
		n.log.Error("create "+name, "err", kerr.ErrorForCode(res[0].ErrorCode))
		return kerr.CoordinatorNotAvailable
	}
	return nil
}
