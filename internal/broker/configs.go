package broker

// DescribeConfigs (v1-4), AlterConfigs (v0-2), IncrementalAlterConfigs
// (v0-1) for topic, broker and group (share-group configs) resources. Values, sources and synonyms come
// from the config table layered over the metadata image's dynamic configs
// (topic overrides, per-broker, cluster-wide default) and the static
// server.properties, the way Kafka reports them.

import (
	"fmt"
	"github.com/gofka/gofka/internal/authz"

	"github.com/gofka/gofka/internal/config"
	"github.com/gofka/gofka/internal/controller"
	"github.com/gofka/gofka/internal/metadata"
	"github.com/gofka/gofka/internal/wire"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func (n *Node) handleDescribeConfigs(req *wire.Request, reply wire.Reply) {
	r := req.Msg.(*kmsg.DescribeConfigsRequest)
	resp := r.ResponseKind().(*kmsg.DescribeConfigsResponse)
	resp.SetVersion(req.Version)
	img := n.meta.Current()
	for i := range r.Resources {
		rr := &r.Resources[i]
		if code := n.configDenied(req, opDescribeConfigs, int8(rr.ResourceType), rr.ResourceName); code != nil {
			out := kmsg.NewDescribeConfigsResponseResource()
			out.ResourceType, out.ResourceName, out.ErrorCode = rr.ResourceType, rr.ResourceName, code.Code
			resp.Resources = append(resp.Resources, out)
			continue
		}
		resp.Resources = append(resp.Resources, n.describeResource(img, rr, r.IncludeSynonyms, r.IncludeDocumentation))
	}
	reply.Send(resp)
}

func (n *Node) describeResource(img *metadata.Image, rr *kmsg.DescribeConfigsRequestResource, synonyms, docs bool) kmsg.DescribeConfigsResponseResource {
	out := kmsg.NewDescribeConfigsResponseResource()
	out.ResourceType, out.ResourceName = rr.ResourceType, rr.ResourceName
	entries, code := n.configEntries(img, int8(rr.ResourceType), rr.ResourceName)
	if code != nil {
		out.ErrorCode = code.Code
		msg := code.Description
		out.ErrorMessage = &msg
		return out
	}
	want := make(map[string]bool, len(rr.ConfigNames))
	for _, k := range rr.ConfigNames {
		want[k] = true
	}
	for _, e := range entries {
		if rr.ConfigNames != nil && !want[e.Name] {
			continue
		}
		out.Configs = append(out.Configs, describeEntry(e, synonyms, docs))
	}
	return out
}

// brokerLayers are this broker's config layers in img: its dynamic
// per-broker values over the dynamic cluster defaults over its static
// config.
func (n *Node) brokerLayers(img *metadata.Image) config.Layers {
	return config.Layers{
		PerBroker:      img.Configs(controller.ResourceBroker, fmt.Sprint(n.nodeID)),
		ClusterDefault: img.Configs(controller.ResourceBroker, ""),
		Static:         n.cfg,
	}
}

// configEntries describes a topic, this broker, or the cluster default.
func (n *Node) configEntries(img *metadata.Image, resType int8, name string) ([]config.Entry, *kerr.Error) {
	layers := n.brokerLayers(img)
	switch resType {
	case controller.ResourceTopic:
		if img.Topic(name) == nil {
			return nil, kerr.UnknownTopicOrPartition
		}
		layers.Topic = img.Configs(controller.ResourceTopic, name)
		return config.DescribeTopic(layers), nil
	case controller.ResourceBroker:
		switch name {
		case "":
			return config.DescribeBrokerDefault(layers), nil
		case fmt.Sprint(n.nodeID):
			return config.DescribeBroker(layers), nil
		}
		return nil, kerr.InvalidRequest
	case controller.ResourceGroup:
		if name == "" {
			return nil, kerr.InvalidRequest
		}
		return config.DescribeGroup(layers, img.Configs(controller.ResourceGroup, name)), nil
	}
	return nil, kerr.InvalidRequest
}

func describeEntry(e config.Entry, synonyms, docs bool) kmsg.DescribeConfigsResponseResourceConfig {
	c := kmsg.NewDescribeConfigsResponseResourceConfig()
	c.Name, c.Value, c.ReadOnly, c.IsSensitive = e.Name, e.Value, e.ReadOnly, e.Sensitive
	c.Source = kmsg.ConfigSource(e.Source)
	c.ConfigType = kmsg.ConfigType(e.Type)
	c.IsDefault = e.Source == 5
	if docs {
		doc := e.Doc
		c.Documentation = &doc
	}
	if synonyms {
		for _, s := range e.Synonyms {
			c.ConfigSynonyms = append(c.ConfigSynonyms, kmsg.DescribeConfigsResponseResourceConfigConfigSynonym{
				Name: s.Name, Value: s.Value, Source: kmsg.ConfigSource(s.Source),
			})
		}
	}
	return c
}

func (n *Node) handleAlterConfigs(req *wire.Request, reply wire.Reply) {
	r := req.Msg.(*kmsg.AlterConfigsRequest)
	failed := n.preprocessAlterConfigs(r)
	if n.forwardedThen(req, reply, func(resp kmsg.Response) {
		resp.(*kmsg.AlterConfigsResponse).Resources = append(resp.(*kmsg.AlterConfigsResponse).Resources, failed...)
	}) {
		return
	}
	resp := r.ResponseKind().(*kmsg.AlterConfigsResponse)
	resp.Resources = failed
	resp.SetVersion(req.Version)
	for _, rr := range r.Resources {
		set := make(map[string]*string, len(rr.Configs))
		for _, c := range rr.Configs {
			set[c.Name] = c.Value
		}
		res := controller.ConfigResult{Code: n.configDenied(req, opAlterConfigs, int8(rr.ResourceType), rr.ResourceName)}
		if res.Code == nil {
			res = n.ctrl.AlterConfigs(int8(rr.ResourceType), rr.ResourceName, set, r.ValidateOnly)
		}
		out := kmsg.NewAlterConfigsResponseResource()
		out.ResourceType, out.ResourceName = rr.ResourceType, rr.ResourceName
		out.ErrorCode, out.ErrorMessage = configResult(res)
		resp.Resources = append(resp.Resources, out)
	}
	reply.Send(resp)
}

func (n *Node) handleIncrementalAlterConfigs(req *wire.Request, reply wire.Reply) {
	r := req.Msg.(*kmsg.IncrementalAlterConfigsRequest)
	failed := n.preprocessIncrementalAlterConfigs(r)
	if n.forwardedThen(req, reply, func(resp kmsg.Response) {
		resp.(*kmsg.IncrementalAlterConfigsResponse).Resources = append(resp.(*kmsg.IncrementalAlterConfigsResponse).Resources, failed...)
	}) {
		return
	}
	resp := r.ResponseKind().(*kmsg.IncrementalAlterConfigsResponse)
	resp.Resources = failed
	resp.SetVersion(req.Version)
	for _, rr := range r.Resources {
		changes := make([]controller.ConfigChange, 0, len(rr.Configs))
		for _, c := range rr.Configs {
			changes = append(changes, controller.ConfigChange{Name: c.Name, Op: int8(c.Op), Value: c.Value})
		}
		res := controller.ConfigResult{Code: n.configDenied(req, opAlterConfigs, int8(rr.ResourceType), rr.ResourceName)}
		if res.Code == nil {
			res = n.ctrl.IncrementalAlterConfigs(int8(rr.ResourceType), rr.ResourceName, changes, r.ValidateOnly)
		}
		out := kmsg.NewIncrementalAlterConfigsResponseResource()
		out.ResourceType, out.ResourceName = rr.ResourceType, rr.ResourceName
		out.ErrorCode, out.ErrorMessage = configResult(res)
		resp.Resources = append(resp.Resources, out)
	}
	reply.Send(resp)
}

// configDenied checks DescribeConfigs or AlterConfigs: on the topic for a
// topic resource, on the cluster for broker resources.
func (n *Node) configDenied(req *wire.Request, op authz.Operation, resType int8, name string) *kerr.Error {
	switch resType {
	case controller.ResourceTopic:
		if !n.authorize(req, op, resTopic, name) {
			return kerr.TopicAuthorizationFailed
		}
	case controller.ResourceBroker:
		if !n.authorizeCluster(req, op) {
			return kerr.ClusterAuthorizationFailed
		}
	case controller.ResourceGroup:
		if !n.authorizeGroup(req, op, name) {
			return kerr.GroupAuthorizationFailed
		}
	}
	return nil
}

func configResult(res controller.ConfigResult) (int16, *string) {
	if res.Code == nil {
		return 0, nil
	}
	msg := res.Msg
	return res.Code.Code, &msg
}
