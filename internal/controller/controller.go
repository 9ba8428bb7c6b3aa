package controller

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/gofka/gofka/internal/config"
	"github.com/gofka/gofka/internal/metadata"
	"github.com/gofka/gofka/internal/raft"
	"github.com/twmb/franz-go/pkg/kerr"
)

// Metadata versions: Kafka 4.0's floor (3.3-IV3) and its newest
// production level (4.0-IV3), the range of the metadata.version feature.
const (
	MinMetadataVersion int16 = 7
	MaxMetadataVersion int16 = 25
)

// Quorum commits record batches: the metadata quorum's leader. Propose
// returns once the batch is committed and applied to the published image.
type Quorum interface {
	Propose(ctx context.Context, recs []metadata.Record) (int64, error)
}

// commitTimeout bounds the wait for the quorum to commit one change.
const commitTimeout = 15 * time.Second

// Controller is the single writer of cluster metadata.
type Controller struct {
	mu     sync.Mutex // serializes validation and commit
	quorum Quorum
	pub    *metadata.Publisher
	static *config.Broker
	log    *slog.Logger
	now    func() time.Time
	// bootstrap are the records of gofka format --add-scram (bootstrap.go),
	// under mu.
	bootstrap []metadata.Record

	// hb is the heartbeat bookkeeping of the active controller (brokers.go),
	// under a leaf lock of its own (taken with or without mu).
	hb struct {
		mu    sync.Mutex
		seen  map[int32]time.Time // last heartbeat (or registration)
		since map[int32]time.Time // first look at a broker not heard from
	}
}

// New returns a controller committing through quorum; the images it
// validates against are those pub publishes as the quorum applies batches.
func New(quorum Quorum, pub *metadata.Publisher, static *config.Broker, log *slog.Logger) *Controller {
	c := &Controller{quorum: quorum, pub: pub, static: static, log: log, now: time.Now}
	c.hb.seen, c.hb.since = map[int32]time.Time{}, map[int32]time.Time{}
	return c
}

// ErrNotController is returned when this node does not lead the quorum.
var ErrNotController = errors.New("controller: not the active controller")

// commitLocked commits records through the quorum; they are applied and
// published when it returns. The caller holds c.mu.
func (c *Controller) commitLocked(recs []metadata.Record) error {
	if len(recs) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), commitTimeout)
	defer cancel()
	if _, err := c.quorum.Propose(ctx, recs); err != nil {
		if errors.Is(err, raft.ErrNotLeader) || errors.Is(err, raft.ErrLeaderChanged) {
			return fmt.Errorf("%w: %w", ErrNotController, err)
		}
		return fmt.Errorf("controller: commit metadata: %w", err)
	}
	return nil
}

// ErrorCode is the Kafka error for a failed commit.
func ErrorCode(err error) *kerr.Error {
	switch {
	case errors.Is(err, ErrNotController):
		return kerr.NotController
	case errors.Is(err, ErrDuplicateBroker):
		return kerr.DuplicateBrokerRegistration
	}
	return kerr.UnknownServerError
}

// layers gathers the config layers that apply to a topic with the given
// overrides.
func (c *Controller) layers(img *metadata.Image, overrides map[string]string) config.Layers {
	return config.Layers{
		Topic:          overrides,
		PerBroker:      img.Configs(ResourceBroker, fmt.Sprint(c.static.NodeID)),
		ClusterDefault: img.Configs(ResourceBroker, ""),
		Static:         c.static,
	}
}

// Kafka's ConfigResource type codes.
const (
	ResourceTopic  int8 = 2
	ResourceBroker int8 = 4
	ResourceGroup  int8 = 32
)
