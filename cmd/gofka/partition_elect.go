package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
)

func electLeadersCmd(g *globals) *cobra.Command {
	var typ, topic string
	var parts []int32
	var all bool
	cmd := &cobra.Command{
		Use:   "elect-leaders --type preferred|unclean (--topic T [--partition P]... | --all)",
		Short: "Elect partition leaders (kafka-leader-election.sh)",
		Long: "preferred moves leadership to each partition's first replica when it is alive and in sync;\n" +
			"unclean gives a partition without a leader any alive replica, even out of sync (records may be lost).",
		Example: "  gofka partition elect-leaders --type preferred --all\n  gofka partition elect-leaders --type unclean --topic orders --partition 3",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			how, err := electionType(typ)
			if err != nil {
				return err
			}
			if all == (topic != "") || (len(parts) > 0 && topic == "") {
				return usagef("name the partitions with --topic (and --partition), or use --all")
			}
			return g.withSession(cmd, func(s *session) error {
				var set kadm.TopicsSet
				if topic != "" {
					td, err := s.requireTopics(topic)
					if err != nil {
						return err
					}
					if len(parts) == 0 {
						parts = td[topic].Partitions.Numbers()
					}
					set = kadm.TopicsSet{}
					set.Add(topic, parts...)
				}
				res, err := s.adm.ElectLeaders(s.ctx, how, set)
				if err != nil {
					return explain(err, "")
				}
				return s.reportElections(res, all)
			})
		},
	}
	cmd.Flags().StringVar(&typ, "type", "", "preferred or unclean")
	cmd.Flags().StringVar(&topic, "topic", "", "topic whose partitions to elect for")
	cmd.Flags().Int32SliceVar(&parts, "partition", nil, "partitions of --topic (default: all of them)")
	cmd.Flags().BoolVar(&all, "all", false, "every partition of the cluster")
	return cmd
}

func electionType(s string) (kadm.ElectLeadersHow, error) {
	switch s {
	case "preferred":
		return kadm.ElectPreferredReplica, nil
	case "unclean":
		return kadm.ElectLiveReplica, nil
	}
	return 0, usagef("--type %q: want preferred or unclean", s)
}

// reportElections prints each partition's result; a partition that needed
// no election is fine.
func (s *session) reportElections(res kadm.ElectLeadersResults, all bool) error {
	var outs []outcome
	for _, t := range sortedKeys(res) {
		for _, p := range sortedKeys(res[t]) {
			r := res[t][p]
			name := fmt.Sprintf("%s-%d", t, p)
			switch {
			case errors.Is(r.Err, kerr.ElectionNotNeeded):
				name += " (leader already elected)"
				r.Err = nil
			case r.Err != nil && r.ErrMessage != "":
				r.Err = fmt.Errorf("%w: %s", r.Err, r.ErrMessage)
			}
			outs = append(outs, outcome{name: name, err: r.Err})
		}
	}
	if len(outs) == 0 && all && !s.json() {
		fmt.Fprintln(s.out, "No partition needed an election.")
		return nil
	}
	return s.emitOutcomes("PARTITION", outs)
}
