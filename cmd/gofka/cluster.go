package main

// gofka cluster info: the cluster id, the finalized features, the
// metadata quorum (leader, epoch, voters and observers and their lag) and the brokers,
// fenced or not.

import (
	"fmt"
	"maps"
	"net"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/spf13/cobra"
)

func clusterCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "cluster", Short: "Describe the cluster"}
	cmd.AddCommand(&cobra.Command{
		Use:     "info",
		Short:   "Show the cluster id, controller and brokers",
		Example: "  gofka cluster info\n  GOFKA_BROKERS=10.0.0.1:9092 gofka cluster info -o json",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.withSession(cmd, func(s *session) error {
				return s.clusterInfo()
			})
		},
	})
	return cmd
}

// brokerInfo is one broker in `cluster info`.
type brokerInfo struct {
	NodeID int32  `json:"node_id"`
	Host   string `json:"host"`
	Port   int32  `json:"port"`
	Rack   string `json:"rack,omitempty"`
	Fenced bool   `json:"fenced"`
}

// voterInfo is one voter of the metadata quorum in `cluster info`.
type voterInfo struct {
	NodeID       int32  `json:"node_id"`
	Endpoint     string `json:"endpoint,omitempty"`
	LogEndOffset int64  `json:"log_end_offset"`
	Lag          int64  `json:"lag"`
	LastFetchMs  int64  `json:"last_fetch_ms_ago,omitempty"`
}

// quorumInfo is the metadata quorum in `cluster info`.
type quorumInfo struct {
	Leader        int32       `json:"leader"`
	Epoch         int32       `json:"epoch"`
	HighWatermark int64       `json:"high_watermark"`
	Voters        []voterInfo `json:"voters"`
	Observers     []voterInfo `json:"observers"`
}

func (s *session) clusterInfo() error {
	dc, err := s.describeCluster()
	if err != nil {
		return explain(err, "")
	}
	topics, err := s.adm.ListTopics(s.ctx)
	if err != nil {
		return explain(err, "")
	}
	q, err := s.describeQuorum()
	if err != nil {
		return explain(err, "")
	}
	fl, err := s.featureLevels()
	if err != nil {
		return err
	}
	info := struct {
		ClusterID  string           `json:"cluster_id"`
		Controller int32            `json:"controller"`
		Topics     int              `json:"topics"`
		Features   map[string]int16 `json:"finalized_features"`
		Quorum     quorumInfo       `json:"quorum"`
		Brokers    []brokerInfo     `json:"brokers"`
	}{ClusterID: dc.ClusterID, Controller: q.Leader, Topics: len(topics), Features: fl.finalized, Quorum: q}
	for _, b := range dc.Brokers {
		bi := brokerInfo{NodeID: b.NodeID, Host: b.Host, Port: b.Port, Fenced: b.IsFenced}
		if b.Rack != nil {
			bi.Rack = *b.Rack
		}
		info.Brokers = append(info.Brokers, bi)
	}
	if s.json() {
		return s.printJSON(info)
	}
	fmt.Fprintf(s.out, "Cluster: %s  Controller: %d  Topics: %d\n", info.ClusterID, info.Controller, info.Topics)
	var features []string
	for _, name := range slices.Sorted(maps.Keys(fl.finalized)) {
		features = append(features, name+"="+levelString(name, fl.finalized[name]))
	}
	fmt.Fprintf(s.out, "Features: %s\n\n", strings.Join(features, " "))
	fmt.Fprintf(s.out, "Metadata quorum: leader %d, epoch %d, high watermark %d\n", q.Leader, q.Epoch, q.HighWatermark)
	var vrows [][]string
	row := func(v voterInfo, role string) {
		vrows = append(vrows, []string{strconv.Itoa(int(v.NodeID)), role, dash(v.Endpoint),
			strconv.FormatInt(v.LogEndOffset, 10), strconv.FormatInt(v.Lag, 10)})
	}
	for _, v := range q.Voters {
		role := "follower"
		if v.NodeID == q.Leader {
			role = "leader"
		}
		row(v, role)
	}
	for _, v := range q.Observers {
		row(v, "observer")
	}
	if err := s.table([]string{"NODE", "ROLE", "ENDPOINT", "LOG-END-OFFSET", "LAG"}, vrows); err != nil {
		return err
	}
	fmt.Fprintln(s.out)
	var rows [][]string
	for _, b := range info.Brokers {
		state := "unfenced"
		if b.Fenced {
			state = "fenced"
		}
		rows = append(rows, []string{strconv.Itoa(int(b.NodeID)), b.Host, strconv.Itoa(int(b.Port)), dash(b.Rack), state})
	}
	return s.table([]string{"BROKER", "HOST", "PORT", "RACK", "STATE"}, rows)
}

// describeCluster lists every registered broker, fenced ones too.
func (s *session) describeCluster() (*kmsg.DescribeClusterResponse, error) {
	req := kmsg.NewPtrDescribeClusterRequest()
	req.IncludeFencedBrokers = true
	resp, err := req.RequestWith(s.ctx, s.cl)
	if err != nil {
		return nil, err
	}
	if err := kerr.ErrorForCode(resp.ErrorCode); err != nil {
		return nil, err
	}
	sort.Slice(resp.Brokers, func(i, j int) bool { return resp.Brokers[i].NodeID < resp.Brokers[j].NodeID })
	return resp, nil
}

// describeQuorum asks for the metadata quorum (DescribeQuorum).
func (s *session) describeQuorum() (quorumInfo, error) {
	req := kmsg.NewPtrDescribeQuorumRequest()
	rt := kmsg.NewDescribeQuorumRequestTopic()
	rt.Topic, rt.Partitions = "__cluster_metadata", []kmsg.DescribeQuorumRequestTopicPartition{{Partition: 0}}
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(s.ctx, s.cl)
	if err != nil {
		return quorumInfo{}, err
	}
	if err := kerr.ErrorForCode(resp.ErrorCode); err != nil {
		return quorumInfo{}, err
	}
	if len(resp.Topics) != 1 || len(resp.Topics[0].Partitions) != 1 {
		return quorumInfo{}, fmt.Errorf("DescribeQuorum answered no metadata partition")
	}
	p := resp.Topics[0].Partitions[0]
	q := quorumInfo{Leader: p.LeaderID, Epoch: p.LeaderEpoch, HighWatermark: p.HighWatermark}
	endpoints := map[int32]string{}
	for _, n := range resp.Nodes {
		if len(n.Listeners) > 0 {
			endpoints[n.NodeID] = net.JoinHostPort(n.Listeners[0].Host, strconv.Itoa(int(n.Listeners[0].Port)))
		}
	}
	conv := func(rs []kmsg.DescribeQuorumResponseTopicPartitionReplicaState) []voterInfo {
		var out []voterInfo
		for _, r := range rs {
			v := voterInfo{NodeID: r.ReplicaID, Endpoint: endpoints[r.ReplicaID],
				LogEndOffset: r.LogEndOffset, Lag: max(p.HighWatermark-r.LogEndOffset, 0)}
			if r.LastFetchTimestamp > 0 {
				v.LastFetchMs = max(time.Now().UnixMilli()-r.LastFetchTimestamp, 0)
			}
			out = append(out, v)
		}
		return out
	}
	q.Voters, q.Observers = conv(p.CurrentVoters), conv(p.Observers)
	return q, nil
}
