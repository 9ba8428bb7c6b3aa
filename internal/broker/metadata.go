package broker

// Metadata, versions 0-13. Lists brokers (the endpoint of the listener the
// request arrived on), the controller, and topics: all of them for a null
// topic list (or an empty one before v1), else the named ones or, from v10,
// ones named by id. A missing topic is created when the request allows it
// (v4+, always before) and auto.create.topics.enable is set; creation is
// synchronous here, so the answer already carries the new topic. Authorized
// operations are reported when asked (v8+); without an authorizer every
// operation is allowed, as in Kafka.

import (
	"sort"

	"github.com/gofka/gofka/internal/authz"
	"github.com/gofka/gofka/internal/metadata"
	"github.com/gofka/gofka/internal/wire"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// opsNotRequested is Kafka's INT32_MIN sentinel for authorized operations
// that were not asked for.
const opsNotRequested = -2147483648

func (n *Node) handleMetadata(req *wire.Request, reply wire.Reply) {
	r := req.Msg.(*kmsg.MetadataRequest)
	resp := r.ResponseKind().(*kmsg.MetadataResponse)
	resp.SetVersion(req.Version)
	img := n.meta.Current()
	resp.Brokers = n.metadataBrokers(img, req.Conn.Listener)
	resp.ClusterID = &n.clusterID
	resp.ControllerID = n.nodeID
	resp.AuthorizedOperations = opsNotRequested
	if r.IncludeClusterAuthorizedOperations {
		resp.AuthorizedOperations = n.authorizedOps(req, resCluster, authz.ClusterName)
	}
	allowCreate := req.Version < 4 || r.AllowAutoTopicCreation
	if r.Topics == nil || (req.Version == 0 && len(r.Topics) == 0) {
		for _, name := range img.TopicNames() {
			if n.authorizeQuiet(req, opDescribe, resTopic, name) {
				resp.Topics = append(resp.Topics, n.metadataTopic(req, img.Topic(name), r.IncludeTopicAuthorizedOperations))
			}
		}
	} else {
		resp.Topics = n.metadataNamedTopics(req, r, allowCreate)
	}
	reply.Send(resp)
}

// metadataNamedTopics answers the topics asked for by name or id. A topic
// without Describe is TOPIC_AUTHORIZATION_FAILED by name and UNKNOWN_TOPIC_ID
// by id (its existence is not revealed); auto-creation needs Create on the
// cluster or the topic.
func (n *Node) metadataNamedTopics(req *wire.Request, r *kmsg.MetadataRequest, allowCreate bool) []kmsg.MetadataResponseTopic {
	var out []kmsg.MetadataResponseTopic
	for _, rt := range r.Topics {
		img := n.meta.Current()
		var t *metadata.TopicImage
		switch {
		case rt.Topic == nil:
			t = img.TopicByID(metadata.UUID(rt.TopicID))
			if t == nil || !n.authorize(req, opDescribe, resTopic, t.Name) {
				out = append(out, metadataTopicError(nil, rt.TopicID, kerr.UnknownTopicID))
				continue
			}
		case !n.authorize(req, opDescribe, resTopic, *rt.Topic):
			out = append(out, metadataTopicError(rt.Topic, rt.TopicID, kerr.TopicAuthorizationFailed))
			continue
		default:
			t = img.Topic(*rt.Topic)
			if t == nil {
				t, code := n.autoCreate(*rt.Topic, allowCreate && n.mayCreateTopic(req, *rt.Topic))
				if code != nil {
					out = append(out, metadataTopicError(rt.Topic, rt.TopicID, code))
					continue
				}
				out = append(out, n.metadataTopic(req, t, r.IncludeTopicAuthorizedOperations))
				continue
			}
		}
		out = append(out, n.metadataTopic(req, t, r.IncludeTopicAuthorizedOperations))
	}
	return out
}

// mayCreateTopic is Kafka's check for creating a topic: Create on the
// cluster or on the topic.
func (n *Node) mayCreateTopic(req *wire.Request, name string) bool {
	return n.authorizeQuiet(req, opCreate, resCluster, authz.ClusterName) || n.authorize(req, opCreate, resTopic, name)
}

// autoCreate creates a topic a client asked about, if allowed.
func (n *Node) autoCreate(name string, allowed bool) (*metadata.TopicImage, *kerr.Error) {
	if !allowed || !n.cfg.AutoCreateTopics {
		return nil, kerr.UnknownTopicOrPartition
	}
	if err := validateTopicName(name); err != nil {
		return nil, kerr.InvalidTopicException
	}
	if code := n.controller().CreateTopicWithDefaults(name); code != nil && code != kerr.TopicAlreadyExists {
		return nil, code
	}
	if t := n.meta.Current().Topic(name); t != nil {
		return t, nil
	}
	return nil, kerr.LeaderNotAvailable
}

func metadataTopicError(name *string, id [16]byte, code *kerr.Error) kmsg.MetadataResponseTopic {
	t := kmsg.NewMetadataResponseTopic()
	t.Topic, t.TopicID, t.ErrorCode = name, id, code.Code
	t.AuthorizedOperations = opsNotRequested
	return t
}

func (n *Node) metadataTopic(req *wire.Request, t *metadata.TopicImage, includeOps bool) kmsg.MetadataResponseTopic {
	out := kmsg.NewMetadataResponseTopic()
	name := t.Name
	out.Topic = &name
	out.TopicID = [16]byte(t.ID)
	out.IsInternal = isInternalTopic(t.Name)
	out.AuthorizedOperations = opsNotRequested
	if includeOps {
		out.AuthorizedOperations = n.authorizedOps(req, resTopic, t.Name)
	}
	for _, p := range t.Partitions {
		mp := kmsg.NewMetadataResponseTopicPartition()
		mp.Partition = p.Partition
		mp.Leader = p.Leader
		mp.LeaderEpoch = p.LeaderEpoch
		mp.Replicas = p.Replicas
		mp.ISR = p.ISR
		mp.OfflineReplicas = []int32{}
		if p.Leader < 0 {
			mp.ErrorCode = kerr.LeaderNotAvailable.Code
		}
		out.Partitions = append(out.Partitions, mp)
	}
	return out
}

func isInternalTopic(name string) bool {
	return name == "__consumer_offsets" || name == "__transaction_state"
}

// metadataBrokers lists unfenced brokers at the endpoint of the listener
// the request came in on, sorted by id.
func (n *Node) metadataBrokers(img *metadata.Image, listener string) []kmsg.MetadataResponseBroker {
	var out []kmsg.MetadataResponseBroker
	for _, b := range img.Brokers {
		if b.Fenced {
			continue
		}
		ep, ok := endpointFor(b, listener)
		if !ok {
			continue
		}
		mb := kmsg.NewMetadataResponseBroker()
		mb.NodeID, mb.Host, mb.Port, mb.Rack = b.ID, ep.Host, ep.Port, b.Rack
		out = append(out, mb)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].NodeID < out[j].NodeID })
	return out
}

func endpointFor(b *metadata.BrokerInfo, listener string) (metadata.Endpoint, bool) {
	for _, ep := range b.Endpoints {
		if ep.Name == listener {
			return ep, true
		}
	}
	if len(b.Endpoints) > 0 && listener == "" {
		return b.Endpoints[0], true
	}
	return metadata.Endpoint{}, false
}
