package broker

// The replication factor of the coordinators' topics (__consumer_offsets,
// __transaction_state, __share_group_state), as Kafka's
// offsets.topic.replication.factor,
// transaction.state.log.replication.factor and
// share.coordinator.state.topic.replication.factor: the topic is created
// with that many replicas, and until that many brokers are registered and
// unfenced its creation fails and FindCoordinator answers
// COORDINATOR_NOT_AVAILABLE. One exception keeps a single node working
// out of the box (`gofka server` with no arguments, a one-node gofkatest
// cluster): on a node that is the whole cluster by configuration (broker
// and controller, at most one quorum voter) and with the property left at
// its default (3), the factor is capped to the registered brokers, and the
// topic's min.insync.replicas with it. Set the property to make it strict
// there too.

import (
	"strconv"

	"github.com/gofka/gofka/internal/metadata"
	"github.com/twmb/franz-go/pkg/kerr"
)

// internalTopicRF is the replication factor to create a coordinator topic
// with; capped reports the single-node cap.
func (n *Node) internalTopicRF(img *metadata.Image, topic, prop string, rf int16) (int16, bool, *kerr.Error) {
	live := int16(0)
	for _, b := range img.Brokers {
		if !b.Fenced && !b.InControlledShutdown {
			live++
		}
	}
	if _, set := n.cfg.Raw[prop]; !set && n.singleNodeShape() && rf > live {
		return max(1, live), true, nil
	}
	if live < rf {
		n.log.Warn("cannot create "+topic+" yet: fewer live brokers than "+prop, "brokers", live, prop, rf)
		return 0, false, kerr.CoordinatorNotAvailable
	}
	return rf, false, nil
}

// singleNodeShape reports a node configured as a whole cluster: broker
// and controller, with at most one quorum voter or bootstrap server.
func (n *Node) singleNodeShape() bool {
	c := n.cfg
	return c.HasRole("broker") && c.HasRole("controller") &&
		len(c.ControllerQuorumVoters) <= 1 && len(c.ControllerQuorumBootstrap) <= 1
}

// capMinISR lowers a topic's min.insync.replicas to its replication
// factor (the single-node cap).
func capMinISR(configs map[string]string, rf int16) {
	if v, ok := configs["min.insync.replicas"]; ok {
		if m, err := strconv.Atoi(v); err == nil && m > int(rf) {
			configs["min.insync.replicas"] = strconv.Itoa(int(rf))
		}
	}
}
