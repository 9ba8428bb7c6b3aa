package controller

import (
	"crypto/rand"
	"fmt"

	"github.com/gofka/gofka/internal/metadata"
)

// Endpoint is a listener a broker registers.
type Endpoint struct {
	Name             string
	Host             string
	Port             int
	SecurityProtocol int16
}

// Bootstrap finalizes metadata.version on a fresh cluster and registers
// this node as an unfenced broker with its current endpoints. A node
// registers again on every start (new incarnation, new epoch), as KRaft
// brokers do, because its advertised endpoints may have changed.
func (c *Controller) Bootstrap(nodeID int32, endpoints []Endpoint, rack *string) error {
	var incarnation metadata.UUID
	_, _ = rand.Read(incarnation[:])
	_, err := c.Register(nodeID, incarnation, endpoints, rack, -1)
	return err
}

func registration(nodeID int32, incarnation metadata.UUID, epoch int64, endpoints []Endpoint, rack *string) *metadata.RegisterBrokerRecord {
	r := metadata.NewRegisterBrokerRecord()
	r.BrokerID = nodeID
	r.BrokerEpoch = epoch
	r.IncarnationID = incarnation
	r.Rack = rack
	r.Fenced = false
	for _, ep := range endpoints {
		r.EndPoints = append(r.EndPoints, metadata.BrokerEndpoint{
			Name: ep.Name, Host: ep.Host, Port: uint16(ep.Port), SecurityProtocol: ep.SecurityProtocol,
		})
	}
	r.Features = []metadata.BrokerFeature{{Name: "metadata.version", MinSupportedVersion: MinMetadataVersion, MaxSupportedVersion: MaxMetadataVersion}}
	return r
}

// SetBootstrapRecords sets the records a new cluster starts with (gofka
// format --add-scram): committed with metadata.version by the first active
// controller, before anything else, as Kafka's bootstrap.checkpoint.
func (c *Controller) SetBootstrapRecords(recs []metadata.Record) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.bootstrap = recs
}

// InitCluster commits metadata.version and the bootstrap records when the
// cluster is new (no metadata.version yet); called when this controller
// becomes active.
func (c *Controller) InitCluster() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.commitLocked(c.freshClusterRecords(c.pub.Current())); err != nil {
		return fmt.Errorf("controller: initialize the cluster metadata: %w", err)
	}
	return nil
}

// freshClusterRecords are the first records of a new cluster, none for
// one that has a metadata.version. The caller holds c.mu.
func (c *Controller) freshClusterRecords(img *metadata.Image) []metadata.Record {
	if img.MetadataVersion != 0 {
		return nil
	}
	fl := metadata.NewFeatureLevelRecord()
	fl.Name, fl.FeatureLevel = metadata.MetadataVersionFeature, MaxMetadataVersion
	return append([]metadata.Record{fl}, c.bootstrap...)
}
