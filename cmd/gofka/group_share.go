package main

// Share groups (KIP-932) in gofka group describe and seek: a share
// group's "current offset" is its share-partition start offset, the lag
// the records from there to the log end not yet acknowledged.

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
)

// shareGroup describes name as a share group; ok is false when it is not
// one.
func (s *session) shareGroup(name string) (kadm.DescribedShareGroup, bool, error) {
	ds, err := s.adm.DescribeShareGroups(s.ctx, name)
	if err != nil {
		if errors.Is(err, kerr.UnsupportedVersion) {
			return kadm.DescribedShareGroup{}, false, nil
		}
		return kadm.DescribedShareGroup{}, false, groupErr(name, err)
	}
	d, ok := ds[name]
	if !ok || d.Err != nil || d.GroupState == "" || d.GroupState == "Dead" {
		return d, false, nil
	}
	return d, true, nil
}

// shareStarts are a share group's start offsets and lags.
func (s *session) shareStarts(name string) (kadm.ShareOffsets, error) {
	ds, err := s.adm.DescribeShareGroupOffsets(s.ctx, name)
	if err != nil {
		return nil, groupErr(name, err)
	}
	d := ds[name]
	if d.Err != nil {
		return nil, groupErr(name, d.Err)
	}
	return d.Offsets, nil
}

// describeShare is a share group as `group describe` shows it: members
// sharing a partition are listed together.
func (s *session) describeShare(d kadm.DescribedShareGroup) (describedGroup, error) {
	out := describedGroup{Group: d.GroupID, State: d.GroupState, ProtocolType: "share", Protocol: d.Assignor,
		Members: len(d.Members), Partitions: []describedLag{}}
	starts, err := s.shareStarts(d.GroupID)
	if err != nil {
		return out, err
	}
	owners := shareOwners(d)
	for t, ps := range starts {
		ends, err := s.adm.ListEndOffsets(s.ctx, t)
		if err != nil {
			return out, explain(err, t)
		}
		for p, o := range ps {
			dl := describedLag{Topic: t, Partition: p, Committed: o.StartOffset, End: -1, Lag: o.Lag}
			if e, ok := ends.Lookup(t, p); ok && e.Err == nil {
				dl.End = e.Offset
			}
			if ms := owners[t][p]; len(ms) > 0 {
				dl.MemberID, dl.ClientID, dl.Host = strings.Join(ms[0], ","), strings.Join(ms[1], ","), strings.Join(ms[2], ",")
			}
			out.TotalLag += max(o.Lag, 0)
			out.Partitions = append(out.Partitions, dl)
		}
	}
	sort.Slice(out.Partitions, func(i, j int) bool {
		a, b := out.Partitions[i], out.Partitions[j]
		return a.Topic < b.Topic || (a.Topic == b.Topic && a.Partition < b.Partition)
	})
	return out, nil
}

// shareOwners maps topic and partition to the member ids, client ids and
// hosts of the members it is assigned to.
func shareOwners(d kadm.DescribedShareGroup) map[string]map[int32][3][]string {
	out := map[string]map[int32][3][]string{}
	for _, m := range d.Members {
		for t, ps := range m.Assignment {
			if out[t] == nil {
				out[t] = map[int32][3][]string{}
			}
			for p := range ps {
				o := out[t][p]
				o[0], o[1], o[2] = append(o[0], m.MemberID), append(o[1], m.ClientID), append(o[2], m.ClientHost)
				out[t][p] = o
			}
		}
	}
	return out
}

// seekShare moves an empty share group's start offsets
// (AlterShareGroupOffsets).
func (s *session) seekShare(d kadm.DescribedShareGroup, o *seekOpts, at startAt) error {
	if len(d.Members) > 0 {
		return fmt.Errorf("group %q is %s with %d members: stop its consumers before seeking", d.GroupID, d.GroupState, len(d.Members))
	}
	starts, err := s.shareStarts(d.GroupID)
	if err != nil {
		return err
	}
	old := kadm.OffsetResponses{}
	for t, ps := range starts {
		for p, so := range ps {
			old.Add(kadm.OffsetResponse{Offset: kadm.Offset{Topic: t, Partition: p, At: so.StartOffset}})
		}
	}
	topics := o.topics
	if len(topics) == 0 {
		topics = old.Partitions().Topics()
	}
	if len(topics) == 0 {
		return usagef("share group %q has no start offsets: name the topics with --topic", d.GroupID)
	}
	if _, err := s.requireTopics(topics...); err != nil {
		return err
	}
	rows, next, err := s.seekTargets(topics, old, at)
	if err != nil {
		return err
	}
	if !o.dryRun {
		resp, err := s.adm.AlterShareGroupOffsets(s.ctx, d.GroupID, next)
		if err != nil {
			return groupErr(d.GroupID, err)
		}
		if err := resp.Error(); err != nil {
			return groupErr(d.GroupID, err)
		}
	}
	return s.printSeek(rows, o.dryRun)
}
