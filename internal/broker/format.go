package broker

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/gofka/gofka/internal/config"
	"github.com/gofka/gofka/internal/metadata"
	"github.com/gofka/gofka/internal/raft"
	"github.com/gofka/gofka/internal/security"
	"github.com/gofka/gofka/internal/storage/checkpoint"
)

// formatDirs makes sure every data dir holds a meta.properties naming this
// node and one cluster, writing it on first start (what kafka-storage.sh
// format does by hand), and returns the cluster id.
func formatDirs(cfg *config.Broker) (string, error) {
	dirs := dataDirs(cfg)
	clusterID := ""
	var fresh []string
	for _, dir := range dirs {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return "", fmt.Errorf("broker: create data dir: %w", err)
		}
		mp, err := checkpoint.ReadMetaProperties(filepath.Join(dir, "meta.properties"))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			fresh = append(fresh, dir)
			continue
		case err != nil:
			return "", fmt.Errorf("broker: %s: %w", dir, err)
		case mp.NodeID != cfg.NodeID:
			return "", fmt.Errorf("broker: %s belongs to node.id %d, but this node is node.id %d", dir, mp.NodeID, cfg.NodeID)
		case clusterID != "" && mp.ClusterID != clusterID:
			return "", fmt.Errorf("broker: %s belongs to cluster %s, other dirs to %s", dir, mp.ClusterID, clusterID)
		}
		clusterID = mp.ClusterID
	}
	if len(fresh) > 0 && (len(cfg.ControllerQuorumVoters) > 1 || len(cfg.ControllerQuorumBootstrap) > 0) {
		return "", fmt.Errorf("broker: %s is not formatted: a node of a multi-node quorum needs the cluster id "+
			"its peers share; run gofka format --cluster-id <id> --config <file> first", strings.Join(fresh, ", "))
	}
	if clusterID == "" {
		clusterID = checkpoint.NewUUID().String()
	}
	for _, dir := range fresh {
		mp := checkpoint.MetaProperties{Version: 1, ClusterID: clusterID, NodeID: cfg.NodeID, DirectoryID: checkpoint.NewUUID()}
		if err := checkpoint.WriteMetaProperties(filepath.Join(dir, "meta.properties"), mp); err != nil {
			return "", fmt.Errorf("broker: format %s: %w", dir, err)
		}
	}
	return clusterID, nil
}

func dataDirs(cfg *config.Broker) []string {
	dirs := append([]string(nil), cfg.LogDirs...)
	if !contains(dirs, cfg.MetadataLogDir) {
		dirs = append(dirs, cfg.MetadataLogDir)
	}
	return dirs
}

// Format writes meta.properties naming clusterID and this node in every
// data dir, as kafka-storage.sh format does. A dir formatted already for
// another cluster or node is an error; one formatted for this one is left
// as it is unless ignoreFormatted is false.
func Format(cfg *config.Broker, clusterID string, ignoreFormatted bool) error {
	if _, err := checkpoint.ParseUUID(clusterID); err != nil {
		return fmt.Errorf("broker: cluster id %q: %w", clusterID, err)
	}
	for _, dir := range dataDirs(cfg) {
		path := filepath.Join(dir, "meta.properties")
		mp, err := checkpoint.ReadMetaProperties(path)
		switch {
		case err == nil && (mp.ClusterID != clusterID || mp.NodeID != cfg.NodeID):
			return fmt.Errorf("broker: %s is formatted for cluster %s node %d", dir, mp.ClusterID, mp.NodeID)
		case err == nil && !ignoreFormatted:
			return fmt.Errorf("broker: %s is formatted already (--ignore-formatted to accept)", dir)
		case err == nil:
			continue
		case !errors.Is(err, fs.ErrNotExist):
			return fmt.Errorf("broker: %s: %w", dir, err)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("broker: format: %w", err)
		}
		mp = checkpoint.MetaProperties{Version: 1, ClusterID: clusterID, NodeID: cfg.NodeID, DirectoryID: checkpoint.NewUUID()}
		if err := checkpoint.WriteMetaProperties(path, mp); err != nil {
			return fmt.Errorf("broker: format %s: %w", dir, err)
		}
	}
	return nil
}

// SetMetadataDirID gives the metadata log dir the directory.id id, as
// kafka-storage.sh format does with the id --initial-controllers names for
// this node: the voter set then carries the id the node fetches with.
func SetMetadataDirID(cfg *config.Broker, id [16]byte) error {
	path := filepath.Join(cfg.MetadataLogDir, "meta.properties")
	mp, err := checkpoint.ReadMetaProperties(path)
	if err != nil {
		return fmt.Errorf("broker: %w", err)
	}
	if [16]byte(mp.DirectoryID) == id {
		return nil
	}
	mp.DirectoryID = checkpoint.UUID(id)
	if err := checkpoint.WriteMetaProperties(path, mp); err != nil {
		return fmt.Errorf("broker: set directory.id of %s: %w", cfg.MetadataLogDir, err)
	}
	return nil
}

// FormatScram writes the SCRAM credentials of gofka format --add-scram
// (Kafka's kafka-storage format --add-scram, KIP-900) as
// UserScramCredentialRecords into the metadata log dir's
// bootstrap.checkpoint: the first active controller commits them with the
// cluster's first records, so brokers can authenticate to each other with
// SCRAM before anyone could call AlterUserScramCredentials. Only the first
// active controller's file counts; format every controller alike.
func FormatScram(cfg *config.Broker, addScram []string) error {
	if len(addScram) == 0 {
		return nil
	}
	var recs []metadata.Record
	for _, s := range addScram {
		u, err := security.ParseAddScram(s)
		if err != nil {
			return err
		}
		r := metadata.NewUserScramCredentialRecord()
		r.Name, r.Mechanism = u.Name, u.Mechanism
		r.Salt, r.StoredKey, r.ServerKey = u.Credential.Salt, u.Credential.StoredKey, u.Credential.ServerKey
		r.Iterations = int32(u.Credential.Iterations)
		recs = append(recs, r)
	}
	if err := raft.WriteBootstrapRecords(cfg.MetadataLogDir, recs); err != nil {
		return fmt.Errorf("broker: format --add-scram: %w", err)
	}
	return nil
}
