package controller

import (
	"crypto/rand"

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
