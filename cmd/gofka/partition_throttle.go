package main

// Replication throttles for reassignments, as kafka-reassign-partitions.sh
// sets them (KIP-73): leader.replication.throttled.rate and
// follower.replication.throttled.rate on every broker of the moving
// partitions, and per topic the replicas throttled on the leader side
// (leader.replication.throttled.replicas: the partitions' present
// replicas) and on the follower side (follower.replication.throttled.replicas:
// the replicas being added). status (once done) and cancel remove them.

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/twmb/franz-go/pkg/kadm"
)

const (
	leaderRate        = "leader.replication.throttled.rate"
	followerRate      = "follower.replication.throttled.rate"
	leaderThrottled   = "leader.replication.throttled.replicas"
	followerThrottled = "follower.replication.throttled.replicas"
)

// setThrottles sets the throttle for the partitions of p that move.
func (s *session) setThrottles(md kadm.Metadata, p *plan, rate int64) error {
	leaders, followers := map[string][]string{}, map[string][]string{}
	var brokers []int32
	for _, pp := range p.Partitions {
		cur := md.Topics[pp.Topic].Partitions[pp.Partition].Replicas
		if slices.Equal(cur, pp.Replicas) {
			continue
		}
		for _, b := range cur {
			leaders[pp.Topic] = append(leaders[pp.Topic], fmt.Sprintf("%d:%d", pp.Partition, b))
		}
		for _, b := range pp.Replicas {
			if !slices.Contains(cur, b) {
				followers[pp.Topic] = append(followers[pp.Topic], fmt.Sprintf("%d:%d", pp.Partition, b))
			}
		}
		brokers = append(append(brokers, cur...), pp.Replicas...)
	}
	var errs []error
	for _, t := range p.topics() {
		if len(leaders[t]) == 0 {
			continue
		}
		alters := []kadm.AlterConfig{
			{Op: kadm.SetConfig, Name: leaderThrottled, Value: kadm.StringPtr(strings.Join(leaders[t], ","))},
			{Op: kadm.SetConfig, Name: followerThrottled, Value: kadm.StringPtr(strings.Join(followers[t], ","))},
		}
		if len(followers[t]) == 0 {
			alters = alters[:1]
		}
		errs = append(errs, alterErr(s.adm.AlterTopicConfigs(s.ctx, alters, t)))
	}
	if len(brokers) > 0 {
		v := kadm.StringPtr(strconv.FormatInt(rate, 10))
		alters := []kadm.AlterConfig{{Op: kadm.SetConfig, Name: leaderRate, Value: v}, {Op: kadm.SetConfig, Name: followerRate, Value: v}}
		errs = append(errs, alterErr(s.adm.AlterBrokerConfigs(s.ctx, alters, slices.Compact(slices.Sorted(slices.Values(brokers)))...)))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("set the replication throttle: %w", err)
	}
	note("Replication throttled at %d B/s; `gofka partition reassign status` clears it once done.", rate)
	return nil
}

// clearThrottles removes the throttled replicas of topics and the rates of
// every broker.
func (s *session) clearThrottles(topics []string) error {
	brokers, err := s.adm.ListBrokers(s.ctx)
	if err != nil {
		return explain(err, "")
	}
	del := func(names ...string) []kadm.AlterConfig {
		var out []kadm.AlterConfig
		for _, n := range names {
			out = append(out, kadm.AlterConfig{Op: kadm.DeleteConfig, Name: n})
		}
		return out
	}
	errs := []error{alterErr(s.adm.AlterTopicConfigs(s.ctx, del(leaderThrottled, followerThrottled), topics...))}
	errs = append(errs, alterErr(s.adm.AlterBrokerConfigs(s.ctx, del(leaderRate, followerRate), brokers.NodeIDs()...)))
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("clear the replication throttle: %w", err)
	}
	note("Replication throttle removed.")
	return nil
}

// note tells the user something on stderr, so stdout stays the result.
func note(format string, args ...any) { fmt.Fprintf(os.Stderr, format+"\n", args...) }

// alterErr joins the errors of an AlterConfigs call.
func alterErr(resp kadm.AlterConfigsResponses, err error) error {
	if err != nil {
		return explain(err, "")
	}
	var errs []error
	for _, r := range resp {
		if r.Err != nil {
			errs = append(errs, fmt.Errorf("%s: %w %s", r.Name, r.Err, r.ErrMessage))
		}
	}
	return errors.Join(errs...)
}
