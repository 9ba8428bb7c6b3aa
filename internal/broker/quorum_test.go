package broker

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/gofka/gofka/internal/metadata"
)

// TestUpgradeJournal: a data dir written by Gofka before the quorum (its
// metadata in a local journal file) starts with the same metadata, now in
// the Kafka-format metadata log, and keeps it across restarts.
func TestUpgradeJournal(t *testing.T) {
	dir := t.TempDir()
	n := startTestNode(t, dir, nil) // formats the dir (meta.properties)
	clusterID := n.ClusterID()
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	mdir := filepath.Join(dir, MetadataDir)
	if err := os.RemoveAll(mdir); err != nil {
		t.Fatal(err)
	}
	j, err := metadata.OpenFileJournal(mdir, func(int64, []metadata.Record) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	topic := metadata.NewTopicRecord()
	topic.Name, topic.TopicID = "old-topic", metadata.UUID{1, 2, 3}
	part := metadata.NewPartitionRecord()
	part.TopicID, part.PartitionID, part.Replicas, part.ISR, part.Leader = topic.TopicID, 0, []int32{1}, []int32{1}, 1
	level := metadata.NewFeatureLevelRecord()
	level.Name, level.FeatureLevel = metadata.MetadataVersionFeature, 25
	if _, err := j.Append([]metadata.Record{level, topic, part}); err != nil {
		t.Fatal(err)
	}
	j.Close()

	for i := 0; i < 2; i++ {
		n := startTestNode(t, dir, nil)
		img := n.meta.Current()
		if n.ClusterID() != clusterID || img.Topic("old-topic") == nil || img.Partition("old-topic", 0) == nil {
			t.Fatalf("start %d: old metadata missing: cluster %s topics %v", i, n.ClusterID(), img.TopicNames())
		}
		if img.Offset < 2 {
			t.Fatalf("start %d: image offset %d went back before the journal's", i, img.Offset)
		}
		if _, err := os.Stat(filepath.Join(mdir, journalFile)); !os.IsNotExist(err) {
			t.Fatalf("start %d: journal still there (%v)", i, err)
		}
		if snaps, _ := filepath.Glob(filepath.Join(mdir, "*.checkpoint")); len(snaps) == 0 {
			t.Fatalf("start %d: no snapshot in %s", i, mdir)
		}
		if err := n.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
