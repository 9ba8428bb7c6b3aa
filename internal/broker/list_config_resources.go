package broker

// ListConfigResources, versions 0-1 (KIP-1142, Kafka 4.1; version 0 was
// ListClientMetricsResources, KIP-714), as Kafka's handler: it needs
// DESCRIBE_CONFIGS on the cluster; version 0
// lists the client-metrics subscriptions; version 1 lists the resources of
// the requested types, every supported type for an empty list: groups and
// client-metrics subscriptions with dynamic configs, each broker as a
// BROKER_LOGGER and a BROKER resource (brokers with an endpoint on the
// request's listener), and every topic. A type outside TOPIC, BROKER,
// BROKER_LOGGER, CLIENT_METRICS and GROUP answers UNSUPPORTED_VERSION.
// Names are sorted within a type; types come in Kafka's order.

import (
	"slices"
	"sort"
	"strconv"

	"github.com/gofka/gofka/internal/metadata"
	"github.com/gofka/gofka/internal/wire"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// configResourceTypes are the types version 1 lists, in the order Kafka
// answers them.
var configResourceTypes = []int8{
	metadata.ConfigResourceGroup, metadata.ConfigResourceClientMetrics,
	metadata.ConfigResourceBrokerLogger, metadata.ConfigResourceBroker, metadata.ConfigResourceTopic,
}

func (n *Node) handleListConfigResources(req *wire.Request, reply wire.Reply) {
	r := req.Msg.(*kmsg.ListConfigResourcesRequest)
	resp := r.ResponseKind().(*kmsg.ListConfigResourcesResponse)
	resp.SetVersion(req.Version)
	if !n.authorizeCluster(req, opDescribeConfigs) {
		resp.ErrorCode = kerr.ClusterAuthorizationFailed.Code
		reply.Send(resp)
		return
	}
	types := r.ResourceTypes
	switch {
	case req.Version == 0:
		types = []int8{metadata.ConfigResourceClientMetrics}
	case len(types) == 0:
		types = configResourceTypes
	}
	for _, typ := range types {
		if !slices.Contains(configResourceTypes, typ) {
			resp.ErrorCode = kerr.UnsupportedVersion.Code
			reply.Send(resp)
			return
		}
	}
	img := n.meta.Current()
	resp.ConfigResources = []kmsg.ListConfigResourcesResponseConfigResource{}
	for _, typ := range configResourceTypes {
		if slices.Contains(types, typ) {
			for _, name := range configResourceNames(img, typ, req.Conn.Listener) {
				resp.ConfigResources = append(resp.ConfigResources, kmsg.ListConfigResourcesResponseConfigResource{Name: name, Type: typ})
			}
		}
	}
	reply.Send(resp)
}

// configResourceNames lists the resources of one type.
func configResourceNames(img *metadata.Image, typ int8, listener string) []string {
	switch typ {
	case metadata.ConfigResourceTopic:
		return img.TopicNames()
	case metadata.ConfigResourceBroker, metadata.ConfigResourceBrokerLogger:
		var ids []int
		for id, b := range img.Brokers {
			if _, ok := endpointFor(b, listener); ok {
				ids = append(ids, int(id))
			}
		}
		sort.Ints(ids)
		names := make([]string, len(ids))
		for i, id := range ids {
			names[i] = strconv.Itoa(id)
		}
		return names
	}
	return img.ConfigNames(typ)
}
