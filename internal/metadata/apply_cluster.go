package metadata

import (
	"maps"
	"slices"
)

// featureLevel applies a FeatureLevelRecord. Level 0 disables the feature;
// Kafka forgets it, Gofka keeps it at 0 so that a feature downgraded to 0
// stays disabled when start-up finalizes the features of a new cluster.
func (a *applier) featureLevel(r *FeatureLevelRecord) {
	if r.Name == MetadataVersionFeature {
		a.next.MetadataVersion = r.FeatureLevel
	}
	a.features()[r.Name] = r.FeatureLevel
}

// registerBroker replaces the registration of a broker.
func (a *applier) registerBroker(r *RegisterBrokerRecord) {
	b := &BrokerInfo{
		ID:                   r.BrokerID,
		Epoch:                r.BrokerEpoch,
		IncarnationID:        r.IncarnationID,
		Fenced:               r.Fenced,
		InControlledShutdown: r.InControlledShutdown,
	}
	if r.Rack != nil {
		b.Rack = stringPtr(*r.Rack)
	}
	for _, e := range r.EndPoints {
		b.Endpoints = append(b.Endpoints, Endpoint{
			Name: e.Name, Host: e.Host, Port: int32(e.Port), SecurityProtocol: e.SecurityProtocol,
		})
	}
	a.brokers()[b.ID] = b
}

// registerController replaces the registration of a controller.
func (a *applier) registerController(r *RegisterControllerRecord) {
	c := &ControllerInfo{ID: r.ControllerID, IncarnationID: r.IncarnationID}
	for _, e := range r.EndPoints {
		c.Endpoints = append(c.Endpoints, Endpoint{Name: e.Name, Host: e.Host, Port: int32(e.Port), SecurityProtocol: e.SecurityProtocol})
	}
	next := maps.Clone(a.next.Controllers)
	if next == nil {
		next = map[int32]*ControllerInfo{}
	}
	next[c.ID] = c
	a.next.Controllers = next
}

// broker returns a registered broker whose epoch matches, as Kafka's ClusterDelta checks.
func (a *applier) broker(id int32, epoch int64, action string) (*BrokerInfo, error) {
	b := a.next.Brokers[id]
	if b == nil {
		return nil, inconsistentf("%s broker %d: not registered", action, id)
	}
	if b.Epoch != epoch {
		return nil, inconsistentf("%s broker %d: epoch %d does not match registered epoch %d", action, id, epoch, b.Epoch)
	}
	return b, nil
}

// updateBroker stores a changed copy of b.
func (a *applier) updateBroker(b *BrokerInfo, change func(*BrokerInfo)) {
	c := *b
	c.Endpoints = slices.Clip(c.Endpoints)
	change(&c)
	a.brokers()[c.ID] = &c
}

func (a *applier) setFenced(id int32, epoch int64, fenced bool, action string) error {
	b, err := a.broker(id, epoch, action)
	if err != nil {
		return err
	}
	a.updateBroker(b, func(c *BrokerInfo) { c.Fenced = fenced })
	return nil
}

// brokerChange applies a BrokerRegistrationChangeRecord. Fenced: -1 unfenced,
// 0 no change, 1 fenced. InControlledShutdown: 0 no change, 1 in controlled shutdown.
func (a *applier) brokerChange(r *BrokerRegistrationChangeRecord) error {
	b, err := a.broker(r.BrokerID, r.BrokerEpoch, "change")
	if err != nil {
		return err
	}
	if r.Fenced < -1 || r.Fenced > 1 || r.InControlledShutdown < 0 || r.InControlledShutdown > 1 {
		return inconsistentf("change broker %d: bad fenced %d or controlled shutdown %d",
			r.BrokerID, r.Fenced, r.InControlledShutdown)
	}
	a.updateBroker(b, func(c *BrokerInfo) {
		if r.Fenced != 0 {
			c.Fenced = r.Fenced == 1
		}
		if r.InControlledShutdown == 1 {
			c.InControlledShutdown = true
		}
	})
	return nil
}

func (a *applier) unregisterBroker(r *UnregisterBrokerRecord) error {
	if _, err := a.broker(r.BrokerID, r.BrokerEpoch, "unregister"); err != nil {
		return err
	}
	delete(a.brokers(), r.BrokerID)
	return nil
}
