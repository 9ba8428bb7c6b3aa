package main

// gofka cluster info: the cluster id, controller and brokers.

import (
	"fmt"
	"strconv"

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
}

func (s *session) clusterInfo() error {
	md, err := s.adm.BrokerMetadata(s.ctx)
	if err != nil {
		return explain(err, "")
	}
	topics, err := s.adm.ListTopics(s.ctx)
	if err != nil {
		return explain(err, "")
	}
	info := struct {
		ClusterID  string       `json:"cluster_id"`
		Controller int32        `json:"controller"`
		Topics     int          `json:"topics"`
		Brokers    []brokerInfo `json:"brokers"`
	}{ClusterID: md.Cluster, Controller: md.Controller, Topics: len(topics)}
	var rows [][]string
	for _, b := range md.Brokers {
		bi := brokerInfo{NodeID: b.NodeID, Host: b.Host, Port: b.Port}
		if b.Rack != nil {
			bi.Rack = *b.Rack
		}
		info.Brokers = append(info.Brokers, bi)
		rows = append(rows, []string{strconv.Itoa(int(b.NodeID)), b.Host, strconv.Itoa(int(b.Port)), dash(bi.Rack)})
	}
	if s.json() {
		return s.printJSON(info)
	}
	fmt.Fprintf(s.out, "Cluster: %s  Controller: %d  Topics: %d\n\n", info.ClusterID, info.Controller, info.Topics)
	return s.table([]string{"NODE-ID", "HOST", "PORT", "RACK"}, rows)
}
