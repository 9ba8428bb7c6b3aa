package broker

// DescribeQuorum (v0-2): the metadata quorum's leader, epoch, high
// watermark and each voter's log end offset and last contact, answered by
// the active controller (a broker forwards it there, as Kafka's do).
// Observers, as Kafka's leader lists them, are the replicas following the
// log that are no voters and fetched within the observer session timeout
// (gofka.controller.quorum.observer.session.timeout.ms, Kafka's five
// minutes): the broker-only nodes fetching committed entries from the
// leader with GofkaMetadataFetch, with the directory id they sent, and the
// voters RemoveRaftVoter removed that still follow the log (raft
// learners), by their last answer to the leader. v2's Nodes lists the
// voters only, as Kafka's does.

import (
	"maps"
	"slices"
	"time"

	"github.com/gofka/gofka/internal/raft"
	"github.com/gofka/gofka/internal/wire"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func (n *Node) handleDescribeQuorum(req *wire.Request, reply wire.Reply) {
	if n.forwarded(req, reply) {
		return
	}
	r := req.Msg.(*kmsg.DescribeQuorumRequest)
	resp := r.ResponseKind().(*kmsg.DescribeQuorumResponse)
	resp.SetVersion(req.Version)
	for _, t := range r.Topics {
		rt := kmsg.NewDescribeQuorumResponseTopic()
		rt.Topic = t.Topic
		for _, p := range t.Partitions {
			rt.Partitions = append(rt.Partitions, n.describeQuorumPartition(t.Topic, p.Partition))
		}
		resp.Topics = append(resp.Topics, rt)
	}
	resp.Nodes = quorumNodes(n.quorum.Status().Voters)
	reply.Send(resp)
}

func (n *Node) describeQuorumPartition(topic string, partition int32) kmsg.DescribeQuorumResponseTopicPartition {
	p := kmsg.NewDescribeQuorumResponseTopicPartition()
	p.Partition = partition
	if topic != raft.MetadataTopic || partition != 0 {
		p.ErrorCode = kerr.UnknownTopicOrPartition.Code
		return p
	}
	s := n.quorum.Status()
	p.LeaderID, p.LeaderEpoch, p.HighWatermark = s.Leader, int32(s.Term), s.HighWatermark
	for _, v := range s.Voters {
		p.CurrentVoters = append(p.CurrentVoters, replicaState(s, v))
	}
	for _, v := range s.Learners {
		if st, ok := s.Replicas[v.ID]; ok && time.Since(st.LastContact) < n.observerTimeout() {
			p.Observers = append(p.Observers, replicaState(s, v))
		}
	}
	for _, o := range s.Observers {
		p.Observers = append(p.Observers, observerState(o))
	}
	slices.SortFunc(p.Observers, func(a, b kmsg.DescribeQuorumResponseTopicPartitionReplicaState) int {
		return int(a.ReplicaID) - int(b.ReplicaID)
	})
	return p
}

// observerTimeout is how long after its last fetch the leader still lists
// an observer (Kafka's LeaderState OBSERVER_SESSION_TIMEOUT_MS by default).
func (n *Node) observerTimeout() time.Duration {
	if n.cfg.GofkaObserverSessionTimeoutMs <= 0 {
		return raft.DefaultObserverTimeout
	}
	return ms(int64(n.cfg.GofkaObserverSessionTimeoutMs))
}

// observerState is a broker-only observer as the leader tracks it.
func observerState(o raft.ObserverState) kmsg.DescribeQuorumResponseTopicPartitionReplicaState {
	rs := kmsg.NewDescribeQuorumResponseTopicPartitionReplicaState()
	rs.ReplicaID, rs.ReplicaDirectoryID, rs.LogEndOffset = o.ID, o.DirectoryID, o.LogEndOffset
	rs.LastFetchTimestamp = o.LastFetch.UnixMilli()
	if !o.LastCaughtUp.IsZero() {
		rs.LastCaughtUpTimestamp = o.LastCaughtUp.UnixMilli()
	}
	return rs
}

// replicaState is what the leader knows of voter or learner v's log.
func replicaState(s *raft.Status, v raft.Voter) kmsg.DescribeQuorumResponseTopicPartitionReplicaState {
	rs := kmsg.NewDescribeQuorumResponseTopicPartitionReplicaState()
	rs.ReplicaID, rs.ReplicaDirectoryID, rs.LogEndOffset = v.ID, v.DirectoryID, -1
	if st, ok := s.Replicas[v.ID]; ok {
		rs.LogEndOffset = st.LogEndOffset
		if !st.LastContact.IsZero() {
			rs.LastFetchTimestamp = st.LastContact.UnixMilli()
			if st.LogEndOffset >= s.HighWatermark {
				rs.LastCaughtUpTimestamp = rs.LastFetchTimestamp
			}
		}
	}
	if v.ID == s.Leader { // Kafka's leader reports itself caught up now
		rs.LogEndOffset = s.LogEndOffset
		rs.LastFetchTimestamp = time.Now().UnixMilli()
		rs.LastCaughtUpTimestamp = rs.LastFetchTimestamp
	}
	return rs
}

func quorumNodes(voters []raft.Voter) []kmsg.DescribeQuorumResponseNode {
	var out []kmsg.DescribeQuorumResponseNode
	for _, v := range voters {
		if v.Port == 0 {
			continue // a single voter without a controller listener
		}
		nd := kmsg.NewDescribeQuorumResponseNode()
		nd.NodeID = v.ID
		nd.Listeners = []kmsg.DescribeQuorumResponseNodeListener{{Name: v.Listener, Host: v.Host, Port: v.Port}}
		out = append(out, nd)
	}
	return out
}

// handleControllerDescribeCluster answers DescribeCluster on the controller
// listener (KIP-919): the registered controllers (ControllerRegistration)
// at their endpoint for this listener, and the active one as controller.
// Any controller answers; only the controller endpoint type is served.
func (n *Node) handleControllerDescribeCluster(req *wire.Request, reply wire.Reply) {
	r := req.Msg.(*kmsg.DescribeClusterRequest)
	resp := r.ResponseKind().(*kmsg.DescribeClusterResponse)
	resp.SetVersion(req.Version)
	resp.EndpointType = r.EndpointType
	if r.EndpointType != endpointTypeController {
		resp.ErrorCode = kerr.UnsupportedEndpointType.Code
		msg := "The controller only answers for endpoint type CONTROLLER"
		resp.ErrorMessage = &msg
		reply.Send(resp)
		return
	}
	resp.ClusterID, resp.ControllerID = n.clusterID, n.quorum.Status().Leader
	resp.ClusterAuthorizedOperations = opsNotRequested
	ctrls := n.meta.Current().Controllers
	for _, id := range slices.Sorted(maps.Keys(ctrls)) {
		for _, ep := range ctrls[id].Endpoints {
			if ep.Name == req.Conn.Listener {
				b := kmsg.NewDescribeClusterResponseBroker()
				b.NodeID, b.Host, b.Port = id, ep.Host, ep.Port
				resp.Brokers = append(resp.Brokers, b)
			}
		}
	}
	reply.Send(resp)
}
