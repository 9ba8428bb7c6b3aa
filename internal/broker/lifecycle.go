package broker

// The broker's side of KRaft's broker lifecycle: it registers with the
// active controller at start (BrokerRegistration, a new epoch each time),
// heartbeats every broker.heartbeat.interval.ms (BrokerHeartbeat), and on
// a clean shutdown asks the controller to move its leaderships away
// first (want_shut_down). A controller node that becomes the active
// controller finalizes this binary's features and fences brokers whose
// heartbeats stopped for broker.session.timeout.ms.

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/gofka/gofka/internal/controller"
	"github.com/gofka/gofka/internal/metadata"
	"github.com/gofka/gofka/internal/raft"
	"github.com/gofka/gofka/internal/wire"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// register registers this broker with the active controller.
func (n *Node) register(ctx context.Context) error {
	eps, rack := n.advertised(), rack(n.cfg)
	if n.active() {
		epoch, err := n.ctrl.Register(n.nodeID, n.incarnation, eps, rack, n.previousEpoch())
		if err == nil {
			n.epoch.Store(epoch)
			return nil
		}
		if !isNotControllerErr(err) {
			return err
		}
	}
	req := registrationRequest(n.clusterID, n.nodeID, eps, rack)
	req.IncarnationID, req.PreviousBrokerEpoch = n.incarnation, n.previousEpoch()
	resp, err := n.toController(ctx, req)
	if err != nil {
		return fmt.Errorf("broker: register with the controller: %w", err)
	}
	r := resp.(*kmsg.BrokerRegistrationResponse)
	if err := kerr.ErrorForCode(r.ErrorCode); err != nil {
		return fmt.Errorf("broker: register with the controller: %w", err)
	}
	n.epoch.Store(r.BrokerEpoch)
	return nil
}

// previousEpoch is the epoch of this broker's last registration: the
// running broker's, or after a restart the one its clean shutdown
// recorded (-1 after an unclean shutdown): the controller keeps a broker
// that may have lost unflushed records out of the ELR (KIP-966).
func (n *Node) previousEpoch() int64 {
	if e := n.epoch.Load(); e > 0 {
		return e
	}
	if n.logs != nil {
		return n.logs.PreviousBrokerEpoch()
	}
	return -1
}

func isNotControllerErr(err error) bool {
	return errors.Is(err, controller.ErrNotController) || errors.Is(err, raft.ErrNotLeader) || errors.Is(err, raft.ErrLeaderChanged)
}

func registrationRequest(cluster string, id int32, eps []controller.Endpoint, rack *string) *kmsg.BrokerRegistrationRequest {
	req := kmsg.NewPtrBrokerRegistrationRequest()
	req.SetVersion(4)
	req.BrokerID, req.ClusterID, req.Rack = id, cluster, rack
	for _, ep := range eps {
		req.Listeners = append(req.Listeners, kmsg.BrokerRegistrationRequestListener{
			Name: ep.Name, Host: ep.Host, Port: uint16(ep.Port), SecurityProtocol: ep.SecurityProtocol})
	}
	return req
}

// heartbeat sends one heartbeat; a broker the controller does not know
// under its epoch (the controller lost it, or a newer registration
// replaced it) registers again.
func (n *Node) heartbeat(ctx context.Context, wantShutDown bool) (controller.HeartbeatResult, error) {
	if n.active() {
		res := n.ctrl.Heartbeat(n.nodeID, n.epoch.Load(), n.meta.Current().Offset, false, wantShutDown)
		if res.Err != kerr.NotController {
			return res, nil
		}
	}
	req := kmsg.NewPtrBrokerHeartbeatRequest()
	req.SetVersion(1)
	req.BrokerID, req.BrokerEpoch, req.WantShutdown = n.nodeID, n.epoch.Load(), wantShutDown
	req.CurrentMetadataOffset = n.meta.Current().Offset
	resp, err := n.toController(ctx, req)
	if err != nil {
		return controller.HeartbeatResult{}, err
	}
	r := resp.(*kmsg.BrokerHeartbeatResponse)
	res := controller.HeartbeatResult{Fenced: r.IsFenced, ShouldShutDown: r.ShouldShutdown}
	if r.ErrorCode != 0 {
		res.Err, _ = kerr.ErrorForCode(r.ErrorCode).(*kerr.Error)
	}
	return res, nil
}

// heartbeatLoop heartbeats until quit, registering again when told to.
func (n *Node) heartbeatLoop(quit <-chan struct{}) {
	every(quit, ms(int64(n.cfg.BrokerHeartbeatIntervalMs)), func() {
		ctx, cancel := context.WithTimeout(context.Background(), ms(int64(n.cfg.BrokerHeartbeatIntervalMs)))
		defer cancel()
		res, err := n.heartbeat(ctx, false)
		switch {
		case err != nil:
			n.log.Debug("broker heartbeat", "err", err)
		case res.Err == kerr.StaleBrokerEpoch || res.Err == kerr.BrokerIDNotRegistered:
			if err := n.register(ctx); err != nil {
				n.log.Warn("register again", "err", err)
			}
		}
	})
}

// controlledShutdown asks the controller to move this broker's leaderships
// away and waits (at most a session timeout) until it may exit.
func (n *Node) controlledShutdown() {
	if n.quorum == nil || len(n.quorum.Status().Voters) < 2 || n.epoch.Load() == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), ms(int64(n.cfg.BrokerSessionTimeoutMs)))
	defer cancel()
	leaderless := time.Now()
	for ctx.Err() == nil {
		attempt, stop := context.WithTimeout(ctx, time.Second)
		res, err := n.heartbeat(attempt, true)
		stop()
		if err == nil && res.ShouldShutDown {
			return
		}
		// With the whole cluster going down there is soon no controller to
		// ask: give up after a second without a quorum leader.
		if n.quorum.Status().Leader >= 0 {
			leaderless = time.Now()
		} else if time.Since(leaderless) > time.Second {
			n.log.Warn("controlled shutdown skipped: no active controller")
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	n.log.Warn("controlled shutdown did not finish in broker.session.timeout.ms")
}

// activeLoop runs the active controller's periodic duties on controller
// nodes: on taking over, heartbeat times start afresh and the features
// this binary serves are finalized; while active, expired brokers are fenced.
func (n *Node) activeLoop(quit <-chan struct{}) {
	wasActive := false
	var swept time.Time
	var nextBalance time.Time
	every(quit, 250*time.Millisecond, func() {
		if !n.active() {
			if wasActive {
				n.ctrl.ForgetHeartbeats()
			}
			wasActive = false
			return
		}
		if !wasActive {
			wasActive = true
			if err := n.ctrl.InitCluster(); err != nil {
				n.log.Warn("initialize the cluster metadata", "err", err)
			}
			n.finalizeFeatures()
			nextBalance = n.now().Add(n.balanceInterval())
		}
		if err := n.ctrl.FenceExpired(n.now(), ms(int64(n.cfg.BrokerSessionTimeoutMs))); err != nil {
			n.log.Warn("fence expired brokers", "err", err)
		}
		n.sweepTokens(&swept)
		if now := n.now(); !now.Before(nextBalance) {
			nextBalance = now.Add(n.balanceInterval())
			n.balanceLeaders()
		}
	})
}

// balanceInterval is leader.imbalance.check.interval.seconds.
func (n *Node) balanceInterval() time.Duration {
	return time.Duration(n.cfg.LeaderImbalanceCheckIntervalSeconds) * time.Second
}

// balanceLeaders moves leaderships back to preferred replicas when
// auto.leader.rebalance.enable is on (and elects leaders for leaderless
// partitions of topics that allow unclean elections).
func (n *Node) balanceLeaders() {
	pct := n.cfg.LeaderImbalancePerBrokerPercentage
	if !n.cfg.AutoLeaderRebalanceEnable {
		pct = math.MaxInt32 // only the unclean elections
	}
	moved, err := n.ctrl.BalanceLeaders(pct)
	if err != nil {
		n.log.Warn("balance partition leaders", "err", err)
	} else if moved > 0 {
		n.log.Info("balanced partition leaders", "partitions", moved)
	}
}

// servedFeatures are the feature levels this binary finalizes.
func servedFeatures() map[string]int16 {
	return map[string]int16{
		"transaction.version": controller.MaxTransactionVersion,
		"group.version":       controller.MaxGroupVersion,
		"share.version":       controller.MaxShareVersion,
		controller.ELRFeature: controller.MaxELRVersion,
	}
}

// finalizeFeatures records the served feature levels, when this node is
// the active controller.
func (n *Node) finalizeFeatures() {
	for name, level := range servedFeatures() {
		if err := n.ctrl.FinalizeFeature(name, level); err != nil {
			n.log.Warn("finalize feature", "feature", name, "err", err)
		}
	}
}

// handleBrokerRegistration registers a broker (controller listener).
func (n *Node) handleBrokerRegistration(req *wire.Request, reply wire.Reply) {
	r := req.Msg.(*kmsg.BrokerRegistrationRequest)
	resp := r.ResponseKind().(*kmsg.BrokerRegistrationResponse)
	if r.ClusterID != n.clusterID {
		resp.ErrorCode = kerr.InconsistentClusterID.Code
		reply.Send(resp)
		return
	}
	var eps []controller.Endpoint
	for _, l := range r.Listeners {
		eps = append(eps, controller.Endpoint{Name: l.Name, Host: l.Host, Port: int(l.Port), SecurityProtocol: l.SecurityProtocol})
	}
	epoch, err := n.ctrl.Register(r.BrokerID, metadata.UUID(r.IncarnationID), eps, r.Rack, r.PreviousBrokerEpoch)
	if err != nil {
		resp.ErrorCode = controller.ErrorCode(err).Code
	}
	resp.BrokerEpoch = epoch
	reply.Send(resp)
}

// handleBrokerHeartbeat records a heartbeat (controller listener).
func (n *Node) handleBrokerHeartbeat(req *wire.Request, reply wire.Reply) {
	r := req.Msg.(*kmsg.BrokerHeartbeatRequest)
	resp := r.ResponseKind().(*kmsg.BrokerHeartbeatResponse)
	res := n.ctrl.Heartbeat(r.BrokerID, r.BrokerEpoch, r.CurrentMetadataOffset, r.WantFence, r.WantShutdown)
	if res.Err != nil {
		resp.ErrorCode = res.Err.Code
	}
	if b := n.meta.Current().Brokers[r.BrokerID]; b != nil {
		resp.IsCaughtUp = r.CurrentMetadataOffset >= b.Epoch
	}
	resp.IsFenced, resp.ShouldShutdown = res.Fenced, res.ShouldShutDown
	reply.Send(resp)
}

// handleAllocateProducerIDs hands a block of producer ids to a broker
// (controller listener).
func (n *Node) handleAllocateProducerIDs(req *wire.Request, reply wire.Reply) {
	r := req.Msg.(*kmsg.AllocateProducerIDsRequest)
	resp := r.ResponseKind().(*kmsg.AllocateProducerIDsResponse)
	first, size, err := n.ctrl.AllocateProducerIDs(r.BrokerID, r.BrokerEpoch)
	if err != nil {
		resp.ErrorCode = controller.ErrorCode(err).Code
	}
	resp.ProducerIDStart, resp.ProducerIDLen = first, size
	reply.Send(resp)
}

// registerAtStart registers, waiting for an active controller as long as
// start-up waits for the quorum. While another incarnation of this node id
// is alive (a process killed a moment ago, until it is fenced; or another
// node configured with the same node.id) registration is retried.
func (n *Node) registerAtStart() error {
	ctx, cancel := context.WithTimeout(context.Background(), n.quorumWait)
	defer cancel()
	for {
		err := n.register(ctx)
		if !errors.Is(err, kerr.DuplicateBrokerRegistration) && !errors.Is(err, controller.ErrDuplicateBroker) {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("broker: node.id %d is registered by another live broker: %w", n.nodeID, err)
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// handleUnregisterBroker (v0) removes a broker's registration; a broker
// forwards it to the active controller.
func (n *Node) handleUnregisterBroker(req *wire.Request, reply wire.Reply) {
	if n.forwarded(req, reply) {
		return
	}
	r := req.Msg.(*kmsg.UnregisterBrokerRequest)
	resp := r.ResponseKind().(*kmsg.UnregisterBrokerResponse)
	resp.SetVersion(req.Version)
	if code := n.ctrl.Unregister(r.BrokerID); code != nil {
		resp.ErrorCode, resp.ErrorMessage = code.Code, kmsg.StringPtr(code.Description)
	}
	reply.Send(resp)
}

// registerController records this controller's endpoints with the active
// controller (ControllerRegistration), retrying until it is done or quit.
func (n *Node) registerController(quit <-chan struct{}) {
	l, ok := controllerListener(n.cfg)
	if !ok {
		return
	}
	for _, a := range n.cfg.AdvertisedListeners {
		if a.Name == l.Name && a.Host != "" && a.Port != 0 {
			l = a // the advertised controller endpoint, as Kafka registers
		}
	}
	eps := []controller.Endpoint{{Name: l.Name, Host: l.Host, Port: l.Port}}
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err := n.sendControllerRegistration(ctx, eps)
		cancel()
		if err == nil {
			return
		}
		n.log.Debug("controller registration", "err", err)
		select {
		case <-quit:
			return
		case <-time.After(time.Second):
		}
	}
}

func (n *Node) sendControllerRegistration(ctx context.Context, eps []controller.Endpoint) error {
	if n.active() {
		return n.ctrl.RegisterController(n.nodeID, n.incarnation, eps)
	}
	req := kmsg.NewPtrControllerRegistrationRequest()
	req.ControllerID, req.IncarnationID = n.nodeID, n.incarnation
	for _, ep := range eps {
		req.Listeners = append(req.Listeners, kmsg.ControllerRegistrationRequestListener{
			Name: ep.Name, Host: ep.Host, Port: uint16(ep.Port), SecurityProtocol: ep.SecurityProtocol})
	}
	resp, err := n.toController(ctx, req)
	if err != nil {
		return err
	}
	return kerr.ErrorForCode(resp.(*kmsg.ControllerRegistrationResponse).ErrorCode)
}

// handleControllerRegistration records a controller (controller listener).
func (n *Node) handleControllerRegistration(req *wire.Request, reply wire.Reply) {
	r := req.Msg.(*kmsg.ControllerRegistrationRequest)
	resp := r.ResponseKind().(*kmsg.ControllerRegistrationResponse)
	var eps []controller.Endpoint
	for _, l := range r.Listeners {
		eps = append(eps, controller.Endpoint{Name: l.Name, Host: l.Host, Port: int(l.Port), SecurityProtocol: l.SecurityProtocol})
	}
	if err := n.ctrl.RegisterController(r.ControllerID, metadata.UUID(r.IncarnationID), eps); err != nil {
		code := controller.ErrorCode(err)
		resp.ErrorCode, resp.ErrorMessage = code.Code, kmsg.StringPtr(err.Error())
	}
	reply.Send(resp)
}
