package broker

import (
	"github.com/gofka/gofka/internal/wire"
	"github.com/twmb/franz-go/pkg/kerr"
)

// authorize applies Kafka's Fetch authorization: a replica's fetch needs
// ClusterAction on the cluster (CLUSTER_AUTHORIZATION_FAILED for the whole
// request); a consumer's needs Read on each topic, and partitions of the
// other topics are answered TOPIC_AUTHORIZATION_FAILED.
func (op *fetchOp) authorize(req *wire.Request) *kerr.Error {
	if op.replica >= 0 {
		if !op.n.authorizeCluster(req, opClusterAction) {
			return kerr.ClusterAuthorizationFailed
		}
		return nil
	}
	for _, sp := range op.items {
		t := sp.key.topic
		if _, seen := op.denied[t]; seen || t == "" {
			continue
		}
		if op.denied == nil {
			op.denied = map[string]bool{}
		}
		op.denied[t] = !op.n.authorize(req, opRead, resTopic, t)
	}
	return nil
}
