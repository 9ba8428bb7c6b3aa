package main

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
)

// seekOpts are the flags of gofka group seek.
type seekOpts struct {
	to        string
	timestamp string
	topics    []string
	dryRun    bool
}

func groupSeekCmd(g *globals) *cobra.Command {
	var o seekOpts
	cmd := &cobra.Command{
		Use:   "seek GROUP --to start|end|OFFSET | --to-timestamp TIME",
		Short: "Move an inactive group's committed offsets (a share group's start offsets)",
		Long: `Move an inactive group's committed offsets (kafka-consumer-groups --reset-offsets),
or a share group's start offsets (kafka-share-groups --reset-offsets).

The group must have no active members. By default every topic the group has
offsets for is moved; --topic limits (or, for a new group, names) the topics.
--dry-run prints the new offsets without committing them.`,
		Example: `  gofka group seek audit --to start --dry-run
  gofka group seek audit --to end --topic orders
  gofka group seek audit --to 42 --topic orders
  gofka group seek audit --to-timestamp 2026-01-02T15:04:05Z`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			at, err := o.parse()
			if err != nil {
				return err
			}
			return g.withSession(cmd, func(s *session) error {
				return s.seek(args[0], &o, at)
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.to, "to", "", "start (earliest), end (latest) or an offset number")
	f.StringVar(&o.timestamp, "to-timestamp", "", "the first offset at or after this time (unix milliseconds or RFC 3339)")
	f.StringArrayVar(&o.topics, "topic", nil, "topic to move (repeatable; default: every topic the group has offsets for)")
	f.BoolVar(&o.dryRun, "dry-run", false, "print the new offsets, do not commit them")
	return cmd
}

func (o *seekOpts) parse() (startAt, error) {
	switch {
	case (o.to == "") == (o.timestamp == ""):
		return startAt{}, usagef("give exactly one of --to or --to-timestamp")
	case o.timestamp != "":
		ms, err := parseMillis(o.timestamp)
		return startAt{millis: ms}, err
	}
	c := consumeOpts{offset: o.to, format: "plain"}
	return c.parse()
}

// seekRow is one partition's move.
type seekRow struct {
	Topic     string `json:"topic"`
	Partition int32  `json:"partition"`
	Old       int64  `json:"old_offset"`
	New       int64  `json:"new_offset"`
}

func (s *session) seek(group string, o *seekOpts, at startAt) error {
	if d, ok, err := s.shareGroup(group); err != nil {
		return err
	} else if ok {
		return s.seekShare(d, o, at)
	}
	if err := s.requireInactive(group); err != nil {
		return err
	}
	old, err := s.adm.FetchOffsets(s.ctx, group)
	if err != nil && !errors.Is(err, kerr.GroupIDNotFound) {
		return groupErr(group, err)
	}
	topics := o.topics
	if len(topics) == 0 {
		topics = old.Partitions().Topics()
	}
	if len(topics) == 0 {
		return usagef("group %q has no committed offsets: name the topics with --topic", group)
	}
	if _, err := s.requireTopics(topics...); err != nil {
		return err
	}
	rows, next, err := s.seekTargets(topics, old, at)
	if err != nil {
		return err
	}
	if !o.dryRun {
		resp, err := s.adm.CommitOffsets(s.ctx, group, next)
		if err != nil {
			return groupErr(group, err)
		}
		if err := resp.Error(); err != nil {
			return groupErr(group, err)
		}
	}
	return s.printSeek(rows, o.dryRun)
}

// requireInactive fails when the group has members, as Kafka's reset does.
func (s *session) requireInactive(group string) error {
	dg, err := s.adm.DescribeGroups(s.ctx, group)
	if err != nil {
		return groupErr(group, err)
	}
	d, ok := dg[group]
	if !ok || errors.Is(d.Err, kerr.GroupIDNotFound) || d.State == "Dead" || d.State == "Empty" {
		return nil
	}
	if d.Err != nil {
		return groupErr(group, d.Err)
	}
	return fmt.Errorf("group %q is %s with %d members: stop its consumers before seeking", group, d.State, len(d.Members))
}

// seekTargets computes every partition's new offset.
func (s *session) seekTargets(topics []string, old kadm.OffsetResponses, at startAt) ([]seekRow, kadm.Offsets, error) {
	next := kadm.Offsets{}
	var rows []seekRow
	for _, t := range topics {
		ends, err := s.adm.ListEndOffsets(s.ctx, t)
		if err != nil {
			return nil, nil, explain(err, t)
		}
		starts, err := s.resetOffsets(t, at, ends)
		if err != nil {
			return nil, nil, err
		}
		for p, off := range starts {
			prev := int64(-1)
			if o, ok := old.Lookup(t, p); ok && o.Err == nil {
				prev = o.At
			}
			next.AddOffset(t, p, off, -1)
			rows = append(rows, seekRow{Topic: t, Partition: p, Old: prev, New: off})
		}
	}
	sortSeekRows(rows)
	return rows, next, nil
}

func (s *session) printSeek(rows []seekRow, dry bool) error {
	if s.json() {
		return s.printJSON(map[string]any{"dry_run": dry, "partitions": rows})
	}
	var tr [][]string
	for _, r := range rows {
		tr = append(tr, []string{r.Topic, strconv.Itoa(int(r.Partition)), offsetString(r.Old), offsetString(r.New)})
	}
	if err := s.table([]string{"TOPIC", "PARTITION", "OLD-OFFSET", "NEW-OFFSET"}, tr); err != nil {
		return err
	}
	if dry {
		fmt.Fprintln(s.out, "(dry run: nothing committed)")
	}
	return nil
}

func sortSeekRows(rows []seekRow) {
	slices.SortFunc(rows, func(a, b seekRow) int {
		if c := strings.Compare(a.Topic, b.Topic); c != 0 {
			return c
		}
		return int(a.Partition - b.Partition)
	})
}
