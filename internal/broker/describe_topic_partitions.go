package broker

// DescribeTopicPartitions, version 0 (KIP-966), as Kafka's
// DescribeTopicPartitionsRequestHandler: the named topics, or every topic
// for an empty list, sorted by name from the cursor's topic on, partitions
// from the cursor's partition on, at most
// min(ResponsePartitionLimit, max.request.partition.size.limit) (and at
// least one) partitions per response. A topic cut short sets NextCursor to
// its next partition; a limit reached at a topic boundary sets it to the
// next topic's partition 0. Named topics that do not exist answer
// UNKNOWN_TOPIC_OR_PARTITION (INVALID_TOPIC_EXCEPTION for an illegal name);
// with the full list they are skipped. A cursor whose topic is not among
// the named topics, or whose partition is negative, makes every named
// topic answer INVALID_REQUEST. Partitions carry the image's ISR, ELR and
// last-known ELR; the leader is -1 when it has no endpoint on the
// request's listener, and offline replicas are those unregistered, fenced
// or without that listener. Topics the principal may not DESCRIBE answer
// TOPIC_AUTHORIZATION_FAILED when named and are left out of the full
// list; every other topic reports its authorized operations (KIP-430).

import (
	"sort"

	"github.com/gofka/gofka/internal/metadata"
	"github.com/gofka/gofka/internal/wire"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func (n *Node) handleDescribeTopicPartitions(req *wire.Request, reply wire.Reply) {
	r := req.Msg.(*kmsg.DescribeTopicPartitionsRequest)
	resp := r.ResponseKind().(*kmsg.DescribeTopicPartitionsResponse)
	resp.SetVersion(req.Version)
	names, ok := dtpTopicNames(r, n.meta.Current())
	if !ok {
		for _, t := range r.Topics {
			resp.Topics = append(resp.Topics, dtpTopicError(t.Topic, kerr.InvalidRequest))
		}
		reply.Send(resp)
		return
	}
	all := len(r.Topics) == 0
	allowed, denied := n.dtpAuthorize(req, names, all)
	limit := max(min(n.cfg.MaxRequestPartitionSizeLimit, r.ResponsePartitionLimit), 1)
	d := dtpPage{img: n.meta.Current(), listener: req.Conn.Listener, cursor: r.Cursor, all: all}
	resp.Topics, resp.NextCursor = d.fill(allowed, limit)
	for i := range resp.Topics {
		resp.Topics[i].AuthorizedOperations = n.authorizedOps(req, resTopic, *resp.Topics[i].Topic)
	}
	resp.Topics = append(resp.Topics, denied...)
	reply.Send(resp)
}

// dtpAuthorize splits names into the topics the principal may describe
// and, for named topics only, TOPIC_AUTHORIZATION_FAILED answers for the
// rest, which say nothing about whether the topic exists.
func (n *Node) dtpAuthorize(req *wire.Request, names []string, all bool) ([]string, []kmsg.DescribeTopicPartitionsResponseTopic) {
	var allowed []string
	var denied []kmsg.DescribeTopicPartitionsResponseTopic
	for _, name := range names {
		switch {
		case n.authorize(req, opDescribe, resTopic, name):
			allowed = append(allowed, name)
		case !all:
			denied = append(denied, dtpTopicError(name, kerr.TopicAuthorizationFailed))
		}
	}
	return allowed, denied
}

// dtpTopicNames returns the topics to describe, sorted, from the cursor's
// topic on; false when the cursor is invalid for the request.
func dtpTopicNames(r *kmsg.DescribeTopicPartitionsRequest, img *metadata.Image) ([]string, bool) {
	from := ""
	if r.Cursor != nil {
		from = r.Cursor.Topic
	}
	var names []string
	if len(r.Topics) == 0 {
		names = img.TopicNames()
	} else {
		seen := map[string]bool{}
		for _, t := range r.Topics {
			if !seen[t.Topic] {
				seen[t.Topic] = true
				names = append(names, t.Topic)
			}
		}
		sort.Strings(names)
		if r.Cursor != nil && !seen[r.Cursor.Topic] {
			return nil, false
		}
	}
	if r.Cursor != nil && r.Cursor.Partition < 0 {
		return nil, false
	}
	i := sort.SearchStrings(names, from)
	return names[i:], true
}

// dtpPage builds one page of a DescribeTopicPartitions response.
type dtpPage struct {
	img      *metadata.Image
	listener string
	cursor   *kmsg.DescribeTopicPartitionsRequestCursor
	all      bool // the request named no topics
}

// fill describes names in order until limit partitions are listed,
// returning the topics and the cursor of the next page, if any.
func (d *dtpPage) fill(names []string, limit int32) ([]kmsg.DescribeTopicPartitionsResponseTopic, *kmsg.DescribeTopicPartitionsResponseNextCursor) {
	var out []kmsg.DescribeTopicPartitionsResponseTopic
	remaining := limit
	for _, name := range names {
		if remaining == 0 {
			return out, nextCursor(name, 0)
		}
		t := d.img.Topic(name)
		if t == nil {
			if !d.all {
				out = append(out, dtpUnknownTopic(name))
			}
			continue
		}
		rt, next := d.topic(t, remaining)
		out = append(out, rt)
		if next >= 0 {
			return out, nextCursor(name, next)
		}
		remaining -= int32(len(rt.Partitions))
	}
	return out, nil
}

// topic describes up to max partitions of t from the cursor's partition
// (or 0); next is the first partition left out, -1 when none is.
func (d *dtpPage) topic(t *metadata.TopicImage, max int32) (kmsg.DescribeTopicPartitionsResponseTopic, int32) {
	rt := kmsg.NewDescribeTopicPartitionsResponseTopic()
	name := t.Name
	rt.Topic, rt.TopicID, rt.IsInternal = &name, [16]byte(t.ID), isInternalTopic(name)
	rt.Partitions = []kmsg.DescribeTopicPartitionsResponseTopicPartition{}
	start := int32(0)
	if d.cursor != nil && d.cursor.Topic == name {
		start = d.cursor.Partition
	}
	count := int32(len(t.Partitions))
	upper := min(count, start+max)
	next := int32(-1)
	if upper < count {
		next = upper
	}
	for i := start; i < upper; i++ {
		if p := t.Partitions[i]; p != nil {
			rt.Partitions = append(rt.Partitions, d.partition(p))
		}
	}
	return rt, next
}

func (d *dtpPage) partition(p *metadata.PartitionImage) kmsg.DescribeTopicPartitionsResponseTopicPartition {
	out := kmsg.NewDescribeTopicPartitionsResponseTopicPartition()
	out.Partition, out.LeaderEpoch = p.Partition, p.LeaderEpoch
	out.LeaderID = -1
	if b := d.img.Brokers[p.Leader]; b != nil {
		if _, ok := endpointFor(b, d.listener); ok {
			out.LeaderID = p.Leader
		}
	}
	out.Replicas, out.ISR = nonNil(p.Replicas), nonNil(p.ISR)
	out.EligibleLeaderReplicas, out.LastKnownELR = nonNil(p.ELR), nonNil(p.LastKnownELR)
	out.OfflineReplicas = []int32{}
	for _, id := range p.Replicas {
		b := d.img.Brokers[id]
		if b == nil || b.Fenced {
			out.OfflineReplicas = append(out.OfflineReplicas, id)
		} else if _, ok := endpointFor(b, d.listener); !ok {
			out.OfflineReplicas = append(out.OfflineReplicas, id)
		}
	}
	return out
}

func nonNil(s []int32) []int32 {
	if s == nil {
		return []int32{}
	}
	return s
}

func nextCursor(topic string, partition int32) *kmsg.DescribeTopicPartitionsResponseNextCursor {
	c := kmsg.NewDescribeTopicPartitionsResponseNextCursor()
	c.Topic, c.Partition = topic, partition
	return &c
}

// dtpUnknownTopic answers a named topic that does not exist.
func dtpUnknownTopic(name string) kmsg.DescribeTopicPartitionsResponseTopic {
	code := kerr.UnknownTopicOrPartition
	if validateTopicName(name) != nil {
		code = kerr.InvalidTopicException
	}
	rt := dtpTopicError(name, code)
	rt.IsInternal = isInternalTopic(name)
	return rt
}

func dtpTopicError(name string, code *kerr.Error) kmsg.DescribeTopicPartitionsResponseTopic {
	rt := kmsg.NewDescribeTopicPartitionsResponseTopic()
	rt.Topic, rt.ErrorCode = &name, code.Code
	rt.Partitions = []kmsg.DescribeTopicPartitionsResponseTopicPartition{}
	return rt
}
