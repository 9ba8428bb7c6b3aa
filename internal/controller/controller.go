package controller

import (
	"fmt"
	"log/slog"
	"sync"

	"github.com/gofka/gofka/internal/config"
	"github.com/gofka/gofka/internal/metadata"
)

// Metadata versions: Kafka 4.0's floor (3.3-IV3) and its newest
// production level (4.0-IV3), the range of the metadata.version feature.
const (
	MinMetadataVersion int16 = 7
	MaxMetadataVersion int16 = 25
)

// Controller is the single writer of cluster metadata.
type Controller struct {
	mu      sync.Mutex // serializes validation and commit
	journal metadata.Journal
	pub     *metadata.Publisher
	static  *config.Broker
	log     *slog.Logger
}

// New returns a controller writing to journal and publishing through pub.
func New(journal metadata.Journal, pub *metadata.Publisher, static *config.Broker, log *slog.Logger) *Controller {
	return &Controller{journal: journal, pub: pub, static: static, log: log}
}

// commitLocked appends records durably, applies them and publishes the
// resulting image. The caller holds c.mu.
func (c *Controller) commitLocked(recs []metadata.Record) error {
	if len(recs) == 0 {
		return nil
	}
	last, err := c.journal.Append(recs)
	if err != nil {
		return fmt.Errorf("controller: append metadata: %w", err)
	}
	next, err := c.pub.Current().Apply(last, recs)
	if err != nil {
		return fmt.Errorf("controller: apply metadata: %w", err)
	}
	c.pub.Publish(next)
	return nil
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
)
