package main

// gofka config describe|set: broker configs, per broker or cluster-wide
// (kafka-configs.sh --entity-type brokers).

import (
	"fmt"

	"github.com/spf13/cobra"
	"github.com/twmb/franz-go/pkg/kadm"
)

func configCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "config", Short: "Describe and change broker configs"}
	cmd.AddCommand(configDescribeCmd(g), configSetCmd(g))
	return cmd
}

func configDescribeCmd(g *globals) *cobra.Command {
	var broker int32
	var all bool
	cmd := &cobra.Command{
		Use:     "describe",
		Short:   "Show a broker's configs (default: the configs set on the broker or cluster-wide)",
		Example: "  gofka config describe --broker 1\n  gofka config describe --broker 1 --all",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.withSession(cmd, func(s *session) error {
				broker, err := s.checkBroker(broker)
				if err != nil {
					return err
				}
				rcs, err := s.adm.DescribeBrokerConfigs(s.ctx, broker)
				if err != nil {
					return explain(err, "")
				}
				rc, err := rcs.On(fmt.Sprint(broker), nil)
				if err != nil {
					return fmt.Errorf("broker %d: %w (list brokers with `gofka cluster info`)", broker, err)
				}
				if rc.Err != nil {
					return fmt.Errorf("broker %d: %w (list brokers with `gofka cluster info`)", broker, rc.Err)
				}
				cs := configsOf(rc.Configs, all)
				var rows [][]string
				for _, c := range cs {
					rows = append(rows, []string{c.Name, c.Value, c.Source})
				}
				return s.emit(cs, []string{"CONFIG", "VALUE", "SOURCE"}, rows)
			})
		},
	}
	cmd.Flags().Int32Var(&broker, "broker", -1, "node id of the broker (default: the first broker)")
	cmd.Flags().BoolVar(&all, "all", false, "list every config, defaults included")
	return cmd
}

// checkBroker returns id when the cluster has that broker, or the lowest
// node id when id is -1.
func (s *session) checkBroker(id int32) (int32, error) {
	md, err := s.adm.BrokerMetadata(s.ctx)
	if err != nil {
		return 0, explain(err, "")
	}
	if len(md.Brokers) == 0 {
		return 0, fmt.Errorf("the cluster lists no brokers")
	}
	if id < 0 {
		return md.Brokers[0].NodeID, nil
	}
	for _, b := range md.Brokers {
		if b.NodeID == id {
			return id, nil
		}
	}
	return 0, fmt.Errorf("no broker with node id %d: list brokers with `gofka cluster info`", id)
}

func configSetCmd(g *globals) *cobra.Command {
	var broker int32
	var sets, deletes []string
	cmd := &cobra.Command{
		Use:   "set name=value... [--delete name]...",
		Short: "Set or remove dynamic broker configs, on one broker or cluster-wide",
		Example: `  gofka config set log.retention.ms=86400000              # cluster-wide default
  gofka config set --broker 1 log.cleaner.threads=2
  gofka config set --delete log.retention.ms`,
		RunE: func(cmd *cobra.Command, args []string) error {
			alters, err := alterOps(append(sets, args...), deletes)
			if err != nil {
				return err
			}
			return g.withSession(cmd, func(s *session) error {
				var brokers []int32
				if broker >= 0 {
					if _, err := s.checkBroker(broker); err != nil {
						return err
					}
					brokers = append(brokers, broker)
				}
				var resp kadm.AlterConfigsResponses
				resp, err = s.adm.AlterBrokerConfigs(s.ctx, alters, brokers...)
				return s.reportAltered(resp, err)
			})
		},
	}
	cmd.Flags().Int32Var(&broker, "broker", -1, "node id of the broker (default: cluster-wide)")
	cmd.Flags().StringArrayVar(&sets, "set", nil, "config to set, name=value (repeatable; also as arguments)")
	cmd.Flags().StringArrayVar(&deletes, "delete", nil, "config to remove (repeatable)")
	return cmd
}
