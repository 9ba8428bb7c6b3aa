package main

// gofka group: list, describe (with lag per partition), delete and seek
// consumer and share groups, as kafka-consumer-groups.sh,
// kafka-share-groups.sh and rpk group do.

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/spf13/cobra"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
)

func groupCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "group", Short: "List, describe, delete and seek consumer and share groups"}
	cmd.AddCommand(groupListCmd(g), groupDescribeCmd(g), groupDeleteCmd(g), groupSeekCmd(g))
	return cmd
}

// groupErr explains group errors, above all a broker without groups.
func groupErr(group string, err error) error {
	switch {
	case errors.Is(err, kerr.GroupIDNotFound):
		return errGroupMissing(group)
	case errors.Is(err, kerr.NonEmptyGroup):
		return fmt.Errorf("group %q has active members: stop its consumers first (see them with `gofka group describe %s`)", group, group)
	case errors.Is(err, kerr.UnsupportedVersion), errors.Is(err, kerr.CoordinatorNotAvailable):
		return fmt.Errorf("%w: the broker does not serve consumer groups (yet)", err)
	}
	return explain(err, "")
}

func errGroupMissing(group string) error {
	return fmt.Errorf("group %q does not exist: list groups with `gofka group list`", group)
}

func groupListCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List consumer and share groups",
		Example: "  gofka group list",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.withSession(cmd, func(s *session) error {
				listed, err := s.adm.ListGroups(s.ctx)
				if err != nil {
					return groupErr("", err)
				}
				type group struct {
					Group        string `json:"group"`
					State        string `json:"state"`
					ProtocolType string `json:"protocol_type"`
					Coordinator  int32  `json:"coordinator"`
				}
				js := []group{}
				var rows [][]string
				for _, lg := range listed.Sorted() {
					js = append(js, group{lg.Group, lg.State, lg.ProtocolType, lg.Coordinator})
					rows = append(rows, []string{lg.Group, lg.State, lg.ProtocolType})
				}
				return s.emit(js, []string{"GROUP", "STATE", "PROTOCOL-TYPE"}, rows)
			})
		},
	}
}

func groupDeleteCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:     "delete GROUP...",
		Short:   "Delete consumer groups with no active members, and their offsets",
		Example: "  gofka group delete audit",
		Args:    minArgs(1),
		RunE: func(cmd *cobra.Command, groups []string) error {
			return g.withSession(cmd, func(s *session) error {
				resp, err := s.adm.DeleteGroups(s.ctx, groups...)
				if err != nil {
					return groupErr("", err)
				}
				return s.emitOutcomes("GROUP", outcomesOf(resp.Sorted(), func(r kadm.DeleteGroupResponse) (string, error) {
					if r.Err != nil {
						return r.Group, groupErr(r.Group, r.Err)
					}
					return r.Group, nil
				}))
			})
		},
	}
}

// describedGroup is what `group describe` shows.
type describedGroup struct {
	Group        string         `json:"group"`
	State        string         `json:"state"`
	ProtocolType string         `json:"protocol_type"`
	Protocol     string         `json:"protocol"`
	Members      int            `json:"members"`
	TotalLag     int64          `json:"total_lag"`
	Partitions   []describedLag `json:"partitions"`
}

type describedLag struct {
	Topic     string `json:"topic"`
	Partition int32  `json:"partition"`
	Committed int64  `json:"current_offset"`
	End       int64  `json:"log_end_offset"`
	Lag       int64  `json:"lag"`
	MemberID  string `json:"member_id,omitempty"`
	ClientID  string `json:"client_id,omitempty"`
	Host      string `json:"host,omitempty"`
}

func groupDescribeCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:     "describe GROUP...",
		Short:   "Show groups' members, committed offsets and lag per partition",
		Example: "  gofka group describe audit\n  gofka group describe audit -o json",
		Args:    minArgs(1),
		RunE: func(cmd *cobra.Command, groups []string) error {
			return g.withSession(cmd, func(s *session) error {
				lags, err := s.adm.Lag(s.ctx, groups...)
				if err != nil {
					return groupErr("", err)
				}
				var out []describedGroup
				for _, name := range groups {
					l, ok := lags[name]
					if !ok || l.State == "Dead" || errors.Is(l.DescribeErr, kerr.GroupIDNotFound) {
						d, err := s.describeShareOrMissing(name)
						if err != nil {
							return err
						}
						out = append(out, d)
						continue
					}
					if err := l.Error(); err != nil {
						return groupErr(name, err)
					}
					out = append(out, describeLag(l))
				}
				if s.json() {
					return s.printJSON(out)
				}
				return s.printGroups(out)
			})
		},
	}
}

// describeShareOrMissing describes a share group, or says the group
// does not exist.
func (s *session) describeShareOrMissing(name string) (describedGroup, error) {
	d, ok, err := s.shareGroup(name)
	if err != nil {
		return describedGroup{}, err
	}
	if !ok {
		return describedGroup{}, errGroupMissing(name)
	}
	return s.describeShare(d)
}

func describeLag(l kadm.DescribedGroupLag) describedGroup {
	d := describedGroup{Group: l.Group, State: l.State, ProtocolType: l.ProtocolType, Protocol: l.Protocol,
		Members: len(l.Members), TotalLag: l.Lag.Total(), Partitions: []describedLag{}}
	for _, p := range l.Lag.Sorted() {
		dl := describedLag{Topic: p.Topic, Partition: p.Partition, Committed: p.Commit.At, End: p.End.Offset, Lag: p.Lag}
		if p.Member != nil {
			dl.MemberID, dl.ClientID, dl.Host = p.Member.MemberID, p.Member.ClientID, p.Member.ClientHost
		}
		d.Partitions = append(d.Partitions, dl)
	}
	return d
}

func (s *session) printGroups(gs []describedGroup) error {
	for i, d := range gs {
		if i > 0 {
			fmt.Fprintln(s.out)
		}
		fmt.Fprintf(s.out, "Group: %s  State: %s  Members: %d  Total lag: %d\n\n", d.Group, d.State, d.Members, d.TotalLag)
		var rows [][]string
		for _, p := range d.Partitions {
			rows = append(rows, []string{p.Topic, strconv.Itoa(int(p.Partition)), offsetString(p.Committed),
				offsetString(p.End), offsetString(p.Lag), dash(p.MemberID), dash(p.ClientID), dash(p.Host)})
		}
		if err := s.table([]string{"TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "MEMBER-ID", "CLIENT-ID", "HOST"}, rows); err != nil {
			return err
		}
	}
	return nil
}

func offsetString(o int64) string {
	if o < 0 {
		return "-"
	}
	return strconv.FormatInt(o, 10)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
