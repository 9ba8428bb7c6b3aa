package broker

// The way to the active controller, as Kafka's NodeToControllerChannel: a
// node that leads the metadata quorum calls its controller directly; any
// other node sends the request to the active controller's controller
// listener, and tries again (another leader, or the same one once elected)
// while the answer is NOT_CONTROLLER or the controller cannot be reached.

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/gofka/gofka/internal/wire"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// forwardTimeout bounds how long a request waits for an active controller.
const forwardTimeout = 30 * time.Second

// active reports whether this node is the active controller, caught up.
func (n *Node) active() bool { return n.ctrl != nil && n.quorum.Status().LeaderReady }

// controllerOps are the controller calls the broker makes on its own
// behalf (internal topics, producer ids, auto-creation).
type controllerOps interface {
	CreateTopics(r *kmsg.CreateTopicsRequest) []kmsg.CreateTopicsResponseTopic
	CreateTopicWithDefaults(name string) *kerr.Error
	AllocateProducerIDs(brokerID int32, brokerEpoch int64) (int64, int32, error)
	FinalizeFeature(name string, level int16) error
}

// controller returns the local controller when it is active, a forwarder
// to the active one otherwise.
func (n *Node) controller() controllerOps {
	if n.active() {
		return n.ctrl
	}
	return forwarder{n}
}

// forwarded sends a client's request to the active controller when this
// node is not it, and replies with its answer; it reports whether it did.
func (n *Node) forwarded(req *wire.Request, reply wire.Reply) bool {
	return n.forwardedThen(req, reply, nil)
}

// forwardedThen is forwarded, with then (when not nil) called on the
// controller's answer before it is sent.
func (n *Node) forwardedThen(req *wire.Request, reply wire.Reply, then func(kmsg.Response)) bool {
	if n.active() {
		return false
	}
	if sessionOf(req.Conn).enveloped { // a controller never forwards
		resp := notControllerResponse(req.Msg)
		resp.SetVersion(req.Version)
		reply.Send(resp)
		return true
	}
	ctx, cancel := context.WithTimeout(context.Background(), forwardTimeout)
	defer cancel()
	resp, err := n.forwardEnveloped(ctx, req)
	if err != nil {
		n.log.Warn("forward to the active controller", "key", req.Key, "err", err)
		resp = notControllerResponse(req.Msg)
	}
	resp.SetVersion(req.Version)
	if then != nil {
		then(resp)
	}
	reply.Send(resp)
	return true
}

// toController sends req to the active controller until it answers with
// anything but NOT_CONTROLLER, or ctx ends.
func (n *Node) toController(ctx context.Context, req kmsg.Request) (kmsg.Response, error) {
	var last error
	for {
		leader, addr, err := n.activeController()
		if err == nil {
			var resp kmsg.Response
			if resp, err = n.sendWhileLeader(ctx, leader, addr, req); err == nil && !isNotController(resp) {
				return resp, nil
			}
			if err == nil {
				err = kerr.NotController
			}
		}
		last = err
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("broker: no active controller answered: %w", last)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// activeController is the quorum's leader and its controller listener.
func (n *Node) activeController() (int32, string, error) {
	s := n.quorum.Status()
	for _, v := range s.Voters {
		if v.ID == s.Leader {
			return v.ID, v.Addr(), nil
		}
	}
	return -1, "", errNoLeader
}

// sendWhileLeader sends req to leader, giving up as soon as this node
// learns of another leader (or of none): a paused or partitioned leader
// must not hold a forwarded request for its whole timeout.
func (n *Node) sendWhileLeader(ctx context.Context, leader int32, addr string, req kmsg.Request) (kmsg.Response, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if n.quorum.Status().Leader != leader {
					cancel()
					return
				}
			}
		}
	}()
	resp, err := n.fwd.client(addr).Request(ctx, req)
	close(done)
	wg.Wait()
	return resp, err
}

var errNoLeader = errors.New("broker: the metadata quorum has no leader")

// clientPool keeps one client per address, secured as sec says.
type clientPool struct {
	id  string
	sec wire.ClientSecurity
	mu  sync.Mutex
	m   map[string]*wire.Client
}

func newClientPool(id string, sec wire.ClientSecurity) *clientPool {
	return &clientPool{id: id, sec: sec, m: map[string]*wire.Client{}}
}

func (p *clientPool) client(addr string) *wire.Client {
	p.mu.Lock()
	defer p.mu.Unlock()
	c, ok := p.m[addr]
	if !ok {
		c = wire.NewSecureClient(addr, p.id, p.sec)
		p.m[addr] = c
	}
	return c
}

func (p *clientPool) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.m {
		c.Close()
	}
}

// forwarder is controllerOps through the active controller.
type forwarder struct{ n *Node }

func (f forwarder) CreateTopics(r *kmsg.CreateTopicsRequest) []kmsg.CreateTopicsResponseTopic {
	r.SetVersion(7)
	ctx, cancel := context.WithTimeout(context.Background(), forwardTimeout)
	defer cancel()
	resp, err := f.n.toController(ctx, r)
	if err != nil {
		return notControllerResponse(r).(*kmsg.CreateTopicsResponse).Topics
	}
	return resp.(*kmsg.CreateTopicsResponse).Topics
}

func (f forwarder) CreateTopicWithDefaults(name string) *kerr.Error {
	req := kmsg.NewPtrCreateTopicsRequest()
	t := kmsg.NewCreateTopicsRequestTopic()
	t.Topic, t.NumPartitions, t.ReplicationFactor = name, -1, -1
	req.Topics = append(req.Topics, t)
	res := f.CreateTopics(req)
	switch {
	case len(res) != 1:
		return kerr.UnknownServerError
	case res[0].ErrorCode == 0:
		return nil
	}
	if e, ok := kerr.ErrorForCode(res[0].ErrorCode).(*kerr.Error); ok {
		return e
	}
	return kerr.UnknownServerError
}

func (f forwarder) AllocateProducerIDs(brokerID int32, brokerEpoch int64) (int64, int32, error) {
	req := kmsg.NewPtrAllocateProducerIDsRequest()
	req.BrokerID, req.BrokerEpoch = brokerID, brokerEpoch
	ctx, cancel := context.WithTimeout(context.Background(), forwardTimeout)
	defer cancel()
	resp, err := f.n.toController(ctx, req)
	if err != nil {
		return 0, 0, err
	}
	r := resp.(*kmsg.AllocateProducerIDsResponse)
	if err := kerr.ErrorForCode(r.ErrorCode); err != nil {
		return 0, 0, err
	}
	return r.ProducerIDStart, r.ProducerIDLen, nil
}

// FinalizeFeature does nothing here: the active controller finalizes the
// features of this binary when it takes over (activate).
func (forwarder) FinalizeFeature(string, int16) error { return nil }

// isNotController reports an answer that means "ask the active controller".
func isNotController(resp kmsg.Response) bool {
	nc := kerr.NotController.Code
	switch r := resp.(type) {
	case *kmsg.CreateTopicsResponse:
		return len(r.Topics) > 0 && r.Topics[0].ErrorCode == nc
	case *kmsg.DeleteTopicsResponse:
		return len(r.Topics) > 0 && r.Topics[0].ErrorCode == nc
	case *kmsg.CreatePartitionsResponse:
		return len(r.Topics) > 0 && r.Topics[0].ErrorCode == nc
	case *kmsg.AlterConfigsResponse:
		return len(r.Resources) > 0 && r.Resources[0].ErrorCode == nc
	case *kmsg.IncrementalAlterConfigsResponse:
		return len(r.Resources) > 0 && r.Resources[0].ErrorCode == nc
	case *kmsg.BrokerRegistrationResponse:
		return r.ErrorCode == nc
	case *kmsg.BrokerHeartbeatResponse:
		return r.ErrorCode == nc
	case *kmsg.AllocateProducerIDsResponse:
		return r.ErrorCode == nc
	case *kmsg.DescribeQuorumResponse:
		return r.ErrorCode == nc
	case *kmsg.UnregisterBrokerResponse:
		return r.ErrorCode == nc
	case *kmsg.ControllerRegistrationResponse:
		return r.ErrorCode == nc
	case *kmsg.AddRaftVoterResponse:
		return r.ErrorCode == nc
	case *kmsg.RemoveRaftVoterResponse:
		return r.ErrorCode == nc
	case *kmsg.UpdateRaftVoterResponse:
		return r.ErrorCode == nc
	case *kmsg.UpdateFeaturesResponse:
		return r.ErrorCode == nc
	case *kmsg.ElectLeadersResponse:
		return r.ErrorCode == nc
	case *kmsg.AlterPartitionAssignmentsResponse:
		return r.ErrorCode == nc
	case *kmsg.ListPartitionReassignmentsResponse:
		return r.ErrorCode == nc
	case *kmsg.AlterPartitionResponse:
		return r.ErrorCode == nc
	case *kmsg.EnvelopeResponse:
		return r.ErrorCode == nc
	}
	return false
}

// notControllerResponse answers req with NOT_CONTROLLER everywhere.
func notControllerResponse(req kmsg.Request) kmsg.Response {
	nc := kerr.NotController.Code
	resp := req.ResponseKind()
	switch r := req.(type) {
	case *kmsg.CreateTopicsRequest:
		out := resp.(*kmsg.CreateTopicsResponse)
		for _, t := range r.Topics {
			rt := kmsg.NewCreateTopicsResponseTopic()
			rt.Topic, rt.ErrorCode = t.Topic, nc
			out.Topics = append(out.Topics, rt)
		}
	case *kmsg.DeleteTopicsRequest:
		out := resp.(*kmsg.DeleteTopicsResponse)
		for _, t := range r.Topics {
			rt := kmsg.NewDeleteTopicsResponseTopic()
			rt.Topic, rt.TopicID, rt.ErrorCode = t.Topic, t.TopicID, nc
			out.Topics = append(out.Topics, rt)
		}
		for _, name := range r.TopicNames {
			rt := kmsg.NewDeleteTopicsResponseTopic()
			rt.Topic, rt.ErrorCode = kmsg.StringPtr(name), nc
			out.Topics = append(out.Topics, rt)
		}
	case *kmsg.CreatePartitionsRequest:
		out := resp.(*kmsg.CreatePartitionsResponse)
		for _, t := range r.Topics {
			rt := kmsg.NewCreatePartitionsResponseTopic()
			rt.Topic, rt.ErrorCode = t.Topic, nc
			out.Topics = append(out.Topics, rt)
		}
	case *kmsg.AlterConfigsRequest:
		out := resp.(*kmsg.AlterConfigsResponse)
		for _, rr := range r.Resources {
			o := kmsg.NewAlterConfigsResponseResource()
			o.ResourceType, o.ResourceName, o.ErrorCode = rr.ResourceType, rr.ResourceName, nc
			out.Resources = append(out.Resources, o)
		}
	case *kmsg.IncrementalAlterConfigsRequest:
		out := resp.(*kmsg.IncrementalAlterConfigsResponse)
		for _, rr := range r.Resources {
			o := kmsg.NewIncrementalAlterConfigsResponseResource()
			o.ResourceType, o.ResourceName, o.ErrorCode = rr.ResourceType, rr.ResourceName, nc
			out.Resources = append(out.Resources, o)
		}
	case *kmsg.BrokerRegistrationRequest:
		resp.(*kmsg.BrokerRegistrationResponse).ErrorCode = nc
	case *kmsg.BrokerHeartbeatRequest:
		resp.(*kmsg.BrokerHeartbeatResponse).ErrorCode = nc
	case *kmsg.AllocateProducerIDsRequest:
		resp.(*kmsg.AllocateProducerIDsResponse).ErrorCode = nc
	case *kmsg.DescribeQuorumRequest:
		resp.(*kmsg.DescribeQuorumResponse).ErrorCode = nc
	case *kmsg.UnregisterBrokerRequest:
		resp.(*kmsg.UnregisterBrokerResponse).ErrorCode = nc
	case *kmsg.ControllerRegistrationRequest:
		resp.(*kmsg.ControllerRegistrationResponse).ErrorCode = nc
	case *kmsg.AddRaftVoterRequest:
		resp.(*kmsg.AddRaftVoterResponse).ErrorCode = nc
	case *kmsg.RemoveRaftVoterRequest:
		resp.(*kmsg.RemoveRaftVoterResponse).ErrorCode = nc
	case *kmsg.UpdateRaftVoterRequest:
		resp.(*kmsg.UpdateRaftVoterResponse).ErrorCode = nc
	case *kmsg.UpdateFeaturesRequest:
		resp.(*kmsg.UpdateFeaturesResponse).ErrorCode = nc
	case *kmsg.ElectLeadersRequest:
		resp.(*kmsg.ElectLeadersResponse).ErrorCode = nc
	case *kmsg.AlterPartitionAssignmentsRequest:
		resp.(*kmsg.AlterPartitionAssignmentsResponse).ErrorCode = nc
	case *kmsg.ListPartitionReassignmentsRequest:
		resp.(*kmsg.ListPartitionReassignmentsResponse).ErrorCode = nc
	case *kmsg.AlterPartitionRequest:
		resp.(*kmsg.AlterPartitionResponse).ErrorCode = nc
	case *kmsg.EnvelopeRequest:
		resp.(*kmsg.EnvelopeResponse).ErrorCode = nc
	default: // one error code for the whole request (the token APIs)
		return errorResponse(req, kerr.NotController)
	}
	return resp
}
