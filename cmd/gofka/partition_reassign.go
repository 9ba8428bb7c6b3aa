package main

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/spf13/cobra"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// planCommand is a subcommand that reads a plan file and runs on a session.
func planCommand(g *globals, use, short string, run func(s *session, p *plan) error) *cobra.Command {
	return &cobra.Command{Use: use, Short: short, Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := readPlan(args[0])
			if err != nil {
				return err
			}
			return g.withSession(cmd, func(s *session) error { return run(s, p) })
		}}
}

func reassignExecuteCmd(g *globals) *cobra.Command {
	var throttle int64
	var dryRun bool
	cmd := planCommand(g, "execute PLAN.json", "Start the reassignments of a plan (kafka-reassign-partitions.sh --execute)",
		func(s *session, p *plan) error {
			if _, err := s.requireTopics(p.topics()...); err != nil {
				return err
			}
			md, err := s.adm.Metadata(s.ctx, p.topics()...)
			if err != nil {
				return explain(err, "")
			}
			if dryRun {
				return s.printMoves(md, p)
			}
			if !s.json() {
				cur := currentPlan(md, p.topics(), planNames(p))
				fmt.Fprintf(s.out, "Current partition replica assignment (save it to roll back with execute)\n%s\n\n", marshalPlan(cur))
			}
			if throttle >= 0 {
				if err := s.setThrottles(md, p, throttle); err != nil {
					return err
				}
			}
			return s.alterAssignments(p, false)
		})
	cmd.Flags().Int64Var(&throttle, "throttle", -1, "replication throttle in bytes/s for the moving replicas (KIP-73; status/cancel clear it)")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "show what would move without changing anything")
	return cmd
}

func planNames(p *plan) map[string]bool {
	m := map[string]bool{}
	for _, pp := range p.Partitions {
		m[pp.name()] = true
	}
	return m
}

// printMoves shows each partition's present and target replicas.
func (s *session) printMoves(md kadm.Metadata, p *plan) error {
	type move struct {
		Topic     string  `json:"topic"`
		Partition int32   `json:"partition"`
		Current   []int32 `json:"current"`
		Target    []int32 `json:"target"`
		Moves     bool    `json:"moves"`
	}
	var js []move
	var rows [][]string
	for _, pp := range p.Partitions {
		pd, ok := md.Topics[pp.Topic].Partitions[pp.Partition]
		if !ok {
			return fmt.Errorf("partition %s does not exist (see: gofka topic describe %s)", pp.name(), pp.Topic)
		}
		m := move{pp.Topic, pp.Partition, pd.Replicas, pp.Replicas, !slices.Equal(pd.Replicas, pp.Replicas)}
		js = append(js, m)
		rows = append(rows, []string{m.Topic, strconv.Itoa(int(m.Partition)), ints(m.Current), ints(m.Target), strconv.FormatBool(m.Moves)})
	}
	return s.emit(js, []string{"TOPIC", "PARTITION", "CURRENT", "TARGET", "MOVES"}, rows)
}

// alterAssignments sends the plan's targets, or cancels them.
func (s *session) alterAssignments(p *plan, cancel bool) error {
	var req kadm.AlterPartitionAssignmentsReq
	for _, pp := range p.Partitions {
		if cancel {
			req.Assign(pp.Topic, pp.Partition, nil)
		} else {
			req.Assign(pp.Topic, pp.Partition, pp.Replicas)
		}
	}
	resp, err := s.adm.AlterPartitionAssignments(s.ctx, req)
	if err != nil {
		return explain(err, "")
	}
	return s.emitOutcomes("PARTITION", outcomesOf(resp.Sorted(), func(r kadm.AlterPartitionAssignmentsResponse) (string, error) {
		name := fmt.Sprintf("%s-%d", r.Topic, r.Partition)
		if r.Err != nil && r.ErrMessage != "" {
			return name, fmt.Errorf("%w: %s", r.Err, r.ErrMessage)
		}
		return name, r.Err
	}))
}

func reassignStatusCmd(g *globals) *cobra.Command {
	var preserve bool
	cmd := planCommand(g, "status PLAN.json",
		"Show how far a plan's reassignments are (kafka-reassign-partitions.sh --verify); clears the throttle once all are done",
		func(s *session, p *plan) error {
			done, err := s.reassignStatus(p)
			if err != nil || !done || preserve {
				return err
			}
			return s.clearThrottles(p.topics())
		})
	cmd.Flags().BoolVar(&preserve, "preserve-throttles", false, "keep the replication throttle when every reassignment is done")
	return cmd
}

// reassignStatus prints each partition's state: in progress, complete, or
// different from the plan (an error). It reports whether all are complete.
func (s *session) reassignStatus(p *plan) (bool, error) {
	md, err := s.adm.Metadata(s.ctx, p.topics()...)
	if err != nil {
		return false, explain(err, "")
	}
	ongoing, err := s.listReassignments(p.topics())
	if err != nil {
		return false, err
	}
	done := true
	var outs []outcome
	for _, pp := range p.Partitions {
		pd, ok := md.Topics[pp.Topic].Partitions[pp.Partition]
		var st error
		switch _, moving := ongoing[pp.Topic][pp.Partition]; {
		case !ok:
			st = fmt.Errorf("partition %s does not exist", pp.name())
		case moving:
			st, done = errInProgress, false
		case !slices.Equal(pd.Replicas, pp.Replicas):
			st = fmt.Errorf("replicas %s differ from the plan's %s (no reassignment in progress)", ints(pd.Replicas), ints(pp.Replicas))
		}
		outs = append(outs, outcome{name: pp.name(), err: st})
	}
	var failed []error
	for i, o := range outs {
		if errors.Is(o.err, errInProgress) {
			outs[i].err = nil
			outs[i].name += " (in progress)"
		} else if o.err != nil {
			failed, done = append(failed, o.err), false
		}
	}
	if err := s.emitOutcomes("PARTITION", outs); err != nil {
		return false, err
	}
	return done, errors.Join(failed...)
}

var errInProgress = errors.New("reassignment in progress")

// listReassignments lists the reassignments in progress of topics (all
// when nil).
func (s *session) listReassignments(topics []string) (map[string]map[int32]kmsg.ListPartitionReassignmentsResponseTopicPartition, error) {
	req := kmsg.NewPtrListPartitionReassignmentsRequest()
	if topics != nil {
		md, err := s.adm.Metadata(s.ctx, topics...)
		if err != nil {
			return nil, explain(err, "")
		}
		for _, t := range topics {
			rt := kmsg.NewListPartitionReassignmentsRequestTopic()
			rt.Topic, rt.Partitions = t, md.Topics[t].Partitions.Numbers()
			req.Topics = append(req.Topics, rt)
		}
	}
	resp, err := req.RequestWith(s.ctx, s.cl)
	if err != nil {
		return nil, explain(err, "")
	}
	if err := kerr.ErrorForCode(resp.ErrorCode); err != nil {
		return nil, explain(err, "")
	}
	out := map[string]map[int32]kmsg.ListPartitionReassignmentsResponseTopicPartition{}
	for _, t := range resp.Topics {
		out[t.Topic] = map[int32]kmsg.ListPartitionReassignmentsResponseTopicPartition{}
		for _, p := range t.Partitions {
			out[t.Topic][p.Partition] = p
		}
	}
	return out, nil
}

func reassignCancelCmd(g *globals) *cobra.Command {
	var preserve bool
	cmd := planCommand(g, "cancel PLAN.json", "Cancel a plan's reassignments in progress (kafka-reassign-partitions.sh --cancel)",
		func(s *session, p *plan) error {
			ongoing, err := s.listReassignments(p.topics())
			if err != nil {
				return err
			}
			moving := &plan{Version: 1}
			for _, pp := range p.Partitions {
				if _, ok := ongoing[pp.Topic][pp.Partition]; ok {
					moving.Partitions = append(moving.Partitions, pp)
				}
			}
			if len(moving.Partitions) == 0 {
				fmt.Fprintln(s.out, "No reassignment of the plan is in progress.")
			} else if err := s.alterAssignments(moving, true); err != nil {
				return err
			}
			if preserve {
				return nil
			}
			return s.clearThrottles(p.topics())
		})
	cmd.Flags().BoolVar(&preserve, "preserve-throttles", false, "keep the replication throttle")
	return cmd
}

func reassignListCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the reassignments in progress (kafka-reassign-partitions.sh --list)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.withSession(cmd, func(s *session) error {
				ongoing, err := s.listReassignments(nil)
				if err != nil {
					return err
				}
				type row struct {
					Topic     string  `json:"topic"`
					Partition int32   `json:"partition"`
					Replicas  []int32 `json:"replicas"`
					Adding    []int32 `json:"adding"`
					Removing  []int32 `json:"removing"`
				}
				js := []row{}
				var rows [][]string
				for _, t := range sortedKeys(ongoing) {
					for _, p := range sortedKeys(ongoing[t]) {
						r := ongoing[t][p]
						js = append(js, row{t, p, r.Replicas, r.AddingReplicas, r.RemovingReplicas})
						rows = append(rows, []string{t, strconv.Itoa(int(p)), ints(r.Replicas), ints(r.AddingReplicas), ints(r.RemovingReplicas)})
					}
				}
				return s.emit(js, []string{"TOPIC", "PARTITION", "REPLICAS", "ADDING", "REMOVING"}, rows)
			})
		},
	}
}

func sortedKeys[K cmp.Ordered, V any](m map[K]V) []K { return slices.Sorted(maps.Keys(m)) }
