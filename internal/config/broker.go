package config

// Broker is the parsed static config of one node. Fields tagged `config`
// are filled from the property of that name (explicit value, else the Def
// default) by LoadBroker; the untagged fields are derived in broker_load.go.
// This struct is the one list of typed broker settings.
type Broker struct {
	Raw map[string]string // explicitly set properties (static)

	NodeID       int32    `config:"node.id"`
	ProcessRoles []string `config:"process.roles"`

	Listeners                   []Listener        // listeners
	AdvertisedListeners         []Listener        // advertised.listeners, default = listeners
	ListenerSecurityProtocolMap map[string]string // effective listener.security.protocol.map
	ControllerListenerNames     []string          // controller.listener.names
	InterBrokerListenerName     string            // inter.broker.listener.name, else from security.inter.broker.protocol
	ControllerQuorumVoters      []string          `config:"controller.quorum.voters"`
	ControllerQuorumBootstrap   []string          `config:"controller.quorum.bootstrap.servers"`
	EarlyStartListeners         []string          // early.start.listeners, default = controller listeners

	LogDirs        []string // log.dirs (else log.dir)
	MetadataLogDir string   // metadata.log.dir, default first log dir

	NumPartitions            int32  `config:"num.partitions"`
	DefaultReplicationFactor int16  `config:"default.replication.factor"`
	AutoCreateTopics         bool   `config:"auto.create.topics.enable"`
	DeleteTopicEnable        bool   `config:"delete.topic.enable"`
	BrokerRack               string `config:"broker.rack"`

	SocketRequestMaxBytes                int32  `config:"socket.request.max.bytes"`
	SocketSendBufferBytes                int32  `config:"socket.send.buffer.bytes"`
	SocketReceiveBufferBytes             int32  `config:"socket.receive.buffer.bytes"`
	SocketListenBacklogSize              int32  `config:"socket.listen.backlog.size"`
	MessageMaxBytes                      int32  `config:"message.max.bytes"`
	NumNetworkThreads                    int32  `config:"num.network.threads"`
	NumIOThreads                         int32  `config:"num.io.threads"`
	BackgroundThreads                    int32  `config:"background.threads"`
	QueuedMaxRequests                    int32  `config:"queued.max.requests"`
	QueuedMaxRequestBytes                int64  `config:"queued.max.request.bytes"`
	ConnectionsMaxIdleMs                 int64  `config:"connections.max.idle.ms"`
	MaxConnections                       int32  `config:"max.connections"`
	MaxConnectionsPerIP                  int32  `config:"max.connections.per.ip"`
	MaxConnectionsPerIPOverrides         string `config:"max.connections.per.ip.overrides"`
	MaxConnectionCreationRate            int32  `config:"max.connection.creation.rate"`
	QuotaWindowNum                       int32  `config:"quota.window.num"`
	QuotaWindowSizeSeconds               int32  `config:"quota.window.size.seconds"`
	ControllerQuotaWindowNum             int32  `config:"controller.quota.window.num"`
	ControllerQuotaWindowSizeSeconds     int32  `config:"controller.quota.window.size.seconds"`
	RequestTimeoutMs                     int32  `config:"request.timeout.ms"`
	FetchMaxBytes                        int32  `config:"fetch.max.bytes"`
	MaxRequestPartitionSizeLimit         int32  `config:"max.request.partition.size.limit"`
	MaxIncrementalFetchSessionCacheSlots int32  `config:"max.incremental.fetch.session.cache.slots"`
	FailedAuthenticationDelayMs          int32  `config:"connection.failed.authentication.delay.ms"`

	LogRetentionCheckIntervalMs             int64 `config:"log.retention.check.interval.ms"`
	LogFlushOffsetCheckpointIntervalMs      int64 `config:"log.flush.offset.checkpoint.interval.ms"`
	LogFlushStartOffsetCheckpointIntervalMs int64 `config:"log.flush.start.offset.checkpoint.interval.ms"`
	LogFlushSchedulerIntervalMs             int64 `config:"log.flush.scheduler.interval.ms"`
	NumRecoveryThreadsPerDataDir            int32 `config:"num.recovery.threads.per.data.dir"`
	LogDirFailureTimeoutMs                  int64 `config:"log.dir.failure.timeout.ms"`

	LogCleanerEnable              bool    `config:"log.cleaner.enable"`
	LogCleanerThreads             int32   `config:"log.cleaner.threads"`
	LogCleanerDedupeBufferSize    int64   `config:"log.cleaner.dedupe.buffer.size"`
	LogCleanerIOBufferSize        int32   `config:"log.cleaner.io.buffer.size"`
	LogCleanerIOBufferLoadFactor  float64 `config:"log.cleaner.io.buffer.load.factor"`
	LogCleanerIOMaxBytesPerSecond float64 `config:"log.cleaner.io.max.bytes.per.second"`
	LogCleanerBackoffMs           int64   `config:"log.cleaner.backoff.ms"`

	OffsetsTopicNumPartitions       int32 `config:"offsets.topic.num.partitions"`
	OffsetsTopicReplicationFactor   int16 `config:"offsets.topic.replication.factor"`
	OffsetsTopicSegmentBytes        int32 `config:"offsets.topic.segment.bytes"`
	OffsetsTopicCompressionCodec    int32 `config:"offsets.topic.compression.codec"`
	OffsetsLoadBufferSize           int32 `config:"offsets.load.buffer.size"`
	OffsetsRetentionMinutes         int32 `config:"offsets.retention.minutes"`
	OffsetsRetentionCheckIntervalMs int64 `config:"offsets.retention.check.interval.ms"`
	OffsetsCommitTimeoutMs          int32 `config:"offsets.commit.timeout.ms"`
	OffsetMetadataMaxBytes          int32 `config:"offset.metadata.max.bytes"`

	GroupInitialRebalanceDelayMs        int64    `config:"group.initial.rebalance.delay.ms"`
	GroupMinSessionTimeoutMs            int32    `config:"group.min.session.timeout.ms"`
	GroupMaxSessionTimeoutMs            int32    `config:"group.max.session.timeout.ms"`
	GroupMaxSize                        int32    `config:"group.max.size"`
	GroupCoordinatorRebalanceProtocols  []string `config:"group.coordinator.rebalance.protocols"`
	GroupCoordinatorAppendLingerMs      int32    `config:"group.coordinator.append.linger.ms"`
	GroupConsumerSessionTimeoutMs       int32    `config:"group.consumer.session.timeout.ms"`
	GroupConsumerMinSessionTimeoutMs    int32    `config:"group.consumer.min.session.timeout.ms"`
	GroupConsumerMaxSessionTimeoutMs    int32    `config:"group.consumer.max.session.timeout.ms"`
	GroupConsumerHeartbeatIntervalMs    int32    `config:"group.consumer.heartbeat.interval.ms"`
	GroupConsumerMinHeartbeatIntervalMs int32    `config:"group.consumer.min.heartbeat.interval.ms"`
	GroupConsumerMaxHeartbeatIntervalMs int32    `config:"group.consumer.max.heartbeat.interval.ms"`
	GroupConsumerMaxSize                int32    `config:"group.consumer.max.size"`
	GroupConsumerAssignors              []string `config:"group.consumer.assignors"`
	GroupConsumerMigrationPolicy        string   `config:"group.consumer.migration.policy"`

	GroupShareHeartbeatIntervalMs     int32  `config:"group.share.heartbeat.interval.ms"`
	GroupShareSessionTimeoutMs        int32  `config:"group.share.session.timeout.ms"`
	GroupShareMaxSize                 int32  `config:"group.share.max.size"`
	GroupShareRecordLockDurationMs    int32  `config:"group.share.record.lock.duration.ms"`
	GroupShareDeliveryCountLimit      int32  `config:"group.share.delivery.count.limit"`
	GroupSharePartitionMaxRecordLocks int32  `config:"group.share.partition.max.record.locks"`
	GroupShareMaxShareSessions        int32  `config:"group.share.max.share.sessions"`
	ShareIsolationLevel               string `config:"gofka.share.isolation.level"`
	ShareAutoOffsetReset              string `config:"gofka.share.auto.offset.reset"`
	ShareStateTopicNumPartitions      int32  `config:"share.coordinator.state.topic.num.partitions"`
	ShareStateTopicReplicationFactor  int16  `config:"share.coordinator.state.topic.replication.factor"`
	ShareStateTopicSegmentBytes       int32  `config:"share.coordinator.state.topic.segment.bytes"`
	ShareSnapshotUpdatesPerSnapshot   int32  `config:"share.coordinator.snapshot.update.records.per.snapshot"`
	ShareStateTopicPruneIntervalMs    int64  `config:"share.coordinator.state.topic.prune.interval.ms"`

	TransactionStateLogNumPartitions     int32 `config:"transaction.state.log.num.partitions"`
	TransactionStateLogReplicationFactor int16 `config:"transaction.state.log.replication.factor"`
	TransactionStateLogMinISR            int32 `config:"transaction.state.log.min.isr"`
	TransactionStateLogSegmentBytes      int32 `config:"transaction.state.log.segment.bytes"`
	TransactionStateLogLoadBufferSize    int32 `config:"transaction.state.log.load.buffer.size"`
	TransactionMaxTimeoutMs              int32 `config:"transaction.max.timeout.ms"`
	TransactionalIDExpirationMs          int32 `config:"transactional.id.expiration.ms"`
	TransactionAbortTimedOutIntervalMs   int32 `config:"transaction.abort.timed.out.transaction.cleanup.interval.ms"`
	TransactionRemoveExpiredIntervalMs   int32 `config:"transaction.remove.expired.transaction.cleanup.interval.ms"`
	TransactionPartitionVerification     bool  `config:"transaction.partition.verification.enable"`
	ProducerIDExpirationMs               int32 `config:"producer.id.expiration.ms"`
	ProducerIDExpirationCheckIntervalMs  int32 `config:"producer.id.expiration.check.interval.ms"`

	ReplicaLagTimeMaxMs                      int64  `config:"replica.lag.time.max.ms"`
	ReplicaFetchMaxBytes                     int32  `config:"replica.fetch.max.bytes"`
	ReplicaFetchMinBytes                     int32  `config:"replica.fetch.min.bytes"`
	ReplicaFetchWaitMaxMs                    int32  `config:"replica.fetch.wait.max.ms"`
	ReplicaFetchBackoffMs                    int32  `config:"replica.fetch.backoff.ms"`
	ReplicaFetchResponseMaxBytes             int32  `config:"replica.fetch.response.max.bytes"`
	ReplicaSocketTimeoutMs                   int32  `config:"replica.socket.timeout.ms"`
	ReplicaSocketReceiveBufferBytes          int32  `config:"replica.socket.receive.buffer.bytes"`
	ReplicaHighWatermarkCheckpointIntervalMs int64  `config:"replica.high.watermark.checkpoint.interval.ms"`
	NumReplicaFetchers                       int32  `config:"num.replica.fetchers"`
	ReplicaSelectorClass                     string `config:"replica.selector.class"`
	LeaderReplicationThrottledRate           int64  `config:"leader.replication.throttled.rate"`
	FollowerReplicationThrottledRate         int64  `config:"follower.replication.throttled.rate"`
	ReplicationQuotaWindowNum                int32  `config:"replication.quota.window.num"`
	ReplicationQuotaWindowSizeSeconds        int32  `config:"replication.quota.window.size.seconds"`
	AutoLeaderRebalanceEnable                bool   `config:"auto.leader.rebalance.enable"`
	LeaderImbalancePerBrokerPercentage       int32  `config:"leader.imbalance.per.broker.percentage"`
	LeaderImbalanceCheckIntervalSeconds      int64  `config:"leader.imbalance.check.interval.seconds"`
	FetchPurgatoryPurgeIntervalRequests      int32  `config:"fetch.purgatory.purge.interval.requests"`
	ProducerPurgatoryPurgeIntervalRequests   int32  `config:"producer.purgatory.purge.interval.requests"`
	DeleteRecordsPurgatoryPurgeIntervalReqs  int32  `config:"delete.records.purgatory.purge.interval.requests"`

	MetadataLogSegmentBytes                   int32 `config:"metadata.log.segment.bytes"`
	MetadataLogSegmentMs                      int64 `config:"metadata.log.segment.ms"`
	MetadataMaxRetentionBytes                 int64 `config:"metadata.max.retention.bytes"`
	MetadataMaxRetentionMs                    int64 `config:"metadata.max.retention.ms"`
	MetadataMaxIdleIntervalMs                 int32 `config:"metadata.max.idle.interval.ms"`
	MetadataLogMaxRecordBytesBetweenSnapshots int64 `config:"metadata.log.max.record.bytes.between.snapshots"`
	MetadataLogMaxSnapshotIntervalMs          int64 `config:"metadata.log.max.snapshot.interval.ms"`
	InitialBrokerRegistrationTimeoutMs        int32 `config:"initial.broker.registration.timeout.ms"`
	BrokerHeartbeatIntervalMs                 int32 `config:"broker.heartbeat.interval.ms"`
	BrokerSessionTimeoutMs                    int32 `config:"broker.session.timeout.ms"`
	QuorumElectionTimeoutMs                   int32 `config:"controller.quorum.election.timeout.ms"`
	QuorumFetchTimeoutMs                      int32 `config:"controller.quorum.fetch.timeout.ms"`
	QuorumElectionBackoffMaxMs                int32 `config:"controller.quorum.election.backoff.max.ms"`
	QuorumAppendLingerMs                      int32 `config:"controller.quorum.append.linger.ms"`
	QuorumRequestTimeoutMs                    int32 `config:"controller.quorum.request.timeout.ms"`
	QuorumRetryBackoffMs                      int32 `config:"controller.quorum.retry.backoff.ms"`

	SASLEnabledMechanisms     []string `config:"sasl.enabled.mechanisms"`
	SASLMechanismInterBroker  string   `config:"sasl.mechanism.inter.broker.protocol"`
	SASLMechanismController   string   `config:"sasl.mechanism.controller.protocol"`
	SSLClientAuth             string   `config:"ssl.client.auth"`
	AuthorizerClassName       string   `config:"authorizer.class.name"`
	SuperUsers                string   `config:"super.users"`
	AllowEveryoneIfNoACLFound bool     `config:"allow.everyone.if.no.acl.found"`
	ConnectionsMaxReauthMs    int64    `config:"connections.max.reauth.ms"`

	DelegationTokenSecretKey     string `config:"delegation.token.secret.key"`
	DelegationTokenMaxLifetimeMs int64  `config:"delegation.token.max.lifetime.ms"`
	DelegationTokenExpiryTimeMs  int64  `config:"delegation.token.expiry.time.ms"`
	DelegationTokenExpiryCheckMs int64  `config:"delegation.token.expiry.check.interval.ms"`

	GofkaMetricsListen string `config:"gofka.metrics.listen"`
	GofkaLogFormat     string `config:"gofka.log.format"`
	GofkaLogLevel      string `config:"gofka.log.level"`
	GofkaPprofEnable   bool   `config:"gofka.pprof.enable"`
	// GofkaObserverSessionTimeoutMs: observers of the metadata quorum
	// (raft.DefaultObserverTimeout).
	GofkaObserverSessionTimeoutMs int32 `config:"gofka.controller.quorum.observer.session.timeout.ms"`
}

// HasRole reports whether process.roles contains role ("broker" or "controller").
func (b *Broker) HasRole(role string) bool {
	for _, r := range b.ProcessRoles {
		if r == role {
			return true
		}
	}
	return false
}

// Get returns the static value of a broker property: the explicit value if
// set, else its default (nil when the default is null or the name unknown).
func (b *Broker) Get(name string) *string {
	if v, ok := b.Raw[name]; ok {
		return &v
	}
	if d, ok := Lookup(name); ok {
		return d.Default
	}
	return nil
}

// The replica.selector.class values Gofka knows: Kafka's two selectors
// (KIP-392).
const (
	ReplicaSelectorLeader    = "org.apache.kafka.common.replica.LeaderSelector"
	ReplicaSelectorRackAware = "org.apache.kafka.common.replica.RackAwareReplicaSelector"
)
