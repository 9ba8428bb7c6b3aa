package broker

// The metadata quorum (internal/raft) as the node runs it: a one-voter
// quorum for a single node, controller.quorum.voters otherwise. Raft
// messages between controllers arrive as GofkaRaftMessage requests (key
// raft.MessageKey), served on every listener but never advertised in
// ApiVersions.

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofka/gofka/internal/config"
	"github.com/gofka/gofka/internal/controller"
	"github.com/gofka/gofka/internal/metadata"
	"github.com/gofka/gofka/internal/raft"
	"github.com/gofka/gofka/internal/storage/checkpoint"
	"github.com/gofka/gofka/internal/wire"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
	"go.etcd.io/raft/v3/raftpb"
)

// quorumTick is the raft clock; election and heartbeat times are whole ticks.
const quorumTick = 50 * time.Millisecond

// quorumView is what the node reads of the metadata quorum: a voter's
// raft.Node on a controller, a raft.Observer on a broker-only node.
type quorumView interface {
	Status() *raft.Status
	WaitLeader(ctx context.Context) error
	Close() error
}

// openMetadata starts following the metadata: a voter of the quorum (and
// the controller on top of it) when this node is a controller, an
// observer otherwise.
func (n *Node) openMetadata() error {
	n.meta = metadata.NewPublisher(metadata.Empty().WithClusterID(n.clusterID))
	ctrl, err := n.interNodeSecurity(controllerClientSecurity(n.cfg, n.logTLSReload))
	if err != nil {
		return err
	}
	n.peers = newClientPool(fmt.Sprintf("gofka-raft-%d", n.nodeID), ctrl.sec)
	n.fwd = newClientPool(fmt.Sprintf("gofka-broker-%d", n.nodeID), ctrl.sec)
	if n.cfg.HasRole("broker") {
		brokers, err := n.interNodeSecurity(interBrokerClientSecurity(n.cfg, n.logTLSReload))
		if err != nil {
			return err
		}
		n.brokerSec = brokers.sec
		n.brokerPeer = newClientPool(fmt.Sprintf("gofka-broker-%d", n.nodeID), brokers.sec)
	}
	if !n.cfg.HasRole("controller") {
		return n.openObserver()
	}
	return n.openVoter()
}

// openObserver follows the committed log from the controllers.
func (n *Node) openObserver() error {
	var seeds []string
	voters, err := quorumVoters(n.cfg)
	if err != nil {
		return err
	}
	if len(n.cfg.ControllerQuorumVoters) > 0 {
		for _, v := range voters {
			seeds = append(seeds, v.Addr())
		}
	}
	seeds = append(seeds, n.cfg.ControllerQuorumBootstrap...)
	if len(seeds) == 0 {
		return errors.New("broker: a broker-only node needs controller.quorum.voters or controller.quorum.bootstrap.servers")
	}
	n.quorum = raft.StartObserver(raft.ObserverConfig{
		NodeID: n.nodeID, ClusterID: n.clusterID, Controllers: seeds, DirectoryID: MetadataDirID(n.cfg),
		SM:    &metadata.Machine{Pub: n.meta, ClusterID: n.clusterID},
		Fetch: n.fetchMetadata, Logger: n.log.With("component", "observer"),
	})
	return nil
}

// MetadataDirID is the directory.id of the metadata log dir (zero when
// its meta.properties has none).
func MetadataDirID(cfg *config.Broker) [16]byte {
	mp, err := checkpoint.ReadMetaProperties(filepath.Join(cfg.MetadataLogDir, "meta.properties"))
	if err != nil {
		return [16]byte{}
	}
	return [16]byte(mp.DirectoryID)
}

// fetchMetadata sends one GofkaMetadataFetch to a controller.
func (n *Node) fetchMetadata(ctx context.Context, addr string, req *raft.FetchRequest) (*raft.FetchResponse, error) {
	resp, err := n.peers.client(addr).Request(ctx, req)
	if err != nil {
		return nil, err
	}
	r := resp.(*raft.FetchResponse)
	if r.ErrorCode == kerr.InconsistentClusterID.Code {
		n.quorumFault(fmt.Errorf("broker: controller %s belongs to another cluster than this node's %s", addr, n.clusterID))
	}
	return r, nil
}

// handleMetadataFetch answers an observer with committed entries.
func (n *Node) handleMetadataFetch(req *wire.Request, reply wire.Reply) {
	r := req.Msg.(*raft.FetchRequest)
	if r.ClusterID != n.clusterID {
		reply.Send(&raft.FetchResponse{ErrorCode: kerr.InconsistentClusterID.Code})
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	resp, err := n.raftNode.Committed(ctx, r)
	if err != nil {
		resp = &raft.FetchResponse{ErrorCode: kerr.UnknownServerError.Code}
	}
	reply.Send(resp)
}

// openVoter starts the quorum member on the metadata log dir (after
// upgrading a local journal in place) and the controller on top of it.
func (n *Node) openVoter() error {
	dir := filepath.Join(n.cfg.MetadataLogDir, MetadataDir)
	voters, err := quorumVoters(n.cfg)
	if err != nil {
		return err
	}
	boot, bootEnd, err := upgradeJournal(dir)
	if err != nil {
		return err
	}
	q, err := raft.Start(raft.Config{
		NodeID: n.nodeID, Dir: dir, ClusterID: n.clusterID, Voters: voters,
		Bootstrap: boot, BootstrapEnd: bootEnd, Tick: quorumTick,
		ElectionTimeout:   ms(int64(n.cfg.QuorumElectionTimeoutMs)),
		HeartbeatInterval: quorumTick,
		SnapshotBytes:     n.cfg.MetadataLogMaxRecordBytesBetweenSnapshots,
		SnapshotInterval:  ms(n.cfg.MetadataLogMaxSnapshotIntervalMs),
		ObserverTimeout:   n.observerTimeout(),
		SM:                &metadata.Machine{Pub: n.meta, ClusterID: n.clusterID},
		Send:              n.sendRaft,
		Logger:            n.log.With("component", "raft"),
	})
	if err != nil {
		return fmt.Errorf("broker: open metadata quorum: %w", err)
	}
	n.quorum, n.raftNode = q, q
	n.ctrl = controller.New(q, n.meta, n.cfg, n.log)
	bootRecs, err := raft.ReadBootstrapRecords(n.cfg.MetadataLogDir)
	if err != nil {
		return fmt.Errorf("broker: %w", err)
	}
	n.ctrl.SetBootstrapRecords(bootRecs)
	if err := n.serveControllerListener(); err != nil {
		return err
	}
	if boot != nil {
		if err := os.Remove(filepath.Join(dir, journalFile)); err != nil {
			return fmt.Errorf("broker: remove upgraded journal: %w", err)
		}
		n.log.Info("metadata journal upgraded to the metadata log", "records", len(boot))
	}
	return nil
}

// journalFile is the local metadata journal of Gofka before the quorum.
const journalFile = "journal"

// upgradeJournal reads the local journal a single-node Gofka wrote before
// the quorum existed, when the directory has no snapshot yet, and returns
// its image as records for the quorum's first snapshot.
func upgradeJournal(dir string) ([]metadata.Record, int64, error) {
	if _, err := os.Stat(filepath.Join(dir, journalFile)); errors.Is(err, os.ErrNotExist) {
		return nil, 0, nil
	}
	if snaps, _ := filepath.Glob(filepath.Join(dir, "*.checkpoint")); len(snaps) > 0 {
		return nil, 0, nil // upgraded already; the journal's removal was cut short
	}
	img := metadata.Empty()
	j, err := metadata.OpenFileJournal(dir, func(off int64, recs []metadata.Record) error {
		next, err := img.Apply(off, recs)
		img = next
		return err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("broker: upgrade metadata journal: %w", err)
	}
	if err := j.Close(); err != nil {
		return nil, 0, err
	}
	return img.Records(), img.Offset + 1, nil
}

// quorumVoters parses controller.quorum.voters ("id@host:port,..."); with
// none set, this node is the only voter.
func quorumVoters(cfg *config.Broker) ([]raft.Voter, error) {
	listener := "CONTROLLER"
	if len(cfg.ControllerListenerNames) > 0 {
		listener = cfg.ControllerListenerNames[0]
	}
	switch {
	case len(cfg.ControllerQuorumVoters) == 0 && len(cfg.ControllerQuorumBootstrap) > 0:
		// A dynamic quorum: the voters come from gofka format's snapshot
		// (--standalone, --initial-controllers); without one this node
		// joins and waits to be added (AddRaftVoter).
		return nil, nil
	case len(cfg.ControllerQuorumVoters) == 0:
		return []raft.Voter{{ID: cfg.NodeID, Listener: listener, Host: "localhost"}}, nil
	}
	var out []raft.Voter
	for _, s := range cfg.ControllerQuorumVoters {
		v, err := parseVoter(strings.TrimSpace(s), listener)
		if err != nil {
			return nil, fmt.Errorf("broker: controller.quorum.voters: %w", err)
		}
		out = append(out, v)
	}
	return out, nil
}

// ParseVoters parses Kafka's voter lists: controller.quorum.voters
// ("id@host:port,...") and kafka-storage.sh's --initial-controllers
// ("id@host:port:directoryid,...", the voter's metadata dir directory.id).
func ParseVoters(list, listener string) ([]raft.Voter, error) {
	var out []raft.Voter
	for _, s := range strings.Split(list, ",") {
		s = strings.TrimSpace(s)
		var dir string
		if id, rest, ok := strings.Cut(s, "@"); ok && strings.Count(rest, ":") == 2 {
			i := strings.LastIndex(rest, ":")
			s, dir = id+"@"+rest[:i], rest[i+1:]
		}
		v, err := parseVoter(s, listener)
		if err != nil {
			return nil, err
		}
		if dir != "" {
			u, err := checkpoint.ParseUUID(dir)
			if err != nil {
				return nil, fmt.Errorf("voter %d: directory id %q: %w", v.ID, dir, err)
			}
			v.DirectoryID = [16]byte(u)
		}
		out = append(out, v)
	}
	return out, nil
}

func parseVoter(s, listener string) (raft.Voter, error) {
	id, addr, ok := strings.Cut(s, "@")
	host, port, err := net.SplitHostPort(addr)
	nid, err1 := strconv.ParseInt(id, 10, 32)
	p, err2 := strconv.ParseUint(port, 10, 16)
	if !ok || errors.Join(err, err1, err2) != nil || nid < 0 {
		return raft.Voter{}, fmt.Errorf("%q is not id@host:port", s)
	}
	return raft.Voter{ID: int32(nid), Listener: listener, Host: host, Port: uint16(p)}, nil
}

// controllerServer serves the controller listener: raft messages between
// controllers, and the requests brokers send the active controller. It
// starts with the quorum, before the broker listener. A controller that is
// not active answers NOT_CONTROLLER and never forwards. Connections are
// secured by the listener's security protocol, and the requests only
// nodes send need ClusterAction on the cluster (nodeAPIs).
type controllerServer struct{ n *Node }

// envelopeKey is Envelope (KIP-590), served on the controller listener only.
const envelopeKey = 58

// controllerAPIs are served on the controller listener.
var controllerAPIs = map[int16]func(*Node, *wire.Request, wire.Reply){
	raft.MessageKey:     (*Node).handleRaftMessage,
	raft.FetchKey:       (*Node).handleMetadataFetch,
	saslHandshakeKey:    (*Node).handleSaslHandshake,
	saslAuthenticateKey: (*Node).handleSaslAuthenticate,
	19:                  (*Node).handleCreateTopics,
	32:                  (*Node).handleDescribeConfigs,
	20:                  (*Node).handleDeleteTopics,
	33:                  (*Node).handleAlterConfigs,
	37:                  (*Node).handleCreatePartitions,
	43:                  (*Node).handleElectLeaders,
	44:                  (*Node).handleIncrementalAlterConfigs,
	45:                  (*Node).handleAlterPartitionAssignments,
	46:                  (*Node).handleListPartitionReassignments,
	55:                  (*Node).handleDescribeQuorum,
	56:                  (*Node).handleAlterPartition,
	57:                  (*Node).handleUpdateFeatures,
	envelopeKey:         (*Node).handleEnvelope,
	60:                  (*Node).handleControllerDescribeCluster,
	62:                  (*Node).handleBrokerRegistration,
	63:                  (*Node).handleBrokerHeartbeat,
	64:                  (*Node).handleUnregisterBroker,
	67:                  (*Node).handleAllocateProducerIDs,
	70:                  (*Node).handleControllerRegistration,
	80:                  (*Node).handleAddRaftVoter,
	81:                  (*Node).handleRemoveRaftVoter,
	82:                  (*Node).handleUpdateRaftVoter,
}

// controllerOnlyVersions are the version ranges of the controller's own
// APIs that Kafka 4.x narrows (KIP-896).
var controllerOnlyVersions = map[int16][2]int16{56: {2, 3}}

// anyController are the controller listener's APIs that need not reach
// the active controller.
// DescribeConfigs among them: Kafka's admin client asks a node for its own
// BROKER configs (KIP-919).
var anyController = map[int16]bool{raft.MessageKey: true, raft.FetchKey: true, apiVersionsKey: true, 60: true,
	saslHandshakeKey: true, saslAuthenticateKey: true, 32: true}

// nodeAPIs are the controller listener's APIs only nodes send: they need
// ClusterAction on the cluster, as Kafka's ControllerApis checks
// (CLUSTER_AUTHORIZATION_FAILED otherwise), AlterPartition (56)
// included.
var nodeAPIs = map[int16]bool{raft.MessageKey: true, raft.FetchKey: true, envelopeKey: true,
	56: true, 62: true, 63: true, 67: true, 70: true}

// handleControllerApiVersions lists the controller listener's Kafka APIs.
func (n *Node) handleControllerApiVersions(req *wire.Request, reply wire.Reply) {
	resp := kmsg.NewPtrApiVersionsResponse()
	s := controllerServer{n}
	for _, key := range append([]int16{apiVersionsKey}, slices.Sorted(maps.Keys(controllerAPIs))...) {
		if lo, hi, ok := s.Versions(key); ok && key < wire.PrivateKeyBase && (!req.Unsupported || key == req.Key) {
			resp.ApiKeys = append(resp.ApiKeys, kmsg.ApiVersionsResponseApiKey{ApiKey: key, MinVersion: lo, MaxVersion: hi})
		}
	}
	if req.Unsupported {
		resp.ErrorCode = kerr.UnsupportedVersion.Code
		reply.SendVersion(resp, 0)
		return
	}
	resp.SetVersion(req.Version)
	reply.Send(resp)
}

// Versions implements wire.Handler: the broker's ranges for the APIs
// brokers serve too, every version kmsg knows for the controller's own.
func (s controllerServer) Versions(key int16) (int16, int16, bool) {
	if _, ok := controllerAPIs[key]; !ok && key != apiVersionsKey {
		return 0, 0, false
	}
	if a := s.n.apis.lookup(key); a != nil {
		return a.min, a.max, true
	}
	if r, ok := controllerOnlyVersions[key]; ok {
		return r[0], r[1], true
	}
	if key >= wire.PrivateKeyBase {
		return 0, 0, true
	}
	return 0, kmsg.RequestForKey(key).MaxVersion(), true
}

// Handle implements wire.Handler: the SASL gate, then authorization,
// then the active controller's check.
func (s controllerServer) Handle(req *wire.Request, reply wire.Reply) {
	n := s.n
	if !n.admitSASL(req, reply) {
		return
	}
	switch req.Key {
	case apiVersionsKey:
		n.handleControllerApiVersions(req, reply)
		return
	case saslHandshakeKey, saslAuthenticateKey:
		controllerAPIs[req.Key](n, req, reply)
		return
	}
	if n.controllerRefused(req, reply) {
		return
	}
	if !anyController[req.Key] && !n.active() {
		resp := notControllerResponse(req.Msg)
		resp.SetVersion(req.Version)
		reply.Send(resp)
		return
	}
	controllerAPIs[req.Key](n, req, reply)
}

// controllerRefused answers a request its principal may not send: the
// nodes' APIs without ClusterAction, then the whole-request checks every
// listener makes (refuse.go).
func (n *Node) controllerRefused(req *wire.Request, reply wire.Reply) bool {
	if nodeAPIs[req.Key] && !n.authorizeCluster(req, opClusterAction) {
		n.log.Info("refused an inter-node request", "principal", sessionOf(req.Conn).principal.String(),
			"remote", hostOf(req.Conn), "api_key", req.Key)
		reply.Send(errorResponse(req.Msg, kerr.ClusterAuthorizationFailed))
		return true
	}
	return n.refused(req, reply)
}

// serveControllerListener binds the controller listener, when listeners
// has one, and serves the controller's APIs on it. A voter of several
// without one is refused: its peers could not reach it.
func (n *Node) serveControllerListener() error {
	l, ok := controllerListener(n.cfg)
	if !ok {
		voters := n.quorum.Status().Voters
		if len(voters) > 1 && slices.ContainsFunc(voters, func(v raft.Voter) bool { return v.ID == n.nodeID }) {
			return fmt.Errorf("broker: node %d is a voter of the metadata quorum but listeners has no controller listener (controller.listener.names=%s)",
				n.nodeID, strings.Join(n.cfg.ControllerListenerNames, ","))
		}
		return nil
	}
	sec, err := n.newListenerSecurity(l)
	if err != nil {
		return err
	}
	ln := n.ctrlLn
	if ln == nil {
		if ln, err = net.Listen("tcp", net.JoinHostPort(l.Host, strconv.Itoa(l.Port))); err != nil {
			return fmt.Errorf("broker: listen on the controller listener: %w", err)
		}
	}
	n.ctrlSec = sec
	idle := time.Duration(n.cfg.ConnectionsMaxIdleMs) * time.Millisecond
	n.ctrlSrv = wire.NewServer(wire.Config{MaxRequestBytes: n.cfg.SocketRequestMaxBytes, Logger: n.log,
		ListenerName: l.Name, TLS: sec.tlsConfig(), HandshakeTimeout: handshakeTimeout(idle),
		OnConnect: sec.onConnect, RecvBuffer: int(n.cfg.SocketReceiveBufferBytes),
		SendBuffer: int(n.cfg.SocketSendBufferBytes)}, controllerServer{n})
	n.log.Info("serving the controller listener", "listener", l.Name, "security.protocol", l.SecurityProtocol, "addr", ln.Addr().String())
	n.goAsync(func(<-chan struct{}) {
		if err := n.ctrlSrv.Serve(ln); err != nil {
			n.log.Error("controller listener stopped", "err", err)
		}
	})
	return nil
}

func controllerListener(cfg *config.Broker) (config.Listener, bool) {
	for _, l := range cfg.Listeners {
		if contains(cfg.ControllerListenerNames, l.Name) {
			return l, true
		}
	}
	return config.Listener{}, false
}

// handleRaftMessage steps raft messages from another controller.
func (n *Node) handleRaftMessage(req *wire.Request, reply wire.Reply) {
	r := req.Msg.(*raft.MessageRequest)
	resp := r.ResponseKind().(*raft.MessageResponse)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := n.raftNode.Step(ctx, r.ClusterID, r.Messages); err != nil {
		resp.ErrorCode = kerr.InconsistentClusterID.Code
	}
	reply.Send(resp)
}

// sendRaft sends raft messages to another controller.
func (n *Node) sendRaft(ctx context.Context, to raft.Voter, msgs []raftpb.Message) error {
	resp, err := n.peers.client(to.Addr()).Request(ctx, &raft.MessageRequest{ClusterID: n.clusterID, Messages: msgs})
	if err != nil {
		return err
	}
	if code := resp.(*raft.MessageResponse).ErrorCode; code != 0 {
		err := kerr.ErrorForCode(code)
		if code == kerr.InconsistentClusterID.Code {
			n.quorumFault(fmt.Errorf("broker: controller %d at %s belongs to another cluster than this node's %s: %w",
				to.ID, to.Addr(), n.clusterID, err))
		}
		return err
	}
	return nil
}

// quorumFault records a configuration error that stops start-up.
func (n *Node) quorumFault(err error) {
	if n.fault.CompareAndSwap(nil, &err) {
		n.log.Error("metadata quorum", "err", err)
	}
}

// waitQuorum waits for the quorum to have a leader (at once for one
// voter), at most Options.QuorumWait; a peer of another cluster stops it
// at once.
func (n *Node) waitQuorum() error {
	deadline := time.Now().Add(n.quorumWait)
	for {
		if f := n.fault.Load(); f != nil {
			return *f
		}
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		err := n.quorum.WaitLeader(ctx)
		cancel()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("broker: no metadata quorum leader after %v among voters %s: are they running and reachable?",
				n.quorumWait, voterList(n.quorum.Status().Voters))
		}
	}
}

func voterList(vs []raft.Voter) string {
	var out []string
	for _, v := range vs {
		out = append(out, fmt.Sprintf("%d@%s", v.ID, v.Addr()))
	}
	return strings.Join(out, ",")
}

// QuorumLeader is the node id of the metadata quorum's leader as this node
// knows it, or -1.
func (n *Node) QuorumLeader() int32 { return n.quorum.Status().Leader }
