package main

import (
	"errors"
	"slices"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// planConsume resolves where each chosen partition starts and ends.
func (s *session) planConsume(topic string, o *consumeOpts, at startAt) (*consumePlan, error) {
	td, err := s.requireTopics(topic)
	if err != nil {
		return nil, err
	}
	parts := td[topic].Partitions.Numbers()
	if len(o.partitions) > 0 {
		for _, p := range o.partitions {
			if !slices.Contains(parts, p) {
				return nil, usagef("topic %q has no partition %d (it has %d)", topic, p, len(parts))
			}
		}
		parts = o.partitions
	}
	ends, err := s.adm.ListEndOffsets(s.ctx, topic)
	if err != nil {
		return nil, explain(err, topic)
	}
	starts, err := s.resetOffsets(topic, at, ends)
	if err != nil {
		return nil, err
	}
	if o.group != "" {
		if err := s.applyCommitted(o.group, topic, starts); err != nil {
			return nil, err
		}
	}
	plan := &consumePlan{topic: topic, starts: map[int32]int64{}, ends: map[int32]int64{}, reset: at.kgoOffset()}
	for _, p := range parts {
		plan.starts[p] = starts[p]
		if e, ok := ends.Lookup(topic, p); ok {
			plan.ends[p] = e.Offset
		}
	}
	return plan, nil
}

// resetOffsets is each partition's start when no commit applies.
func (s *session) resetOffsets(topic string, at startAt, ends kadm.ListedOffsets) (map[int32]int64, error) {
	var listed kadm.ListedOffsets
	var err error
	switch {
	case at.millis >= 0:
		listed, err = s.adm.ListOffsetsAfterMilli(s.ctx, at.millis, topic)
	case at.offset == -1:
		listed = ends
	default:
		listed, err = s.adm.ListStartOffsets(s.ctx, topic)
	}
	if err != nil {
		return nil, explain(err, topic)
	}
	out := map[int32]int64{}
	listed.Each(func(l kadm.ListedOffset) {
		if l.Topic != topic {
			return
		}
		off := l.Offset
		end, _ := ends.Lookup(topic, l.Partition)
		if at.millis < 0 && at.offset >= 0 {
			off = max(off, min(at.offset, end.Offset)) // an offset, clamped to the log
		}
		if off < 0 { // no record at or after the timestamp
			off = end.Offset
		}
		out[l.Partition] = off
	})
	return out, nil
}

// applyCommitted replaces starts with the group's committed offsets.
func (s *session) applyCommitted(group, topic string, starts map[int32]int64) error {
	offs, err := s.adm.FetchOffsets(s.ctx, group)
	if err != nil {
		if errors.Is(err, kerr.GroupIDNotFound) {
			return nil
		}
		return groupErr(group, err)
	}
	offs.Each(func(o kadm.OffsetResponse) {
		if o.Topic == topic && o.Err == nil && o.At >= 0 {
			starts[o.Partition] = o.At
		}
	})
	return nil
}

// kgoOffset is at as a kgo reset offset.
func (at startAt) kgoOffset() kgo.Offset {
	switch {
	case at.millis >= 0:
		return kgo.NewOffset().AfterMilli(at.millis)
	case at.offset == -2:
		return kgo.NewOffset().AtStart()
	case at.offset == -1:
		return kgo.NewOffset().AtEnd()
	}
	return kgo.NewOffset().At(at.offset)
}
