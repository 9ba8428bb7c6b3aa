package broker

import (
	"github.com/gofka/gofka/internal/wire"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// authorize applies Kafka's Fetch authorization: a replica's fetch needs
// ClusterAction on the cluster (CLUSTER_AUTHORIZATION_FAILED for the whole
// request); a consumer's needs Read on each topic, and partitions of the
// other topics are answered TOPIC_AUTHORIZATION_FAILED.
func (op *fetchOp) authorize(req *wire.Request) *kerr.Error {
	if isReplicaFetch(op.req) {
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

// isReplicaFetch reports a follower's fetch (replica id in the request or,
// from v15, in ReplicaState).
func isReplicaFetch(r *kmsg.FetchRequest) bool {
	if r.Version >= 15 {
		return r.ReplicaState.ID >= 0
	}
	return r.ReplicaID >= 0
}
