package broker

// FindCoordinator, versions 0-6; batched keys from v4 (KIP-699). Every
// group's coordinator is this node (one broker leads every partition of
// __consumer_offsets), which is created through the controller on first
// use as Kafka does: compacted, offsets.topic.num.partitions partitions,
// offsets.topic.segment.bytes segments and offsets.topic.replication.factor
// capped to the registered brokers. Transaction keys answer the same node,
// and so do share-coordinator keys ("group:topicId:partition", type 2,
// creating __share_group_state on first use).

import (
	"strconv"
	"strings"

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
	switch {
	case typ == 0 && key == "":
		return fail(kerr.InvalidRequest)
	case typ == 0:
		if err := n.ensureOffsetsTopic(); err != nil {
			return fail(err)
		}
	case typ == 1:
		if err := n.ensureTxnTopic(); err != nil {
			return fail(err)
		}
	case typ == 2 && strings.Count(key, ":") < 2: // share: "group:topicId:partition"
		return fail(kerr.InvalidRequest)
	case typ == 2:
		if err := n.ensureShareStateTopic(); err != nil {
			return fail(err)
		}
	default:
		return fail(kerr.InvalidRequest)
	}
	b := n.meta.Current().Brokers[n.nodeID]
	if b == nil {
		return fail(kerr.CoordinatorNotAvailable)
	}
	ep, ok := endpointFor(b, listener)
	if !ok {
		return fail(kerr.CoordinatorNotAvailable)
	}
	c.NodeID, c.Host, c.Port = n.nodeID, ep.Host, int32(ep.Port)
	return c
}

// ensureOffsetsTopic creates __consumer_offsets when it does not exist.
func (n *Node) ensureOffsetsTopic() *kerr.Error {
	if n.meta.Current().Topic(offsetsTopic) != nil {
		return nil
	}
	n.groups.createMu.Lock()
	defer n.groups.createMu.Unlock()
	return n.createInternalTopic(offsetsTopic, n.groups.coord.NumPartitions(), n.cfg.OffsetsTopicReplicationFactor,
		map[string]string{
			"cleanup.policy":   "compact",
			"compression.type": "producer",
			"segment.bytes":    strconv.Itoa(int(n.cfg.OffsetsTopicSegmentBytes)),
		})
}

// createInternalTopic creates a coordinator's topic through the
// controller unless it exists, its replication factor capped to the
// registered brokers. The caller serializes creations of one topic.
func (n *Node) createInternalTopic(name string, partitions int32, rf int16, configs map[string]string) *kerr.Error {
	img := n.meta.Current()
	if img.Topic(name) != nil {
		return nil
	}
	req := kmsg.NewPtrCreateTopicsRequest()
	t := kmsg.NewCreateTopicsRequestTopic()
	t.Topic = name
	t.NumPartitions = partitions
	t.ReplicationFactor = max(1, min(rf, int16(len(img.Brokers))))
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
