package broker

import (
	"context"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// TestCleanerCoversInternalTopics: __consumer_offsets (and every topic
// with cleanup.policy=compact) is handed to the cleaner; delete-only
// topics are not.
func TestCleanerCoversInternalTopics(t *testing.T) {
	n := startTestNode(t, t.TempDir(), nil)
	defer n.Close()
	if n.cleaner == nil {
		t.Fatal("log.cleaner.enable is true by default but no cleaner runs")
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(n.Addr()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	adm := kadm.NewClient(cl)
	if _, err := adm.CreateTopic(ctx, 1, 1, nil, "plain"); err != nil {
		t.Fatal(err)
	}
	offs := kadm.Offsets{}
	offs.Add(kadm.Offset{Topic: "plain", Partition: 0, At: 0})
	if _, err := adm.CommitOffsets(ctx, "g", offs); err != nil {
		t.Fatal(err)
	}
	compacted := map[string]bool{}
	for _, l := range n.logs.Logs() {
		_, ok := n.cleanPolicy(l)
		compacted[l.TopicPartition().Topic] = compacted[l.TopicPartition().Topic] || ok
	}
	if !compacted["__consumer_offsets"] || compacted["plain"] {
		t.Fatalf("compacted topics %v", compacted)
	}
}
