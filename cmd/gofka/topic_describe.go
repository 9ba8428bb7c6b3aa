package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func topicDescribeCmd(g *globals) *cobra.Command {
	var all bool
	cmd := &cobra.Command{
		Use:     "describe TOPIC...",
		Short:   "Show topics' partitions, offsets and configs",
		Example: "  gofka topic describe orders\n  gofka topic describe orders --all-configs -o json",
		Args:    minArgs(1),
		RunE: func(cmd *cobra.Command, topics []string) error {
			return g.withSession(cmd, func(s *session) error {
				td, err := s.requireTopics(topics...)
				if err != nil {
					return err
				}
				d, err := s.describeTopics(td, topics, all)
				if err != nil {
					return err
				}
				if s.json() {
					return s.printJSON(d)
				}
				return s.printDescribed(d)
			})
		},
	}
	cmd.Flags().BoolVar(&all, "all-configs", false, "list every config, not only those set on the topic")
	return cmd
}

// describedTopic is what `topic describe` shows.
type describedTopic struct {
	Topic      string            `json:"topic"`
	ID         string            `json:"id"`
	Partitions []describedPart   `json:"partitions"`
	Configs    []describedConfig `json:"configs"`
}

type describedPart struct {
	Partition   int32   `json:"partition"`
	Leader      int32   `json:"leader"`
	Epoch       int32   `json:"leader_epoch"`
	Replicas    []int32 `json:"replicas"`
	ISR         []int32 `json:"isr"`
	ELR         []int32 `json:"elr"` // eligible leader replicas (KIP-966)
	StartOffset int64   `json:"log_start_offset"`
	EndOffset   int64   `json:"high_watermark"`
}

type describedConfig struct {
	Name   string `json:"name"`
	Value  string `json:"value"`
	Source string `json:"source"`
}

func (s *session) describeTopics(td kadm.TopicDetails, topics []string, all bool) ([]describedTopic, error) {
	starts, err := s.adm.ListStartOffsets(s.ctx, topics...)
	if err != nil {
		return nil, explain(err, "")
	}
	ends, err := s.adm.ListEndOffsets(s.ctx, topics...)
	if err != nil {
		return nil, explain(err, "")
	}
	cfgs, err := s.adm.DescribeTopicConfigs(s.ctx, topics...)
	if err != nil {
		return nil, explain(err, "")
	}
	elrs := s.eligibleLeaders(topics)
	var out []describedTopic
	for _, name := range topics {
		t := td[name]
		d := describedTopic{Topic: name, ID: topicID(t.ID)}
		for _, p := range t.Partitions.Sorted() {
			st, _ := starts.Lookup(name, p.Partition)
			en, _ := ends.Lookup(name, p.Partition)
			d.Partitions = append(d.Partitions, describedPart{Partition: p.Partition, Leader: p.Leader, Epoch: p.LeaderEpoch,
				Replicas: p.Replicas, ISR: p.ISR, ELR: nonNil(elrs[name][p.Partition]), StartOffset: st.Offset, EndOffset: en.Offset})
		}
		if rc, err := cfgs.On(name, nil); err == nil {
			d.Configs = configsOf(rc.Configs, all)
		}
		out = append(out, d)
	}
	return out, nil
}

// eligibleLeaders asks DescribeTopicPartitions for the partitions' ELR
// (Metadata does not carry it); nothing when the cluster cannot answer.
func (s *session) eligibleLeaders(topics []string) map[string]map[int32][]int32 {
	out := map[string]map[int32][]int32{}
	req := kmsg.NewPtrDescribeTopicPartitionsRequest()
	for _, t := range topics {
		rt := kmsg.NewDescribeTopicPartitionsRequestTopic()
		rt.Topic = t
		req.Topics = append(req.Topics, rt)
	}
	for {
		resp, err := req.RequestWith(s.ctx, s.cl)
		if err != nil {
			return out
		}
		for _, t := range resp.Topics {
			if t.Topic == nil {
				continue
			}
			if out[*t.Topic] == nil {
				out[*t.Topic] = map[int32][]int32{}
			}
			for _, p := range t.Partitions {
				out[*t.Topic][p.Partition] = p.EligibleLeaderReplicas
			}
		}
		if resp.NextCursor == nil {
			return out
		}
		req.Cursor = &kmsg.DescribeTopicPartitionsRequestCursor{Topic: resp.NextCursor.Topic, Partition: resp.NextCursor.Partition}
	}
}

func nonNil(xs []int32) []int32 {
	if xs == nil {
		return []int32{}
	}
	return xs
}

// configsOf lists configs; unless all, only those not at their default.
func configsOf(cs []kadm.Config, all bool) []describedConfig {
	out := []describedConfig{}
	for _, c := range cs {
		if !all && (c.Source == kmsg.ConfigSourceDefaultConfig || c.Source == kmsg.ConfigSourceStaticBrokerConfig) {
			continue
		}
		v := c.MaybeValue()
		if c.Sensitive {
			v = "(sensitive)"
		}
		out = append(out, describedConfig{Name: c.Key, Value: v, Source: sourceName(c.Source)})
	}
	return out
}

// sourceName is Kafka's name of a config source (DYNAMIC_TOPIC_CONFIG, ...).
func sourceName(src kmsg.ConfigSource) string { return src.String() }

func (s *session) printDescribed(ds []describedTopic) error {
	for i, d := range ds {
		if i > 0 {
			fmt.Fprintln(s.out)
		}
		fmt.Fprintf(s.out, "Topic: %s  ID: %s  Partitions: %d\n\n", d.Topic, d.ID, len(d.Partitions))
		var rows [][]string
		for _, p := range d.Partitions {
			rows = append(rows, []string{strconv.Itoa(int(p.Partition)), strconv.Itoa(int(p.Leader)), strconv.Itoa(int(p.Epoch)),
				ints(p.Replicas), ints(p.ISR), ints(p.ELR), strconv.FormatInt(p.StartOffset, 10), strconv.FormatInt(p.EndOffset, 10)})
		}
		if err := s.table([]string{"PARTITION", "LEADER", "EPOCH", "REPLICAS", "ISR", "ELR", "LOG-START", "HIGH-WATERMARK"}, rows); err != nil {
			return err
		}
		if len(d.Configs) == 0 {
			continue
		}
		fmt.Fprintln(s.out)
		rows = rows[:0]
		for _, c := range d.Configs {
			rows = append(rows, []string{c.Name, c.Value, c.Source})
		}
		if err := s.table([]string{"CONFIG", "VALUE", "SOURCE"}, rows); err != nil {
			return err
		}
	}
	return nil
}

func ints(xs []int32) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = strconv.Itoa(int(x))
	}
	return "[" + strings.Join(parts, ",") + "]"
}
