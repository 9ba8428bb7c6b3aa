package controller

// CreateTopics (v2-7), DeleteTopics (v1-6) and CreatePartitions (v0-3), as
// Kafka's ReplicationControlManager validates them: topic names, partition
// counts, replication factors against registered brokers, manual
// assignments, configs; validateOnly checks without writing.

import (
	"fmt"
	"sort"

	"github.com/gofka/gofka/internal/config"
	"github.com/gofka/gofka/internal/metadata"
	"github.com/gofka/gofka/internal/storage/checkpoint"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// topicError is a per-topic failure with Kafka's code and a message.
type topicError struct {
	code *kerr.Error
	msg  string
}

func errf(code *kerr.Error, format string, args ...any) *topicError {
	return &topicError{code: code, msg: fmt.Sprintf(format, args...)}
}

// CreateTopics validates and creates the requested topics.
func (c *Controller) CreateTopics(r *kmsg.CreateTopicsRequest) []kmsg.CreateTopicsResponseTopic {
	return c.CreateTopicsQuota(r, nil)
}

// CreateTopicsQuota is CreateTopics under a client's mutation quota: each
// valid topic asks q for its partition count before it is created.
func (c *Controller) CreateTopicsQuota(r *kmsg.CreateTopicsRequest, q MutationQuota) []kmsg.CreateTopicsResponseTopic {
	c.mu.Lock()
	defer c.mu.Unlock()
	dups := duplicateNames(r.Topics)
	out := make([]kmsg.CreateTopicsResponseTopic, 0, len(r.Topics))
	for i := range r.Topics {
		rt := &r.Topics[i]
		res := kmsg.NewCreateTopicsResponseTopic()
		res.Topic = rt.Topic
		if dups[rt.Topic] {
			setCreateErr(&res, errf(kerr.InvalidRequest, "Duplicate topic name %s in the request", rt.Topic))
		} else if terr := c.createTopicLocked(rt, r.ValidateOnly, q, &res); terr != nil {
			setCreateErr(&res, terr)
		}
		out = append(out, res)
	}
	return out
}

func setCreateErr(res *kmsg.CreateTopicsResponseTopic, e *topicError) {
	res.ErrorCode = e.code.Code
	msg := e.msg
	res.ErrorMessage = &msg
	res.NumPartitions, res.ReplicationFactor = -1, -1
	res.Configs = nil
}

func duplicateNames(ts []kmsg.CreateTopicsRequestTopic) map[string]bool {
	seen := make(map[string]int, len(ts))
	for _, t := range ts {
		seen[t.Topic]++
	}
	dups := make(map[string]bool)
	for name, n := range seen {
		if n > 1 {
			dups[name] = true
		}
	}
	return dups
}

// CreateTopicWithDefaults creates a topic with the broker's default
// partition count and replication factor (Metadata auto-creation).
func (c *Controller) CreateTopicWithDefaults(name string) *kerr.Error {
	rt := kmsg.NewCreateTopicsRequestTopic()
	rt.Topic, rt.NumPartitions, rt.ReplicationFactor = name, -1, -1
	c.mu.Lock()
	defer c.mu.Unlock()
	res := kmsg.NewCreateTopicsResponseTopic()
	if terr := c.createTopicLocked(&rt, false, nil, &res); terr != nil {
		return terr.code
	}
	return nil
}

func (c *Controller) createTopicLocked(rt *kmsg.CreateTopicsRequestTopic, validateOnly bool, q MutationQuota, res *kmsg.CreateTopicsResponseTopic) *topicError {
	img := c.pub.Current()
	if err := ValidateTopicName(rt.Topic); err != nil {
		return errf(kerr.InvalidTopicException, "%v", err)
	}
	if img.Topic(rt.Topic) != nil {
		return errf(kerr.TopicAlreadyExists, "Topic '%s' already exists.", rt.Topic)
	}
	overrides, terr := topicConfigs(rt.Configs)
	if terr != nil {
		return terr
	}
	assign, terr := c.assignment(img, rt)
	if terr != nil {
		return terr
	}
	if _, err := config.ResolveTopic(c.layers(img, overrides)); err != nil {
		return errf(kerr.InvalidConfig, "%v", err)
	}
	if terr := admitUnlessValidating(q, validateOnly, len(assign)); terr != nil {
		return terr
	}
	id := checkpoint.NewUUID()
	res.TopicID = id
	res.NumPartitions = int32(len(assign))
	res.ReplicationFactor = int16(len(assign[0]))
	res.Configs = describeForCreate(config.DescribeTopic(c.layers(img, overrides)))
	if validateOnly {
		return nil
	}
	if err := c.commitLocked(topicRecords(rt.Topic, metadata.UUID(id), overrides, assign)); err != nil {
		return errf(ErrorCode(err), "%v", err)
	}
	return nil
}

// topicConfigs validates the configs of a CreateTopics entry.
func topicConfigs(cs []kmsg.CreateTopicsRequestTopicConfig) (map[string]string, *topicError) {
	out := make(map[string]string, len(cs))
	for _, cfg := range cs {
		if cfg.Value == nil {
			return nil, errf(kerr.InvalidConfig, "Null value not supported for topic configs: %s", cfg.Name)
		}
		if err := config.ValidateTopic(cfg.Name, cfg.Value); err != nil {
			return nil, errf(kerr.InvalidConfig, "%v", err)
		}
		out[cfg.Name] = *cfg.Value
	}
	return out, nil
}

func describeForCreate(entries []config.Entry) []kmsg.CreateTopicsResponseTopicConfig {
	out := make([]kmsg.CreateTopicsResponseTopicConfig, 0, len(entries))
	for _, e := range entries {
		rc := kmsg.NewCreateTopicsResponseTopicConfig()
		rc.Name, rc.Value, rc.ReadOnly, rc.IsSensitive = e.Name, e.Value, e.ReadOnly, e.Sensitive
		rc.Source = e.Source
		out = append(out, rc)
	}
	return out
}

// topicRecords are the records that create a topic: the topic, its config
// overrides, then each partition led by its first replica.
func topicRecords(name string, id metadata.UUID, overrides map[string]string, assign [][]int32) []metadata.Record {
	t := metadata.NewTopicRecord()
	t.Name, t.TopicID = name, id
	recs := []metadata.Record{t}
	keys := make([]string, 0, len(overrides))
	for k := range overrides {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := overrides[k]
		cr := metadata.NewConfigRecord()
		cr.ResourceType, cr.ResourceName, cr.Name, cr.Value = ResourceTopic, name, k, &v
		recs = append(recs, cr)
	}
	return append(recs, partitionRecords(id, 0, assign)...)
}

func partitionRecords(id metadata.UUID, first int32, assign [][]int32) []metadata.Record {
	recs := make([]metadata.Record, 0, len(assign))
	for i, replicas := range assign {
		pr := metadata.NewPartitionRecord()
		pr.PartitionID = first + int32(i)
		pr.TopicID = id
		pr.Replicas = replicas
		pr.ISR = append([]int32(nil), replicas...)
		pr.Leader = replicas[0]
		pr.LeaderEpoch = 0
		pr.PartitionEpoch = 0
		recs = append(recs, pr)
	}
	return recs
}
