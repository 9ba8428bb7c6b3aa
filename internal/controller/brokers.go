package controller

// The broker lifecycle as KRaft's ClusterControlManager and
// ReplicationControlManager run it: a broker registers (a new epoch each
// time), heartbeats to the active controller, is fenced when its
// heartbeats stop for broker.session.timeout.ms and unfenced on its next
// heartbeat; partitions it leads move to another in-sync replica when it
// is fenced or shuts down, and come back to it when it is the only one.

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/gofka/gofka/internal/metadata"
	"github.com/twmb/franz-go/pkg/kerr"
)

// ErrDuplicateBroker is returned when a live broker (another incarnation)
// holds the node id being registered.
var ErrDuplicateBroker = errors.New("controller: node id registered by another live broker")

// Register records a broker registration and returns its new epoch. A
// node id held by another incarnation that is still alive (unfenced, not
// shutting down, heartbeating) is refused, as Kafka's
// DUPLICATE_BROKER_REGISTRATION. previousEpoch is the epoch the broker
// wrote in its clean shutdown marker (-1 without one): a broker registered
// before under another epoch shut down uncleanly and may have lost
// unflushed records, so it leaves every ELR (KIP-966).
func (c *Controller) Register(nodeID int32, incarnation metadata.UUID, endpoints []Endpoint, rack *string, previousEpoch int64) (int64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	img := c.pub.Current()
	if b := img.Brokers[nodeID]; b != nil && b.IncarnationID != incarnation && c.alive(b) {
		return -1, fmt.Errorf("%w: %d", ErrDuplicateBroker, nodeID)
	}
	recs := c.freshClusterRecords(img)
	epoch := img.Offset + int64(len(recs)) + 1
	recs = append(recs, registration(nodeID, incarnation, epoch, endpoints, rack))
	unclean := img.Brokers[nodeID] != nil && img.Brokers[nodeID].Epoch != previousEpoch
	if unclean {
		c.log.Info("broker registers after an unclean shutdown: it leaves every ELR", "broker", nodeID, "previous epoch", previousEpoch)
	}
	recs = append(recs, c.returnElections(img, nodeID, unclean)...) // registered unfenced
	if err := c.commitLocked(recs); err != nil {
		return -1, err
	}
	c.sawHeartbeat(nodeID)
	return epoch, nil
}

// alive reports a registration whose broker may still be running: not
// fenced, not shut down, heard from within broker.session.timeout.ms (or
// heartbeats only count: a registration this controller has not heard from
// since it became active does not hold the id).
func (c *Controller) alive(b *metadata.BrokerInfo) bool {
	if b.Fenced || b.InControlledShutdown {
		return false
	}
	seen, ok := c.heard(b.ID)
	return ok && c.now().Sub(seen) < time.Duration(c.static.BrokerSessionTimeoutMs)*time.Millisecond
}

// HeartbeatResult answers a BrokerHeartbeat.
type HeartbeatResult struct {
	Err            *kerr.Error
	Fenced         bool
	ShouldShutDown bool
}

// Heartbeat records that a broker is alive: a fenced broker is unfenced,
// and one that wants to shut down has its leaderships moved away first.
// A plain heartbeat takes no controller lock, so a long commit (a large
// CreateTopics) never starves heartbeats into fencing.
//
// A fenced broker is unfenced only once it has caught up with the metadata
// log up to its own registration (metadataOffset, as Kafka's
// BrokerHeartbeatManager requires), so it never serves an image that does
// not know it is registered.
func (c *Controller) Heartbeat(id int32, epoch, metadataOffset int64, wantFence, wantShutDown bool) HeartbeatResult {
	if res, done := c.checkHeartbeat(c.pub.Current(), id, epoch); done {
		return res
	}
	c.sawHeartbeat(id)
	if b := c.pub.Current().Brokers[id]; !wantShutDown && (b.Fenced == wantFence || metadataOffset < b.Epoch) {
		return HeartbeatResult{Fenced: b.Fenced}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	img := c.pub.Current()
	if res, done := c.checkHeartbeat(img, id, epoch); done {
		return res
	}
	b := img.Brokers[id]
	if wantShutDown {
		return c.controlledShutdownLocked(img, b)
	}
	if b.Fenced && !wantFence {
		if err := c.commitLocked(c.unfenceRecords(img, b)); err != nil {
			return HeartbeatResult{Err: ErrorCode(err), Fenced: true}
		}
		return HeartbeatResult{}
	}
	return HeartbeatResult{Fenced: b.Fenced}
}

// checkHeartbeat answers a heartbeat of an unknown broker or epoch.
func (c *Controller) checkHeartbeat(img *metadata.Image, id int32, epoch int64) (HeartbeatResult, bool) {
	switch b := img.Brokers[id]; {
	case b == nil:
		return HeartbeatResult{Err: kerr.BrokerIDNotRegistered}, true
	case b.Epoch != epoch:
		return HeartbeatResult{Err: kerr.StaleBrokerEpoch}, true
	}
	return HeartbeatResult{}, false
}

// controlledShutdownLocked moves leaderships off b; the broker may exit once
// it leads nothing.
func (c *Controller) controlledShutdownLocked(img *metadata.Image, b *metadata.BrokerInfo) HeartbeatResult {
	recs := c.moveLeaders(img, b.ID)
	if !b.InControlledShutdown {
		ch := metadata.NewBrokerRegistrationChangeRecord()
		ch.BrokerID, ch.BrokerEpoch, ch.InControlledShutdown = b.ID, b.Epoch, 1
		recs = append(recs, ch)
	}
	if err := c.commitLocked(recs); err != nil {
		return HeartbeatResult{Err: ErrorCode(err), Fenced: b.Fenced}
	}
	return HeartbeatResult{Fenced: b.Fenced, ShouldShutDown: true}
}

// FenceExpired fences every unfenced broker whose last heartbeat is older
// than timeout, moving its leaderships. The active controller calls it
// periodically; brokers it has not heard from since it became active get
// a full timeout from then.
func (c *Controller) FenceExpired(now time.Time, timeout time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, id := range slices.Sorted(maps.Keys(c.pub.Current().Brokers)) {
		img := c.pub.Current() // each fencing sees the ISRs the previous one left
		b := img.Brokers[id]
		seen, ok := c.lastHeard(id, now)
		if !ok || b.Fenced || now.Sub(seen) < timeout {
			continue
		}
		f := metadata.NewFenceBrokerRecord()
		f.ID, f.Epoch = id, b.Epoch
		c.log.Warn("fencing broker: no heartbeat", "broker", id, "last", seen)
		if err := c.commitLocked(append(c.moveLeaders(img, id), f)); err != nil {
			return fmt.Errorf("controller: fence broker %d: %w", id, err)
		}
	}
	return nil
}

// ForgetHeartbeats drops the heartbeat times (leadership lost: a new
// active controller starts counting afresh).
func (c *Controller) ForgetHeartbeats() {
	c.hb.mu.Lock()
	defer c.hb.mu.Unlock()
	c.hb.seen, c.hb.since = map[int32]time.Time{}, map[int32]time.Time{}
}

func (c *Controller) sawHeartbeat(id int32) {
	c.hb.mu.Lock()
	defer c.hb.mu.Unlock()
	c.hb.seen[id] = c.now()
}

// heard returns a broker's last heartbeat.
func (c *Controller) heard(id int32) (time.Time, bool) {
	c.hb.mu.Lock()
	defer c.hb.mu.Unlock()
	t, ok := c.hb.seen[id]
	return t, ok
}

// lastHeard is the time a broker's session counts from: its last
// heartbeat, or when this controller first looked for one (ok false the
// first time).
func (c *Controller) lastHeard(id int32, now time.Time) (time.Time, bool) {
	c.hb.mu.Lock()
	defer c.hb.mu.Unlock()
	if t, ok := c.hb.seen[id]; ok {
		return t, true
	}
	if t, ok := c.hb.since[id]; ok {
		return t, true
	}
	c.hb.since[id] = now
	return time.Time{}, false
}

func (c *Controller) forget(id int32) {
	c.hb.mu.Lock()
	defer c.hb.mu.Unlock()
	delete(c.hb.seen, id)
}

// leaveISRs takes broker id out of the ISR of every partition, as Kafka
// does when a broker is fenced, shuts down or unregisters: partitions it
// led get a new leader from the ISR (or the ELR, or, where the topic
// allows it, any alive replica); an ISR that would be empty keeps its last
// member unless ELR is on (KIP-966), and replicas leaving an ISR that drops
// below min.insync.replicas stay eligible (ELR). unregistered also drops id
// from every ELR.
func (c *Controller) leaveISRs(img *metadata.Image, id int32, unregistered bool) []metadata.Record {
	ps := c.policies(img)
	var recs []metadata.Record
	img.EachTopic(func(t *metadata.TopicImage) bool {
		for _, p := range t.Partitions {
			if p == nil || !(slices.Contains(p.ISR, id) || p.Leader == id || unregistered && slices.Contains(p.ELR, id)) {
				continue
			}
			b := ps.change(p)
			b.exclude = id
			b.isr = without(b.isr, []int32{id})
			if unregistered {
				b.uncleanShutdown = []int32{id}
			}
			if r := b.build(); r != nil {
				recs = append(recs, r)
			}
		}
		return true
	})
	return recs
}

// moveLeaders is leaveISRs for a broker that is fenced or shutting down.
func (c *Controller) moveLeaders(img *metadata.Image, id int32) []metadata.Record {
	return c.leaveISRs(img, id, false)
}

// unfenceRecords unfences b and elects it where it may lead a leaderless
// partition.
func (c *Controller) unfenceRecords(img *metadata.Image, b *metadata.BrokerInfo) []metadata.Record {
	u := metadata.NewUnfenceBrokerRecord()
	u.ID, u.Epoch = b.ID, b.Epoch
	return append([]metadata.Record{u}, c.returnElections(img, b.ID, false)...)
}

// returnElections elects leaders for the leaderless partitions broker id
// (coming back) may lead: those whose ISR it is in, or whose ISR is empty
// and ELR holds it, or, where the topic allows unclean elections, any it
// is a replica of. After an unclean shutdown it first leaves every ELR.
func (c *Controller) returnElections(img *metadata.Image, id int32, unclean bool) []metadata.Record {
	var recs []metadata.Record
	ps := c.policies(img)
	img.EachTopic(func(t *metadata.TopicImage) bool {
		for _, p := range t.Partitions {
			if p == nil {
				continue
			}
			leaderless := p.Leader < 0 && slices.Contains(p.Replicas, id)
			if !leaderless && !(unclean && slices.Contains(p.ELR, id)) {
				continue
			}
			ch := ps.change(p)
			ch.include = id
			if unclean {
				ch.uncleanShutdown = []int32{id}
			}
			if r := ch.build(); r != nil {
				recs = append(recs, r)
			}
		}
		return true
	})
	return recs
}

// Unregister removes a broker's registration (UnregisterBroker, KIP-778),
// moving the partitions it leads to another in-sync replica first.
func (c *Controller) Unregister(id int32) *kerr.Error {
	c.mu.Lock()
	defer c.mu.Unlock()
	img := c.pub.Current()
	b := img.Brokers[id]
	if b == nil {
		return kerr.BrokerIDNotRegistered
	}
	u := metadata.NewUnregisterBrokerRecord()
	u.BrokerID, u.BrokerEpoch = id, b.Epoch
	if err := c.commitLocked(append(c.leaveISRs(img, id, true), u)); err != nil {
		return ErrorCode(err)
	}
	c.forget(id)
	return nil
}

// RegisterController records a controller's registration (KIP-919), unless
// the same one is recorded already.
func (c *Controller) RegisterController(id int32, incarnation metadata.UUID, endpoints []Endpoint) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cur := c.pub.Current().Controllers[id]; cur != nil && cur.IncarnationID == incarnation {
		return nil
	}
	r := metadata.NewRegisterControllerRecord()
	r.ControllerID, r.IncarnationID = id, incarnation
	for _, ep := range endpoints {
		r.EndPoints = append(r.EndPoints, metadata.ControllerEndpoint{Name: ep.Name, Host: ep.Host,
			Port: uint16(ep.Port), SecurityProtocol: ep.SecurityProtocol})
	}
	return c.commitLocked([]metadata.Record{r})
}
