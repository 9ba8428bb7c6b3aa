package broker

// DescribeCluster, versions 0-2: cluster id, controller and brokers at the
// endpoint of the request's listener. Endpoint type "controller" (v1+,
// KIP-919) is answered UNSUPPORTED_ENDPOINT_TYPE on a broker listener, as
// Kafka does (the controller listener answers it: describe_quorum.go);
// fenced brokers are listed only when asked (v2).

import (
	"github.com/gofka/gofka/internal/authz"
	"sort"

	"github.com/gofka/gofka/internal/wire"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

const endpointTypeController = 2

func (n *Node) handleDescribeCluster(req *wire.Request, reply wire.Reply) {
	r := req.Msg.(*kmsg.DescribeClusterRequest)
	resp := r.ResponseKind().(*kmsg.DescribeClusterResponse)
	resp.SetVersion(req.Version)
	resp.EndpointType = r.EndpointType
	if r.EndpointType == endpointTypeController {
		resp.ErrorCode = kerr.UnsupportedEndpointType.Code
		msg := "The broker does not support endpoint type CONTROLLER"
		resp.ErrorMessage = &msg
		reply.Send(resp)
		return
	}
	if !n.authorizeCluster(req, opDescribe) {
		resp.ErrorCode = kerr.ClusterAuthorizationFailed.Code
		reply.Send(resp)
		return
	}
	img := n.meta.Current()
	resp.ClusterID = n.clusterID
	resp.ControllerID = n.nodeID
	resp.ClusterAuthorizedOperations = opsNotRequested
	if r.IncludeClusterAuthorizedOperations {
		resp.ClusterAuthorizedOperations = n.authorizedOps(req, resCluster, authz.ClusterName)
	}
	for _, b := range img.Brokers {
		if b.Fenced && !r.IncludeFencedBrokers {
			continue
		}
		ep, ok := endpointFor(b, req.Conn.Listener)
		if !ok {
			continue
		}
		db := kmsg.NewDescribeClusterResponseBroker()
		db.NodeID, db.Host, db.Port, db.Rack, db.IsFenced = b.ID, ep.Host, ep.Port, b.Rack, b.Fenced
		resp.Brokers = append(resp.Brokers, db)
	}
	sort.Slice(resp.Brokers, func(i, j int) bool { return resp.Brokers[i].NodeID < resp.Brokers[j].NodeID })
	reply.Send(resp)
}
