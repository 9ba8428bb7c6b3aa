package broker

// ApiVersions, versions 0-5. Follows KIP-511: a request at a version above
// the newest served is answered at version 0 with UNSUPPORTED_VERSION and
// ApiVersions' own version range, so the client can retry at a version served.
// Version 3+ also reports the supported and finalized features (see
// features.go); version 5 (KIP-1242) checks the client's idea of cluster
// and node id.

import (
	"github.com/gofka/gofka/internal/wire"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func (n *Node) handleApiVersions(req *wire.Request, reply wire.Reply) {
	resp := kmsg.NewPtrApiVersionsResponse()
	if req.Unsupported {
		// As Kafka: only ApiVersions' own range, enough to retry with.
		resp.ErrorCode = kerr.UnsupportedVersion.Code
		min, max, _ := n.Versions(req.Key)
		resp.ApiKeys = []kmsg.ApiVersionsResponseApiKey{{ApiKey: req.Key, MinVersion: min, MaxVersion: max}}
		reply.SendVersion(resp, 0)
		return
	}
	resp.ApiKeys = APIs()
	resp.SetVersion(req.Version)
	if code := n.checkApiVersionsIdentity(req.Msg.(*kmsg.ApiVersionsRequest)); code != 0 {
		resp.ErrorCode = code
		reply.Send(resp)
		return
	}
	n.fillFeatures(resp)
	reply.Send(resp)
}

// checkApiVersionsIdentity implements KIP-1242: cluster id and node id are
// set together or not at all, and must name this node.
func (n *Node) checkApiVersionsIdentity(r *kmsg.ApiVersionsRequest) int16 {
	if r.Version < 5 || (r.ClusterID == nil && r.NodeID == -1) {
		return 0
	}
	if r.ClusterID == nil || r.NodeID == -1 {
		return kerr.InvalidRequest.Code
	}
	if *r.ClusterID != n.clusterID || r.NodeID != n.nodeID {
		return kerr.RebootstrapRequired.Code
	}
	return 0
}
