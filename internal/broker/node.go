package broker

import (
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofka/gofka/internal/config"
	"github.com/gofka/gofka/internal/controller"
	"github.com/gofka/gofka/internal/metadata"
	"github.com/gofka/gofka/internal/raft"
	"github.com/gofka/gofka/internal/replica"
	"github.com/gofka/gofka/internal/storage"
	"github.com/gofka/gofka/internal/storage/cleaner"
	"github.com/gofka/gofka/internal/wire"
)

// MetadataDir is the metadata partition's directory name, as in KRaft.
const MetadataDir = "__cluster_metadata-0"

// Options configure a node.
type Options struct {
	Config *config.Broker
	Logger *slog.Logger
	// Listener, when set, is used instead of binding the configured
	// listener (tests pass a listener on a free port).
	Listener net.Listener
	// ControllerListener, when set, is used for the controller listener
	// instead of binding it (tests of several nodes).
	ControllerListener net.Listener
	// QuorumWait bounds how long start-up waits for a metadata quorum
	// leader; 0 means two minutes.
	QuorumWait time.Duration
	// Now replaces the clock (tests).
	Now func() time.Time
}

// Node is one Gofka process: controller and broker in one.
type Node struct {
	cfg       *config.Broker
	log       *slog.Logger
	nodeID    int32
	clusterID string
	nowFn     func() time.Time
	apis      *apiIndex

	pidExpiration atomic.Pointer[expirationFor] // producer_expiry.go

	quorum     quorumView            // the voter or the observer (quorum.go)
	raftNode   *raft.Node            // the voter; nil on a broker-only node
	peers      *clientPool           // raft messages to other controllers
	fwd        *clientPool           // requests forwarded to the active controller
	brokerPeer *clientPool           // requests to other brokers' inter-broker listener (internode.go)
	brokerSec  wire.ClientSecurity   // how to reach the inter-broker listener (internode.go)
	clientTLS  []*interNodeClient    // the TLS stores of the clients of other nodes (internode.go)
	epoch      atomic.Int64          // this broker's registration epoch (lifecycle.go)
	fault      atomic.Pointer[error] // a quorum misconfiguration found at start (quorum.go)
	quorumWait time.Duration
	// incarnation tells this process's registrations from another's.
	incarnation [16]byte
	meta        *metadata.Publisher
	ctrl        *controller.Controller
	logs        *storage.Manager
	cleaner     *cleaner.Cleaner // nil unless log.cleaner.enable (cleaner.go)
	parts       partitionSet
	replicas    *replica.Manager // replication.go
	throttle    replThrottle     // replication_throttle.go
	sessions    *sessionCache
	parked      parkedSet // parked fetches (fetch_park.go)

	// Each area below owns its state type and start/close functions in
	// its own file (groups.go, shares.go, txns.go, observe.go).
	groups  groupState
	shares  shareState
	txns    txnState
	coord   coordLeadership // coordinator_leadership.go
	observe observeState
	authz   authzState // authorize.go
	// tokenCreds are the delegation tokens' SCRAM credentials (token_cache.go).
	tokenCreds tokenCreds
	quotas     quotaState // quotas.go
	// logins are the OAUTHBEARER logins of the inter-node clients, by
	// listener/mechanism (internode.go); closed after the clients.
	logins map[string]*loginMechanism

	listeners []*servedListener // listeners.go; the first is the default
	ctrlLn    net.Listener      // Options.ControllerListener
	ctrlSrv   *wire.Server      // the controller listener (quorum.go), nil for one voter
	ctrlSec   *listenerSecurity // its security, nil without one
	quit      chan struct{}
	// stopping is closed when shutdown begins, before the listeners
	// close (which waits for the requests being handled): a request
	// waiting for an ISR (awaitReplicated) ends then rather than hold the
	// shutdown up to its timeout.
	stopping chan struct{}
	wg       sync.WaitGroup
	once     sync.Once
}

// Start formats the data dirs on first use, replays the metadata journal,
// opens the logs, registers the node and starts serving.
func Start(opts Options) (*Node, error) {
	n := &Node{
		cfg:        opts.Config,
		log:        opts.Logger,
		nodeID:     opts.Config.NodeID,
		nowFn:      opts.Now,
		apis:       newAPIIndex(),
		sessions:   newSessionCache(int(opts.Config.MaxIncrementalFetchSessionCacheSlots)),
		quit:       make(chan struct{}),
		stopping:   make(chan struct{}),
		ctrlLn:     opts.ControllerListener,
		quorumWait: opts.QuorumWait,
	}
	if n.quorumWait <= 0 {
		n.quorumWait = 2 * time.Minute
	}
	_, _ = rand.Read(n.incarnation[:])
	if n.log == nil {
		n.log = slog.Default()
	}
	if n.nowFn == nil {
		n.nowFn = time.Now
	}
	if err := n.start(opts.Listener); err != nil {
		n.Close()
		return nil, err
	}
	return n, nil
}

func (n *Node) start(ln net.Listener) error {
	clusterID, err := formatDirs(n.cfg)
	if err != nil {
		return err
	}
	n.clusterID = clusterID
	if err := n.openMetadata(); err != nil {
		return err
	}
	if err := n.waitQuorum(); err != nil {
		return err
	}
	n.startAuthz()
	n.startTokenCache()
	n.startQuotas() // controllers enforce controller_mutation_rate too
	if n.ctrl != nil {
		n.goAsync(n.activeLoop)
		n.goAsync(n.registerController)
	}
	if n.cfg.HasRole("broker") {
		if err := n.startBroker(ln); err != nil {
			return err
		}
	} else {
		n.startDynamicTLS() // the controller listener and clients; a broker starts it with its listeners
	}
	n.markReady()
	n.log.Info("gofka started", "node.id", n.nodeID, "cluster.id", n.clusterID, "roles", n.cfg.ProcessRoles)
	return nil
}

// startBroker opens the logs and the broker's areas, registers with the
// active controller and serves clients.
func (n *Node) startBroker(ln net.Listener) error {
	if err := n.openLogs(); err != nil {
		return err
	}
	if err := n.startAreas(); err != nil {
		return err
	}
	if err := n.bindListeners(ln); err != nil {
		return err
	}
	n.startDynamicTLS()
	if err := n.registerAtStart(); err != nil {
		return err
	}
	n.serveListeners()
	n.goAsync(n.heartbeatLoop)
	return nil
}

// openLogs opens every partition log, then keeps the partition set in step
// with the metadata image.
func (n *Node) openLogs() error {
	mgr, err := storage.OpenManager(storage.ManagerConfig{
		Dirs:                          n.cfg.LogDirs,
		RetentionCheckInterval:        ms(n.cfg.LogRetentionCheckIntervalMs),
		RecoveryCheckpointInterval:    ms(n.cfg.LogFlushOffsetCheckpointIntervalMs),
		StartOffsetCheckpointInterval: ms(n.cfg.LogFlushStartOffsetCheckpointIntervalMs),
		FlushCheckInterval:            ms(n.cfg.LogFlushSchedulerIntervalMs),
		Logger:                        n.log,
		Now:                           n.nowFn,
		OnDirOffline:                  n.onDirOffline,
		BrokerEpoch:                   n.epoch.Load,
		RecoveryThreadsPerDir:         int(n.cfg.NumRecoveryThreadsPerDataDir),
	}, n.storageConfigFor)
	if err != nil {
		return fmt.Errorf("broker: open logs: %w", err)
	}
	n.logs = mgr
	n.replicas = n.newReplicaManager()
	n.meta.Subscribe(func(_, next *metadata.Image, d metadata.Delta) { n.reconcileDelta(next, d) })
	n.reconcile(n.meta.Current())
	n.deleteStrayLogs()
	return nil
}

// startAreas starts the node's areas once logs and metadata are open and
// before clients connect; closeAreas stops them in reverse order.
func (n *Node) startAreas() error {
	if err := n.startObserve(); err != nil {
		return err
	}
	// Eligible leader replicas (KIP-966) for a new cluster, as Kafka 4.1.
	if err := n.controller().FinalizeFeature(controller.ELRFeature, controller.MaxELRVersion); err != nil {
		return err
	}
	if err := n.startGroups(); err != nil {
		return err
	}
	if err := n.startShares(); err != nil {
		return err
	}
	if err := n.startTxns(); err != nil {
		return err
	}
	n.startCoordLeadership()
	return n.startCleaner()
}

func (n *Node) closeAreas() error {
	return errors.Join(n.closeCleaner(), n.closeTxns(), n.closeGroups(), n.closeObserve())
}

func ms(v int64) time.Duration { return time.Duration(v) * time.Millisecond }

func (n *Node) now() time.Time { return n.nowFn() }

// goAsync runs fn on a goroutine the node owns; fn must return once quit
// is closed.
func (n *Node) goAsync(fn func(quit <-chan struct{})) {
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		fn(n.quit)
	}()
}

// every calls f each interval (at least 10ms) until quit closes.
func every(quit <-chan struct{}, interval time.Duration, f func()) {
	t := time.NewTicker(max(interval, 10*time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-quit:
			return
		case <-t.C:
			f()
		}
	}
}

// ClusterID is the cluster's id from meta.properties.
func (n *Node) ClusterID() string { return n.clusterID }

// Close stops serving, waits for every goroutine, and closes the logs
// cleanly (flush, checkpoints, clean-shutdown marker) and the journal.
func (n *Node) Close() error {
	return n.shutdown(true)
}

// shutdown stops serving and every goroutine, then closes the areas, the
// logs and the quorum: cleanly (controlled shutdown first, flushes,
// checkpoints, clean-shutdown marker) or as a crash would (abort.go).
func (n *Node) shutdown(clean bool) error {
	var errs []error
	n.once.Do(func() {
		if clean {
			n.controlledShutdown()
		}
		close(n.stopping)
		errs = append(errs, n.closeListeners())
		if n.ctrlSrv != nil {
			errs = append(errs, n.ctrlSrv.Close())
		}
		close(n.quit)
		n.parked.close()
		n.wg.Wait()
		if n.replicas != nil {
			n.replicas.Close() // no fetcher appends once the logs close
		}
		errs = append(errs, n.closeFiles(clean)...)
		if n.quorum != nil {
			errs = append(errs, n.quorum.Close())
		}
		if n.peers != nil {
			n.peers.close()
		}
		if n.fwd != nil {
			n.fwd.close()
		}
		if n.brokerPeer != nil {
			n.brokerPeer.close()
		}
		n.closeLogins()
		n.log.Info("gofka stopped", "node.id", n.nodeID, "clean", clean)
	})
	return errors.Join(errs...)
}

// closeFiles closes the areas and the partition logs: with their clean
// shutdown work, or (a crash) without producer snapshots, flushes,
// checkpoints or the clean-shutdown marker.
func (n *Node) closeFiles(clean bool) []error {
	if !clean {
		errs := []error{n.closeCleaner(), n.closeGroups(), n.closeObserve()}
		if n.logs != nil {
			n.logs.Abort()
		}
		return errs
	}
	errs := []error{n.closeAreas()}
	if n.logs != nil {
		errs = append(errs, n.logs.Close())
	}
	return errs
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func rack(cfg *config.Broker) *string {
	if cfg.BrokerRack == "" {
		return nil
	}
	return &cfg.BrokerRack
}
