package broker

// Authorization of the topic admin APIs, as Kafka's ControllerApis: the
// topics a principal may not change are answered TOPIC_AUTHORIZATION_FAILED
// and only the others reach the controller. CreateTopics needs Create on
// the cluster or the topic, DeleteTopics Delete on the topic (a topic id
// the principal may not Describe is UNKNOWN_TOPIC_ID), CreatePartitions
// Alter on the topic.

import (
	"github.com/gofka/gofka/internal/metadata"
	"github.com/gofka/gofka/internal/wire"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func (n *Node) splitCreateTopics(req *wire.Request, r *kmsg.CreateTopicsRequest) (*kmsg.CreateTopicsRequest, []kmsg.CreateTopicsResponseTopic) {
	allowed := *r
	allowed.Topics = nil
	var denied []kmsg.CreateTopicsResponseTopic
	for _, t := range r.Topics {
		if n.mayCreateTopic(req, t.Topic) {
			allowed.Topics = append(allowed.Topics, t)
			continue
		}
		rt := kmsg.NewCreateTopicsResponseTopic()
		rt.Topic, rt.ErrorCode = t.Topic, kerr.TopicAuthorizationFailed.Code
		rt.NumPartitions, rt.ReplicationFactor = -1, -1
		denied = append(denied, rt)
	}
	return &allowed, denied
}

func (n *Node) splitDeleteTopics(req *wire.Request, r *kmsg.DeleteTopicsRequest) (*kmsg.DeleteTopicsRequest, []kmsg.DeleteTopicsResponseTopic) {
	allowed := *r
	allowed.Topics, allowed.TopicNames = nil, nil
	var denied []kmsg.DeleteTopicsResponseTopic
	deny := func(name *string, id [16]byte, code *kerr.Error) {
		rt := kmsg.NewDeleteTopicsResponseTopic()
		rt.Topic, rt.TopicID, rt.ErrorCode = name, id, code.Code
		denied = append(denied, rt)
	}
	img := n.meta.Current()
	for _, name := range r.TopicNames {
		if n.authorize(req, opDelete, resTopic, name) {
			allowed.TopicNames = append(allowed.TopicNames, name)
		} else {
			deny(kmsg.StringPtr(name), [16]byte{}, kerr.TopicAuthorizationFailed)
		}
	}
	for _, t := range r.Topics {
		name := t.Topic
		if name == nil {
			if ti := img.TopicByID(metadata.UUID(t.TopicID)); ti != nil {
				name = &ti.Name
			}
		}
		switch {
		case name == nil:
			allowed.Topics = append(allowed.Topics, t)
		case !n.authorizeQuiet(req, opDescribe, resTopic, *name) && t.Topic == nil:
			deny(nil, t.TopicID, kerr.UnknownTopicID)
		case !n.authorize(req, opDelete, resTopic, *name):
			deny(t.Topic, t.TopicID, kerr.TopicAuthorizationFailed)
		default:
			allowed.Topics = append(allowed.Topics, t)
		}
	}
	return &allowed, denied
}

func (n *Node) splitCreatePartitions(req *wire.Request, r *kmsg.CreatePartitionsRequest) (*kmsg.CreatePartitionsRequest, []kmsg.CreatePartitionsResponseTopic) {
	allowed := *r
	allowed.Topics = nil
	var denied []kmsg.CreatePartitionsResponseTopic
	for _, t := range r.Topics {
		if n.authorize(req, opAlter, resTopic, t.Topic) {
			allowed.Topics = append(allowed.Topics, t)
			continue
		}
		rt := kmsg.NewCreatePartitionsResponseTopic()
		rt.Topic, rt.ErrorCode = t.Topic, kerr.TopicAuthorizationFailed.Code
		denied = append(denied, rt)
	}
	return &allowed, denied
}
