package broker

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/gofka/gofka/internal/config"
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
