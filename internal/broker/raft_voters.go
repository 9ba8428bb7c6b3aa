package broker

// AddRaftVoter (v0-1), RemoveRaftVoter (v0) and UpdateRaftVoter (v0):
// KIP-853 voter changes, one at a time, as etcd raft configuration changes
// committed by the quorum (the new voter set is a VotersRecord in the
// metadata log). A broker forwards them to the active controller. A voter
// being added should be a running controller formatted for this cluster
// without initial voters: it joins as a learner, catches up from a
// snapshot, and becomes a voter only once caught up (REQUEST_TIMED_OUT if
// it has not by the request's timeout; it stays a learner). A removed voter goes on following the log as an observer (a raft learner)
// and can be added back; one that stops answering for the observer session
// timeout is sent only a heartbeat now and then (internal/raft/observers.go).

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/gofka/gofka/internal/raft"
	"github.com/gofka/gofka/internal/wire"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// voterChangeTimeout bounds a voter change when the request sets none.
const voterChangeTimeout = 30 * time.Second

func (n *Node) handleAddRaftVoter(req *wire.Request, reply wire.Reply) {
	if n.forwarded(req, reply) {
		return
	}
	r := req.Msg.(*kmsg.AddRaftVoterRequest)
	resp := r.ResponseKind().(*kmsg.AddRaftVoterResponse)
	resp.SetVersion(req.Version)
	v, code := n.voterFromRequest(r.ClusterID, r.VoterID, r.VoterDirectoryID, r.Listeners)
	if code == nil && n.isVoter(r.VoterID) {
		code = kerr.DuplicateVoter
	}
	if code == nil {
		code = n.changeVoters(r.TimeoutMillis, func(ctx context.Context) error { return n.raftNode.AddVoter(ctx, v) })
	}
	setVoterError(&resp.ErrorCode, &resp.ErrorMessage, code)
	reply.Send(resp)
}

func (n *Node) handleRemoveRaftVoter(req *wire.Request, reply wire.Reply) {
	if n.forwarded(req, reply) {
		return
	}
	r := req.Msg.(*kmsg.RemoveRaftVoterRequest)
	resp := r.ResponseKind().(*kmsg.RemoveRaftVoterResponse)
	resp.SetVersion(req.Version)
	code := n.checkCluster(r.ClusterID)
	if code == nil && !n.isVoterKey(r.VoterID, r.VoterDirectoryID) {
		code = kerr.VoterNotFound
	}
	if code == nil {
		code = n.changeVoters(0, func(ctx context.Context) error { return n.raftNode.RemoveVoter(ctx, r.VoterID) })
	}
	setVoterError(&resp.ErrorCode, &resp.ErrorMessage, code)
	reply.Send(resp)
}

func (n *Node) handleUpdateRaftVoter(req *wire.Request, reply wire.Reply) {
	if n.forwarded(req, reply) {
		return
	}
	r := req.Msg.(*kmsg.UpdateRaftVoterRequest)
	resp := r.ResponseKind().(*kmsg.UpdateRaftVoterResponse)
	resp.SetVersion(req.Version)
	var ls []kmsg.AddRaftVoterRequestListener
	for _, l := range r.Listeners {
		ls = append(ls, kmsg.AddRaftVoterRequestListener{Name: l.Name, Host: l.Host, Port: l.Port})
	}
	v, code := n.voterFromRequest(r.ClusterID, r.VoterID, r.VoterDirectoryID, ls)
	if code == nil && !n.isVoterKey(r.VoterID, r.VoterDirectoryID) {
		code = kerr.VoterNotFound
	}
	if code == nil {
		code = n.changeVoters(0, func(ctx context.Context) error { return n.raftNode.UpdateVoter(ctx, v) })
	}
	if code != nil {
		resp.ErrorCode = code.Code
	}
	reply.Send(resp)
}

// voterFromRequest checks the cluster id and takes the voter's endpoint on
// the controller listener.
func (n *Node) voterFromRequest(cluster *string, id int32, dir [16]byte, ls []kmsg.AddRaftVoterRequestListener) (raft.Voter, *kerr.Error) {
	if code := n.checkCluster(cluster); code != nil {
		return raft.Voter{}, code
	}
	i := slices.IndexFunc(ls, func(l kmsg.AddRaftVoterRequestListener) bool {
		return slices.Contains(n.cfg.ControllerListenerNames, l.Name)
	})
	if id < 0 || i < 0 {
		return raft.Voter{}, kerr.InvalidRequest
	}
	return raft.Voter{ID: id, Listener: ls[i].Name, Host: ls[i].Host, Port: ls[i].Port, DirectoryID: dir}, nil
}

func (n *Node) checkCluster(cluster *string) *kerr.Error {
	if cluster != nil && *cluster != n.clusterID {
		return kerr.InconsistentClusterID
	}
	return nil
}

func (n *Node) isVoter(id int32) bool {
	return slices.ContainsFunc(n.quorum.Status().Voters, func(v raft.Voter) bool { return v.ID == id })
}

// isVoterKey reports whether voter id has directory id dir, KIP-853's
// voter key. A zero id on either side (a static quorum's voter, a request
// without one) matches any.
func (n *Node) isVoterKey(id int32, dir [16]byte) bool {
	return slices.ContainsFunc(n.quorum.Status().Voters, func(v raft.Voter) bool {
		return v.ID == id && (v.DirectoryID == [16]byte{} || dir == [16]byte{} || v.DirectoryID == dir)
	})
}

// changeVoters runs one voter change under a timeout.
func (n *Node) changeVoters(timeoutMs int32, change func(context.Context) error) *kerr.Error {
	timeout := voterChangeTimeout
	if timeoutMs > 0 {
		timeout = time.Duration(timeoutMs) * time.Millisecond
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	switch err := change(ctx); {
	case err == nil:
		return nil
	case ctx.Err() != nil, errors.Is(err, raft.ErrNotCaughtUp):
		return kerr.RequestTimedOut
	case isNotControllerErr(err):
		return kerr.NotController
	default:
		n.log.Warn("voter change", "err", err)
		return kerr.InvalidRequest
	}
}

func setVoterError(code *int16, msg **string, err *kerr.Error) {
	if err != nil {
		*code, *msg = err.Code, kmsg.StringPtr(err.Description)
	}
}
