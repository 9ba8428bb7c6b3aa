package integration

import (
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/gofka/gofka/internal/broker"
	"github.com/gofka/gofka/internal/config"
	"github.com/gofka/gofka/internal/storage/checkpoint"
	"github.com/gofka/gofka/pkg/gofkatest"
)

// startBad starts a broker-only node with props and a short quorum wait,
// formatted for clusterID, and returns its start-up error.
func startBad(t *testing.T, clusterID string, props map[string]string) error {
	t.Helper()
	props["log.dirs"] = t.TempDir()
	props["process.roles"] = "broker"
	props["listeners"] = "PLAINTEXT://127.0.0.1:0"
	props["controller.listener.names"] = "CONTROLLER"
	cfg, err := config.LoadBroker(props)
	if err != nil {
		t.Fatal(err)
	}
	if err := broker.Format(cfg, clusterID, false); err != nil {
		t.Fatal(err)
	}
	n, err := broker.Start(broker.Options{Config: cfg, Logger: slog.New(slog.DiscardHandler), QuorumWait: 3 * time.Second})
	if err == nil {
		n.Close()
		return fmt.Errorf("started")
	}
	return err
}

// TestClusterRefusesBadNodes: a node of another cluster, a duplicate
// node.id and an unreachable voter set each stop start-up with a message
// naming the cause, and the cluster keeps serving.
func TestClusterRefusesBadNodes(t *testing.T) {
	c := gofkatest.StartCluster(t, gofkatest.Nodes(3))
	for _, tt := range []struct {
		name, cluster string
		props         map[string]string
		want          string
	}{
		{"other cluster", checkpoint.NewUUID().String(),
			map[string]string{"node.id": "7", "controller.quorum.voters": c.Voters()}, "belongs to another cluster"},
		{"duplicate node.id", c.ClusterID(),
			map[string]string{"node.id": "2", "controller.quorum.voters": c.Voters()}, "node.id 2 is registered by another live broker"},
		{"unreachable voters", c.ClusterID(),
			map[string]string{"node.id": "8", "controller.quorum.voters": "1@127.0.0.1:1,2@127.0.0.1:2,3@127.0.0.1:3"}, "no metadata quorum leader"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := startBad(t, tt.cluster, tt.props)
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("start-up error %q, want it to say %q", err, tt.want)
			}
		})
	}
	adm := clusterAdmin(t, c.Addrs()...)
	ctx := t.Context()
	if _, err := adm.CreateTopic(ctx, 1, 1, nil, "still-serving"); err != nil {
		t.Fatalf("cluster after the bad nodes: %v", err)
	}
	md, err := adm.Metadata(ctx)
	if err != nil || len(md.Brokers) != 3 {
		t.Fatalf("brokers after the bad nodes: %v %v", md.Brokers, err)
	}
}

// A voter without its controller listener in listeners is refused before
// anything starts, naming the property.
func TestClusterVoterWithoutControllerListener(t *testing.T) {
	_, err := config.LoadBroker(map[string]string{
		"log.dirs": t.TempDir(), "node.id": "1", "process.roles": "broker,controller",
		"listeners": "PLAINTEXT://127.0.0.1:0", "controller.listener.names": "CONTROLLER",
		"controller.quorum.voters": "1@127.0.0.1:19001,2@127.0.0.1:19002,3@127.0.0.1:19003",
	})
	if err == nil || !strings.Contains(err.Error(), "controller.listener.names") {
		t.Fatalf("got %v, want a refusal naming controller.listener.names", err)
	}
}
