package main

// gofka topic: create, list, describe, delete, alter-config and
// add-partitions, as kafka-topics.sh and rpk topic do.

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
)

func topicCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "topic", Short: "Create, list, describe, delete and change topics"}
	cmd.AddCommand(topicCreateCmd(g), topicListCmd(g), topicDescribeCmd(g), topicDeleteCmd(g),
		topicAlterConfigCmd(g), topicAddPartitionsCmd(g))
	return cmd
}

func topicCreateCmd(g *globals) *cobra.Command {
	var partitions int32
	var replicas int16
	var configs []string
	cmd := &cobra.Command{
		Use:     "create TOPIC...",
		Short:   "Create topics",
		Example: "  gofka topic create orders -p 6 -c retention.ms=86400000",
		Args:    minArgs(1),
		RunE: func(cmd *cobra.Command, topics []string) error {
			cfg, err := parseKV(configs, "--config")
			if err != nil {
				return err
			}
			return g.withSession(cmd, func(s *session) error {
				resp, err := s.adm.CreateTopics(s.ctx, partitions, replicas, stringPtrs(cfg), topics...)
				if err != nil {
					return explain(err, "")
				}
				return s.reportCreated(resp)
			})
		},
	}
	cmd.Flags().Int32VarP(&partitions, "partitions", "p", -1, "partitions (-1: the broker's num.partitions)")
	cmd.Flags().Int16VarP(&replicas, "replicas", "r", -1, "replication factor (-1: the broker's default.replication.factor)")
	cmd.Flags().StringArrayVarP(&configs, "config", "c", nil, "topic config name=value (repeatable)")
	return cmd
}

func stringPtrs(m map[string]string) map[string]*string {
	out := make(map[string]*string, len(m))
	for k, v := range m {
		out[k] = kadm.StringPtr(v)
	}
	return out
}

func (s *session) reportCreated(resp kadm.CreateTopicResponses) error {
	var rows [][]string
	var errs []error
	type created struct {
		Topic      string `json:"topic"`
		Partitions int32  `json:"partitions"`
		Replicas   int16  `json:"replication_factor"`
		Error      string `json:"error,omitempty"`
	}
	var js []created
	for _, r := range resp.Sorted() {
		c := created{Topic: r.Topic, Partitions: r.NumPartitions, Replicas: r.ReplicationFactor}
		status := "OK"
		if r.Err != nil {
			err := explain(r.Err, r.Topic)
			if r.ErrMessage != "" && !errors.Is(r.Err, kerr.TopicAlreadyExists) {
				err = fmt.Errorf("%w: %s", r.Err, r.ErrMessage)
			}
			c.Error, status = err.Error(), err.Error()
			errs = append(errs, err)
		}
		js = append(js, c)
		rows = append(rows, []string{r.Topic, strconv.Itoa(int(r.NumPartitions)), status})
	}
	if err := s.emit(js, []string{"TOPIC", "PARTITIONS", "STATUS"}, rows); err != nil {
		return err
	}
	return errors.Join(errs...)
}

func topicListCmd(g *globals) *cobra.Command {
	var internal bool
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List topics",
		Example: "  gofka topic list\n  gofka topic list -o json",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.withSession(cmd, func(s *session) error {
				list := s.adm.ListTopics
				if internal {
					list = s.adm.ListTopicsWithInternal
				}
				td, err := list(s.ctx)
				if err != nil {
					return explain(err, "")
				}
				return s.printTopics(td)
			})
		},
	}
	cmd.Flags().BoolVar(&internal, "internal", false, "include internal topics")
	return cmd
}

func (s *session) printTopics(td kadm.TopicDetails) error {
	type topic struct {
		Topic      string `json:"topic"`
		ID         string `json:"id"`
		Partitions int    `json:"partitions"`
		Replicas   int    `json:"replication_factor"`
	}
	js := []topic{}
	var rows [][]string
	for _, t := range td.Sorted() {
		v := topic{Topic: t.Topic, ID: topicID(t.ID), Partitions: len(t.Partitions), Replicas: t.Partitions.NumReplicas()}
		js = append(js, v)
		rows = append(rows, []string{v.Topic, strconv.Itoa(v.Partitions), strconv.Itoa(v.Replicas)})
	}
	return s.emit(js, []string{"TOPIC", "PARTITIONS", "REPLICAS"}, rows)
}

func topicDeleteCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:     "delete TOPIC...",
		Short:   "Delete topics and their data",
		Example: "  gofka topic delete orders",
		Args:    minArgs(1),
		RunE: func(cmd *cobra.Command, topics []string) error {
			return g.withSession(cmd, func(s *session) error {
				resp, err := s.adm.DeleteTopics(s.ctx, topics...)
				if err != nil {
					return explain(err, "")
				}
				return s.emitOutcomes("TOPIC", outcomesOf(resp.Sorted(), func(r kadm.DeleteTopicResponse) (string, error) {
					if r.Err != nil {
						return r.Topic, explain(r.Err, r.Topic)
					}
					return r.Topic, nil
				}))
			})
		},
	}
}

func topicAddPartitionsCmd(g *globals) *cobra.Command {
	var add int
	cmd := &cobra.Command{
		Use:     "add-partitions TOPIC... --num N",
		Short:   "Add partitions to topics",
		Example: "  gofka topic add-partitions orders --num 2",
		Args:    minArgs(1),
		RunE: func(cmd *cobra.Command, topics []string) error {
			if add <= 0 {
				return usagef("--num must be at least 1")
			}
			return g.withSession(cmd, func(s *session) error {
				if _, err := s.requireTopics(topics...); err != nil {
					return err
				}
				resp, err := s.adm.CreatePartitions(s.ctx, add, topics...)
				if err != nil {
					return explain(err, "")
				}
				return s.emitOutcomes("TOPIC", outcomesOf(resp.Sorted(), func(r kadm.CreatePartitionsResponse) (string, error) {
					if r.Err != nil {
						return r.Topic, fmt.Errorf("topic %q: %w %s", r.Topic, explain(r.Err, r.Topic), r.ErrMessage)
					}
					return r.Topic, nil
				}))
			})
		},
	}
	cmd.Flags().IntVarP(&add, "num", "n", 0, "how many partitions to add")
	return cmd
}

func topicAlterConfigCmd(g *globals) *cobra.Command {
	var sets, deletes []string
	cmd := &cobra.Command{
		Use:     "alter-config TOPIC... [--set name=value]... [--delete name]...",
		Short:   "Set or remove topic configs (incrementally)",
		Example: "  gofka topic alter-config orders --set retention.ms=3600000 --delete cleanup.policy",
		Args:    minArgs(1),
		RunE: func(cmd *cobra.Command, topics []string) error {
			alters, err := alterOps(sets, deletes)
			if err != nil {
				return err
			}
			return g.withSession(cmd, func(s *session) error {
				if _, err := s.requireTopics(topics...); err != nil {
					return err
				}
				resp, err := s.adm.AlterTopicConfigs(s.ctx, alters, topics...)
				return s.reportAltered(resp, err)
			})
		},
	}
	cmd.Flags().StringArrayVar(&sets, "set", nil, "config to set, name=value (repeatable)")
	cmd.Flags().StringArrayVar(&deletes, "delete", nil, "config to remove, back to its default (repeatable)")
	return cmd
}

// alterOps builds incremental alter operations from --set and --delete.
func alterOps(sets, deletes []string) ([]kadm.AlterConfig, error) {
	kv, err := parseKV(sets, "--set")
	if err != nil {
		return nil, err
	}
	if len(kv)+len(deletes) == 0 {
		return nil, usagef("nothing to change: give --set name=value or --delete name")
	}
	var out []kadm.AlterConfig
	names := make([]string, 0, len(kv))
	for k := range kv {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		out = append(out, kadm.AlterConfig{Op: kadm.SetConfig, Name: k, Value: kadm.StringPtr(kv[k])})
	}
	for _, k := range deletes {
		out = append(out, kadm.AlterConfig{Op: kadm.DeleteConfig, Name: strings.TrimSpace(k)})
	}
	return out, nil
}

func (s *session) reportAltered(resp kadm.AlterConfigsResponses, err error) error {
	if err != nil {
		return explain(err, "")
	}
	return s.emitOutcomes("RESOURCE", outcomesOf(resp, func(r kadm.AlterConfigsResponse) (string, error) {
		if r.Name == "" {
			r.Name = "(cluster-wide)"
		}
		switch {
		case r.Err == nil:
			return r.Name, nil
		case r.ErrMessage != "":
			return r.Name, fmt.Errorf("%s: %w: %s", r.Name, r.Err, r.ErrMessage)
		}
		return r.Name, fmt.Errorf("%s: %w", r.Name, r.Err)
	}))
}
