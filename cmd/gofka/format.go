package main

// gofka format: kafka-storage.sh format for Gofka. Every node of a cluster
// is formatted with the same cluster id before its first start; a node of
// a dynamic quorum (KIP-853) is also given the first voters: itself
// (--standalone) or the whole initial set (--initial-controllers).

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/gofka/gofka/internal/broker"
	"github.com/gofka/gofka/internal/config"
	"github.com/gofka/gofka/internal/raft"
	"github.com/gofka/gofka/internal/storage/checkpoint"
	"github.com/spf13/cobra"
)

func formatCmd() *cobra.Command {
	var cfgFile, clusterID, initial string
	var sets, addScram []string
	var standalone, ignore bool
	cmd := &cobra.Command{
		Use:   "format",
		Short: "Format the data dirs of a node for a cluster (kafka-storage.sh format)",
		Example: "  gofka format random-uuid\n" +
			"  gofka format -t <cluster-id> --config node1.properties\n" +
			"  gofka format -t <cluster-id> --config node1.properties --standalone\n" +
			"  gofka format -t <cluster-id> --config node1.properties --add-scram 'SCRAM-SHA-256=[name=broker,password=broker-secret]'",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if clusterID == "" {
				return usagef("--cluster-id is required (make one with gofka format random-uuid)")
			}
			if standalone && initial != "" {
				return usagef("--standalone and --initial-controllers exclude each other")
			}
			cfg, err := loadServerConfig(cfgFile, sets)
			if err != nil {
				return err
			}
			if err := broker.Format(cfg, clusterID, ignore); err != nil {
				return err
			}
			voters, err := formatVoters(cfg, standalone, initial)
			if err != nil {
				return err
			}
			if err := broker.FormatScram(cfg, addScram); err != nil {
				return err
			}
			if voters != nil {
				if err := raft.WriteBootstrap(filepath.Join(cfg.MetadataLogDir, broker.MetadataDir), voters); err != nil {
					return err
				}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Formatted %v for cluster %s, node %d\n", cfg.LogDirs, clusterID, cfg.NodeID)
			return nil
		},
	}
	cmd.Flags().StringVarP(&clusterID, "cluster-id", "t", "", "the cluster id, shared by every node")
	cmd.Flags().StringVarP(&cfgFile, "config", "c", "", "the node's server.properties")
	cmd.Flags().StringArrayVar(&sets, "set", nil, "set one property, name=value (repeatable; wins over --config)")
	cmd.Flags().BoolVarP(&standalone, "standalone", "s", false, "bootstrap a dynamic quorum with this node as its only voter")
	cmd.Flags().StringVarP(&initial, "initial-controllers", "I", "", "bootstrap a dynamic quorum with these voters: id@host:port[:directory-id],...")
	cmd.Flags().StringArrayVarP(&addScram, "add-scram", "S", nil,
		"a SCRAM credential the new cluster starts with, 'SCRAM-SHA-256=[name=<user>,password=<password>]' (repeatable; iterations=N optional)")
	cmd.Flags().BoolVarP(&ignore, "ignore-formatted", "g", false, "leave dirs formatted already for this node and cluster as they are")
	cmd.AddCommand(&cobra.Command{
		Use:   "random-uuid",
		Short: "Print a new cluster id",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintln(cmd.OutOrStdout(), checkpoint.NewUUID().String())
			return nil
		},
	})
	return cmd
}

// formatVoters are the first voters to write, nil for a static quorum.
func formatVoters(cfg *config.Broker, standalone bool, initial string) ([]raft.Voter, error) {
	listener := "CONTROLLER"
	if len(cfg.ControllerListenerNames) > 0 {
		listener = cfg.ControllerListenerNames[0]
	}
	switch {
	case initial != "":
		return initialVoters(cfg, initial, listener)
	case !standalone:
		return nil, nil
	}
	for _, l := range cfg.Listeners {
		if l.Name == listener {
			host := l.Host
			if host == "" {
				host = "localhost"
			}
			return []raft.Voter{{ID: cfg.NodeID, Listener: l.Name, Host: host, Port: uint16(l.Port),
				DirectoryID: broker.MetadataDirID(cfg)}}, nil
		}
	}
	return nil, errors.New("--standalone: listeners has no controller listener (" + listener + ")")
}

// initialVoters parses --initial-controllers; the directory id it names
// for this node becomes its metadata log dir's directory.id, and one it
// does not name is taken from that dir (Kafka's formatter).
func initialVoters(cfg *config.Broker, initial, listener string) ([]raft.Voter, error) {
	voters, err := broker.ParseVoters(initial, listener)
	if err != nil {
		return nil, err
	}
	for i, v := range voters {
		if v.ID != cfg.NodeID {
			continue
		}
		if v.DirectoryID == ([16]byte{}) {
			voters[i].DirectoryID = broker.MetadataDirID(cfg)
		} else if err := broker.SetMetadataDirID(cfg, v.DirectoryID); err != nil {
			return nil, err
		}
	}
	return voters, nil
}
