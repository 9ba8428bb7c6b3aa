package controller

import (
	"github.com/gofka/gofka/internal/metadata"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// DeleteTopics deletes topics named by name (v0-5) or by name or id (v6+).
func (c *Controller) DeleteTopics(r *kmsg.DeleteTopicsRequest) []kmsg.DeleteTopicsResponseTopic {
	return c.DeleteTopicsQuota(r, nil)
}

// DeleteTopicsQuota is DeleteTopics under a client's mutation quota: each
// topic asks q for its partition count before it is deleted.
func (c *Controller) DeleteTopicsQuota(r *kmsg.DeleteTopicsRequest, q MutationQuota) []kmsg.DeleteTopicsResponseTopic {
	c.mu.Lock()
	defer c.mu.Unlock()
	reqs := r.Topics
	for _, name := range r.TopicNames {
		name := name
		reqs = append(reqs, kmsg.DeleteTopicsRequestTopic{Topic: &name})
	}
	out := make([]kmsg.DeleteTopicsResponseTopic, 0, len(reqs))
	for _, t := range reqs {
		res := kmsg.NewDeleteTopicsResponseTopic()
		res.Topic, res.TopicID = t.Topic, t.TopicID
		if terr := c.deleteTopicLocked(&res, q); terr != nil {
			res.ErrorCode = terr.code.Code
			msg := terr.msg
			res.ErrorMessage = &msg
		}
		out = append(out, res)
	}
	return out
}

func (c *Controller) deleteTopicLocked(res *kmsg.DeleteTopicsResponseTopic, q MutationQuota) *topicError {
	if !c.static.DeleteTopicEnable {
		return errf(kerr.TopicDeletionDisabled, "Topic deletion is disabled.")
	}
	img := c.pub.Current()
	var t *metadata.TopicImage
	if res.Topic != nil {
		t = img.Topic(*res.Topic)
		if t == nil {
			return errf(kerr.UnknownTopicOrPartition, "This server does not host this topic-partition.")
		}
	} else {
		t = img.TopicByID(metadata.UUID(res.TopicID))
		if t == nil {
			return errf(kerr.UnknownTopicID, "This server does not host this topic ID.")
		}
		name := t.Name
		res.Topic = &name
	}
	res.TopicID = [16]byte(t.ID)
	if terr := admit(q, len(t.Partitions)); terr != nil {
		return terr
	}
	rec := metadata.NewRemoveTopicRecord()
	rec.TopicID = t.ID
	if err := c.commitLocked([]metadata.Record{rec}); err != nil {
		return errf(ErrorCode(err), "%v", err)
	}
	return nil
}

// CreatePartitions grows topics to the requested partition counts.
func (c *Controller) CreatePartitions(r *kmsg.CreatePartitionsRequest) []kmsg.CreatePartitionsResponseTopic {
	return c.CreatePartitionsQuota(r, nil)
}

// CreatePartitionsQuota is CreatePartitions under a client's mutation
// quota: each topic asks q for the count of partitions it adds.
func (c *Controller) CreatePartitionsQuota(r *kmsg.CreatePartitionsRequest, q MutationQuota) []kmsg.CreatePartitionsResponseTopic {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]kmsg.CreatePartitionsResponseTopic, 0, len(r.Topics))
	for i := range r.Topics {
		res := kmsg.NewCreatePartitionsResponseTopic()
		res.Topic = r.Topics[i].Topic
		if terr := c.createPartitionsLocked(&r.Topics[i], r.ValidateOnly, q); terr != nil {
			res.ErrorCode = terr.code.Code
			msg := terr.msg
			res.ErrorMessage = &msg
		}
		out = append(out, res)
	}
	return out
}

func (c *Controller) createPartitionsLocked(rt *kmsg.CreatePartitionsRequestTopic, validateOnly bool, q MutationQuota) *topicError {
	img := c.pub.Current()
	t := img.Topic(rt.Topic)
	if t == nil {
		return errf(kerr.UnknownTopicOrPartition, "This server does not host this topic-partition.")
	}
	have := int32(len(t.Partitions))
	if rt.Count < have {
		return errf(kerr.InvalidPartitions, "The topic %s currently has %d partition(s); %d would not be an increase.", rt.Topic, have, rt.Count)
	}
	if rt.Count == have {
		return errf(kerr.InvalidPartitions, "Topic already has %d partition(s).", have)
	}
	assign, terr := newPartitionAssignment(img, t, rt)
	if terr == nil {
		terr = admitUnlessValidating(q, validateOnly, len(assign))
	}
	if terr != nil || validateOnly {
		return terr
	}
	if err := c.commitLocked(partitionRecords(t.ID, have, assign)); err != nil {
		return errf(ErrorCode(err), "%v", err)
	}
	return nil
}

func newPartitionAssignment(img *metadata.Image, t *metadata.TopicImage, rt *kmsg.CreatePartitionsRequestTopic) ([][]int32, *topicError) {
	have := int32(len(t.Partitions))
	add := rt.Count - have
	if rt.Assignment == nil {
		rf := int16(len(t.Partitions[0].Replicas))
		return placeReplicas(img, have, add, rf)
	}
	if int32(len(rt.Assignment)) != add {
		return nil, errf(kerr.InvalidReplicaAssignment, "Attempted to add %d additional partition(s), but only %d assignment(s) were specified.", add, len(rt.Assignment))
	}
	out := make([][]int32, 0, add)
	for _, a := range rt.Assignment {
		if terr := checkReplicas(img, a.Replicas); terr != nil {
			return nil, terr
		}
		out = append(out, a.Replicas)
	}
	return out, nil
}
