package main

// gofka partition: reassignment with Kafka's plan files
// (kafka-reassign-partitions.sh: --generate, --execute, --verify, --cancel,
// --list, --throttle) and leader elections (kafka-leader-election.sh).

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"

	"github.com/gofka/gofka/internal/controller"
	"github.com/spf13/cobra"
	"github.com/twmb/franz-go/pkg/kadm"
)

func partitionCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "partition", Short: "Reassign partitions between brokers and elect their leaders"}
	cmd.AddCommand(reassignCmd(g), electLeadersCmd(g))
	return cmd
}

// plan is Kafka's reassignment JSON: {"version":1,"partitions":[...]}.
type plan struct {
	Version    int             `json:"version"`
	Partitions []planPartition `json:"partitions"`
}

type planPartition struct {
	Topic     string   `json:"topic"`
	Partition int32    `json:"partition"`
	Replicas  []int32  `json:"replicas"`
	LogDirs   []string `json:"log_dirs,omitempty"`
}

func (p planPartition) name() string { return fmt.Sprintf("%s-%d", p.Topic, p.Partition) }

// readPlan reads and checks a plan file.
func readPlan(path string) (*plan, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, usagef("reassignment plan: %v", err)
	}
	return parsePlan(b, path)
}

// parsePlan decodes and checks Kafka's reassignment JSON.
func parsePlan(b []byte, path string) (*plan, error) {
	var p plan
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, usagef("reassignment plan %s: not Kafka's reassignment JSON: %v", path, err)
	}
	if p.Version != 1 {
		return nil, usagef("reassignment plan %s: version %d, want 1", path, p.Version)
	}
	if len(p.Partitions) == 0 {
		return nil, usagef("reassignment plan %s: no partitions", path)
	}
	seen := map[string]bool{}
	for _, pp := range p.Partitions {
		if seen[pp.name()] {
			return nil, usagef("reassignment plan %s: partition %s listed twice", path, pp.name())
		}
		seen[pp.name()] = true
		if len(pp.Replicas) == 0 {
			return nil, usagef("reassignment plan %s: partition %s has no replicas", path, pp.name())
		}
		if len(slices.Compact(slices.Sorted(slices.Values(pp.Replicas)))) != len(pp.Replicas) {
			return nil, usagef("reassignment plan %s: partition %s lists a broker twice", path, pp.name())
		}
	}
	return &p, nil
}

func (p *plan) topics() []string {
	var ts []string
	for _, pp := range p.Partitions {
		if !slices.Contains(ts, pp.Topic) {
			ts = append(ts, pp.Topic)
		}
	}
	return ts
}

func reassignCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "reassign",
		Short: "Move partition replicas to other brokers (KIP-455), with Kafka's reassignment plan files",
		Example: "  gofka partition reassign plan --topics orders --broker-ids 2,3,4 --out plan.json\n" +
			"  gofka partition reassign execute plan.json --throttle 10000000\n" +
			"  gofka partition reassign status plan.json\n" +
			"  gofka partition reassign cancel plan.json",
	}
	cmd.AddCommand(reassignPlanCmd(g), reassignExecuteCmd(g), reassignStatusCmd(g), reassignCancelCmd(g), reassignListCmd(g))
	return cmd
}

// currentPlan is the plan of the partitions' present replicas (to roll back).
func currentPlan(md kadm.Metadata, topics []string, only map[string]bool) *plan {
	cur := &plan{Version: 1, Partitions: []planPartition{}}
	for _, t := range topics {
		for _, p := range md.Topics[t].Partitions.Sorted() {
			pp := planPartition{Topic: t, Partition: p.Partition, Replicas: p.Replicas}
			if only == nil || only[pp.name()] {
				cur.Partitions = append(cur.Partitions, withAnyDirs(pp))
			}
		}
	}
	return cur
}

func withAnyDirs(p planPartition) planPartition {
	p.LogDirs = make([]string, len(p.Replicas))
	for i := range p.LogDirs {
		p.LogDirs[i] = "any"
	}
	return p
}

func marshalPlan(p *plan) string {
	b, _ := json.Marshal(p)
	return string(b)
}

func reassignPlanCmd(g *globals) *cobra.Command {
	var topics []string
	var brokers []int32
	var out string
	var noRacks bool
	cmd := &cobra.Command{
		Use:   "plan --topics T1,T2 --broker-ids 1,2,3",
		Short: "Propose a plan moving topics' partitions onto brokers (kafka-reassign-partitions.sh --generate)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if len(topics) == 0 || len(brokers) == 0 {
				return usagef("plan needs --topics and --broker-ids")
			}
			return g.withSession(cmd, func(s *session) error {
				if _, err := s.requireTopics(topics...); err != nil {
					return err
				}
				md, err := s.adm.Metadata(s.ctx, topics...)
				if err != nil {
					return explain(err, "")
				}
				proposed, err := proposePlan(md, topics, brokers, noRacks)
				if err != nil {
					return err
				}
				return s.printPlans(currentPlan(md, topics, nil), proposed, out)
			})
		},
	}
	cmd.Flags().StringSliceVar(&topics, "topics", nil, "topics to move (comma-separated)")
	cmd.Flags().Int32SliceVar(&brokers, "broker-ids", nil, "broker ids to place them on (comma-separated)")
	cmd.Flags().StringVar(&out, "out", "", "also write the proposed plan to this file")
	cmd.Flags().BoolVar(&noRacks, "disable-rack-aware", false, "ignore broker.rack when placing")
	return cmd
}

// proposePlan places every partition of the topics on brokers, spread
// across racks as topic creation does.
func proposePlan(md kadm.Metadata, topics []string, brokers []int32, noRacks bool) (*plan, error) {
	racks := map[int32]string{}
	for _, id := range brokers {
		i := slices.IndexFunc(md.Brokers, func(b kadm.BrokerDetail) bool { return b.NodeID == id })
		if i < 0 {
			return nil, fmt.Errorf("no broker with node id %d (see: gofka cluster info)", id)
		}
		if r := md.Brokers[i].Rack; r != nil && !noRacks {
			racks[id] = *r
		}
	}
	sorted := slices.Sorted(slices.Values(brokers))
	p := &plan{Version: 1}
	for _, t := range topics {
		parts := md.Topics[t].Partitions.Sorted()
		if len(parts) == 0 {
			continue
		}
		rf := len(parts[0].Replicas)
		if rf > len(sorted) {
			return nil, fmt.Errorf("topic %q has replication factor %d but only %d broker(s) were given", t, rf, len(sorted))
		}
		for i, rs := range controller.Stripe(sorted, racks, 0, int32(len(parts)), rf) {
			p.Partitions = append(p.Partitions, withAnyDirs(planPartition{Topic: t, Partition: parts[i].Partition, Replicas: rs}))
		}
	}
	return p, nil
}

// printPlans shows the current and the proposed plan as Kafka's tool does.
func (s *session) printPlans(cur, proposed *plan, out string) error {
	if out != "" {
		if err := os.WriteFile(out, []byte(marshalPlan(proposed)+"\n"), 0o644); err != nil {
			return fmt.Errorf("write plan: %w", err)
		}
	}
	if s.json() {
		return s.printJSON(map[string]*plan{"current": cur, "proposed": proposed})
	}
	fmt.Fprintf(s.out, "Current partition replica assignment\n%s\n\nProposed partition reassignment configuration\n%s\n",
		marshalPlan(cur), marshalPlan(proposed))
	return nil
}
