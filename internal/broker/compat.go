package broker

import (
	"bytes"
	"fmt"
	"sort"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// apiNotes says, per served API key, what the implementation covers beyond
// the version range. The compatibility doc is generated from this and the
// API table, so it cannot drift from what ApiVersions advertises.
var apiNotes = map[int16]string{
	0:  "acks 0/1/-1: -1 waits until the ISR has the batch (the high watermark passes it) within the request timeout, NOT_ENOUGH_REPLICAS before the append and NOT_ENOUGH_REPLICAS_AFTER_APPEND after it by min.insync.replicas, REQUEST_TIMED_OUT; NOT_LEADER_OR_FOLLOWER on a follower; CreateTime and LogAppendTime; max.message.bytes; timestamp bounds with per-record errors (KIP-467); gzip/snappy/lz4/zstd; topic compression.type recompresses; v13 topic ids. Idempotent producers: sequence checks over the last 5 batches per producer, retried batches answered with their original offsets, OUT_OF_ORDER_SEQUENCE_NUMBER, INVALID_PRODUCER_EPOCH, UNKNOWN_PRODUCER_ID for ids never allocated, KIP-360 epoch bumps; producer state snapshotted in Kafka's .snapshot format; producer ids without an open transaction expire after producer.id.expiration.ms (checked every producer.id.expiration.check.interval.ms and when a partition loads). Transactional batches verified with the coordinator (transaction.partition.verification.enable); v12+ adds the partition implicitly (KIP-890 transactions v2). Quotas: producer_byte_rate and request_percentage set ThrottleMillis and mute the connection for it (KIP-219).",
	1:  "long poll (MaxWaitMillis/MinBytes), MaxBytes and partition max bytes with KIP-74, read_committed bounded by the LSO, KIP-227 incremental sessions, v13+ topic ids, records sent with sendfile(2). Followers (ReplicaId, or ReplicaState with the broker epoch from v15) read up to the log end and report their log end offset with the fetch offset, which moves the ISR and the high watermark; DivergingEpoch (v12+, KIP-320) when a follower's last fetched epoch ends before its fetch offset; CurrentLeader (KIP-951) with NOT_LEADER_OR_FOLLOWER and FENCED/UNKNOWN_LEADER_EPOCH. A consumer may read a follower from v11 (KIP-392), up to its high watermark (no records past it, OFFSET_OUT_OF_RANGE past its log end); before v11 only the leader. With replica.selector.class=org.apache.kafka.common.replica.RackAwareReplicaSelector the leader answers a consumer whose RackID (client.rack) names a follower's rack with PreferredReadReplica, the most caught-up in-sync replica there holding the fetch offset, and no records; PreferredReadReplica is -1 otherwise. Replication throttles (KIP-73): a leader over leader.replication.throttled.rate sends no records of its throttled partitions to followers out of the ISR. Quotas: consumer_byte_rate caps MaxBytes to one quota window and answers an over-quota fetch empty with ThrottleMillis, then mutes the connection.",
	2:  "earliest, latest, max timestamp (KIP-734), earliest local; by timestamp to the record; isolation level; leader epoch checks; a new leader whose high watermark is below the start of its epoch answers latest with OFFSET_NOT_AVAILABLE (v5+, LEADER_NOT_AVAILABLE before) until its followers catch up; the leader only (NOT_LEADER_OR_FOLLOWER), except for the debugging replica id -2; a follower's latest is the leader's log end offset.",
	3:  "all/named/by-id topics, auto.create.topics.enable, authorized operations (everything is allowed without an authorizer).",
	17: "v1 (tokens in SaslAuthenticate) and v0 (bare size-prefixed tokens after the handshake, as kafka-python sends them); PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 and OAUTHBEARER; GSSAPI is not supported. ILLEGAL_SASL_STATE on a listener without SASL.",
	36: "session lifetime and re-authentication (KIP-368, connections.max.reauth.ms); failures answered after connection.failed.authentication.delay.ms, then the connection is closed on its next request.",
	29: "filters by resource type, name, pattern (ANY, MATCH, LITERAL, PREFIXED), principal, host, operation and permission; needs Describe on the cluster.",
	30: "ACLs stored as AccessControlEntryRecord; INVALID_REQUEST for invalid bindings as Kafka's AclControlManager; needs Alter on the cluster; brokers forward it to the active controller.",
	31: "removes every ACL a filter matches and reports them; needs Alter on the cluster; brokers forward it to the active controller.",
	38: "needs delegation.token.secret.key (else DELEGATION_TOKEN_AUTH_DISABLED); owner other than the requester (v3, KIP-373) needs CreateTokens on the User; renewers must be User principals (INVALID_PRINCIPAL_TYPE); max lifetime capped by delegation.token.max.lifetime.ms, expiry by delegation.token.expiry.time.ms; stored as DelegationTokenRecord by the active controller; HMAC is HmacSHA512 of the token id under the secret key. Refused (DELEGATION_TOKEN_REQUEST_NOT_ALLOWED) on PLAINTEXT listeners, SSL without a client certificate and connections authenticated by a token.",
	39: "owner or renewers only (DELEGATION_TOKEN_OWNER_MISMATCH); DELEGATION_TOKEN_NOT_FOUND, DELEGATION_TOKEN_EXPIRED; the renew period is capped by delegation.token.expiry.time.ms and the token's max timestamp.",
	40: "owner or renewers only; a negative period removes the token at once (RemoveDelegationTokenRecord); expired tokens are removed by the active controller every delegation.token.expiry.check.interval.ms and stop authenticating at their expiry.",
	41: "owners filter (null for all, empty for none); a principal sees the tokens it owns, requested or may renew, and others' with Describe on the DELEGATION_TOKEN or DescribeTokens on the owner User.",
	50: "mechanisms and iterations of SCRAM credentials stored as metadata records (KIP-554).",
	51: "iterations 4096-16384; credentials stored as UserScramCredentialRecord; DUPLICATE_RESOURCE, RESOURCE_NOT_FOUND, UNACCEPTABLE_CREDENTIAL as Kafka; brokers forward it to the active controller.",
	18: "KIP-511 fallback to v0 for unknown versions; supported features (metadata.version 7-25, transaction.version 0-2, group.version 0-1, share.version 0-1, eligible.leader.replicas.version 0-1; those with minimum 0 left out below v4, KAFKA-17492) and the finalized levels of the metadata image with its offset as the epoch; v5 cluster/node id check (KIP-1242).",
	57: "ALTER on the cluster; answered by the active controller (brokers forward it); as Kafka's FeatureControlManager: validateOnly, UPGRADE, SAFE_DOWNGRADE and UNSAFE_DOWNGRADE (v0's AllowDowngrade is a safe one); INVALID_UPDATE_VERSION with Kafka's messages for levels out of range, unknown features, downgrades without a downgrade type, metadata.version downgrades across a metadata format change; one FeatureLevelRecord per feature, all or nothing; v0-1 per-feature results, v2 top-level error only. kraft.version is not served; eligible.leader.replicas.version=1 (finalized for new clusters) turns on KIP-966 eligible leader replicas in the controller; other levels are recorded and reported.",
	19: "validateOnly, configs, manual assignments, defaults (-1); configs reported back (v5+). controller_mutation_rate (KIP-599): THROTTLING_QUOTA_EXCEEDED from v6, throttle time in the response.",
	20: "by name or id (v6+); delete.topic.enable. controller_mutation_rate (KIP-599): THROTTLING_QUOTA_EXCEEDED from v5.",
	21: "offset -1 means the high watermark; deletes whole segments below the new start.",
	23: "from the leader epoch cache (leader-epoch-checkpoint), on the leader only; a new leader records its epoch at its log end when it takes over, and followers truncate by it before fetching (KIP-101, KIP-279).",
	32: "topic, broker, cluster-default and group (share-group configs, KIP-932) resources; sources, synonyms, documentation and types as Kafka reports them.",
	33: "topic, broker and group resources; replaces the resource's dynamic config.",
	34: "moves a partition to another of the node's log dirs while the node keeps serving: the partition keeps serving while it is copied in the background as <topic>-<partition>-future (catch-up rounds, then a short swap under the append lock with retriable errors), as Kafka's future replica; the response comes when the move is done. LOG_DIR_NOT_FOUND, KAFKA_STORAGE_ERROR for an offline dir.",
	35: "per log dir: partition sizes, total and usable bytes; a failed (offline) dir answers KAFKA_STORAGE_ERROR.",
	37: "rack-aware striped placement over unfenced brokers (broker.rack, as Kafka's rack-aware assignment) or manual assignments; validateOnly. controller_mutation_rate (KIP-599): THROTTLING_QUOTA_EXCEEDED from v3.",
	43: "ALTER on the cluster; forwarded to the active controller. PREFERRED: the first replica when alive and in the ISR (ELECTION_NOT_NEEDED, PREFERRED_LEADER_NOT_AVAILABLE); UNCLEAN: only partitions without a leader, from the ISR/ELR first, then any alive replica, which starts RECOVERING (ELIGIBLE_LEADERS_NOT_AVAILABLE); a null topic list elects for every partition and leaves out those that need nothing.",
	45: "ALTER on the cluster; forwarded to the active controller. KIP-455: replicas become the target plus the removing ones with AddingReplicas/RemovingReplicas, the reassignment completes when the leader reports every adding replica in the ISR (AlterPartition), a null list cancels (NO_REASSIGNMENT_IN_PROGRESS); INVALID_REPLICA_ASSIGNMENT, UNKNOWN_TOPIC_OR_PARTITION; v1 AllowReplicationFactorChange (KIP-860, INVALID_REPLICATION_FACTOR).",
	46: "DESCRIBE on the cluster; forwarded to the active controller; named partitions or all (null); partitions not being reassigned and unknown topics are left out.",
	44: "SET, DELETE, APPEND, SUBTRACT on topics, brokers and groups (share.* group configs).",
	48: "KIP-546 filters: exact, default and any match per entity type, strict and non-strict; user, client-id, user+client-id and ip entities.",
	49: "ClientQuotaRecords through the active controller (brokers forward it); validateOnly; keys per entity type (producer_byte_rate, consumer_byte_rate, request_percentage, controller_mutation_rate; connection_creation_rate for ip); INVALID_REQUEST with Kafka's message for bad entities, unknown keys and non-positive or fractional values.",
	22: "idempotent producers get a new producer id (blocks of 1000 through the metadata log); transactional ids get an epoch bump that fences older instances, aborting an ongoing transaction; KIP-360 producer id/epoch checks; INVALID_TRANSACTION_TIMEOUT above transaction.max.timeout.ms. A transactional id idle past transactional.id.expiration.ms with no transaction in flight is removed (a tombstone in __transaction_state) and starts over with a new producer id. Answered once the ISR of the __transaction_state partition holds the new state (acks=all, as Kafka); CONCURRENT_TRANSACTIONS while the id has another write waiting for it.",
	24: "v0-3 client form; v4+ batched form with VerifyOnly; unknown partitions answer UNKNOWN_TOPIC_OR_PARTITION and the rest OPERATION_NOT_ATTEMPTED. Partition leaders send the batched form to the transactional id's coordinator on another broker to check a transactional write (VerifyOnly), or with v5 to add the partition for a transactions v2 write; NOT_COORDINATOR when this broker does not lead the id's __transaction_state partition. An add is answered once the ISR of the __transaction_state partition holds it; CONCURRENT_TRANSACTIONS while the transaction has another write waiting (a partition leader's v5 add waits instead).",
	25: "adds the group's __consumer_offsets partition to the transaction, answered once the ISR of the __transaction_state partition holds it.",
	26: "commit and abort: PrepareCommit/PrepareAbort written to __transaction_state, markers written to every partition, then CompleteCommit/CompleteAbort, each state written once the ISR holds the one before and the answer after all of them (Kafka answers once the Prepare state is replicated); a prepared transaction is finished after a crash; v5 bumps the epoch at every end (KIP-890 transactions v2); transaction.timeout.ms aborts with an epoch bump.",
	27: "appends the markers (the coordinator writes its own in process; served for tools).",
	28: "producer checked with the transaction coordinator (id, epoch, the group's __consumer_offsets partition added by AddOffsetsToTxn; v5+ adds it implicitly, KIP-890); generation, member id and instance id checks (v3+, KIP-447) for classic and consumer groups; offsets written as a transactional batch and held pending until the transaction's marker (COMMIT: committed whatever the group's generation, ABORT: dropped), also when replayed at start-up; v6 topic ids.",
	61: "per partition: producer id, epoch, last sequence, last timestamp, coordinator epoch, current transaction start offset.",
	65: "state, timeout, start time, producer id/epoch and partitions; TRANSACTIONAL_ID_NOT_FOUND for unknown ids.",
	66: "state and producer id filters, duration filter (v1, KIP-994), transactional id regular expression (v2).",
	55: "the metadata quorum (etcd-io/raft under a Kafka-format __cluster_metadata-0): leader, epoch, high watermark, each voter's log end offset and last contact; answered by the active controller (brokers forward it). Observers, as Kafka's leader lists them: the broker-only nodes fetching the committed log from the leader (GofkaMetadataFetch), each with its directory id, fetched log end offset, last fetch and last caught-up time, and the voters RemoveRaftVoter removed that still follow the log; one that has not fetched or answered for the observer session timeout (gofka.controller.quorum.observer.session.timeout.ms, Kafka's 5 minutes by default) is dropped. v2 Nodes lists the voters only, as Kafka does. Voters carry the directory id they were formatted or added with (gofka format --standalone or --initial-controllers id@host:port:dir, AddRaftVoter's VoterDirectoryId); a static quorum's (controller.quorum.voters) are zero, as in Kafka.",
	64: "KIP-778: removes a registration (its leaderships move first); forwarded to the active controller. A running broker registers again on its next heartbeat.",
	80: "KIP-853: one voter change at a time, an etcd raft configuration change committed as a VotersRecord; the new voter joins as a learner, catches up from a snapshot and is promoted once caught up (REQUEST_TIMED_OUT and still a learner if it has not by the timeout, the voters unchanged). DUPLICATE_VOTER, INCONSISTENT_CLUSTER_ID, REQUEST_TIMED_OUT; forwarded to the active controller. The voter key is the id and VoterDirectoryId: RemoveRaftVoter and UpdateRaftVoter naming another directory id than the voter's get VOTER_NOT_FOUND (a zero id on either side matches).",
	81: "KIP-853; VOTER_NOT_FOUND; removing the leader makes it step down. The node removed goes on following the log as an observer (an etcd raft learner): it knows the leader, serves current metadata and forwards to the active controller; AddRaftVoter makes it a voter again.",
	82: "a voter's controller endpoint, committed as a VotersRecord.",
	60: "broker endpoints on broker listeners; the controller listener answers the controller endpoint type (KIP-919) with the voters and the active controller.",
	74: "DESCRIBE_CONFIGS on the cluster; KIP-1142 (Kafka 4.1; v0 is ListClientMetricsResources): v0 lists client-metrics subscriptions, v1 the requested types (all for an empty list): groups and client-metrics subscriptions with dynamic configs, brokers as BROKER and BROKER_LOGGER resources, topics; UNSUPPORTED_VERSION for any other type. Client-metrics subscriptions cannot be set yet, so that list holds only what the metadata log already has.",
	75: "as Kafka's DescribeTopicPartitionsRequestHandler: topics sorted by name, pages of at most min(ResponsePartitionLimit, max.request.partition.size.limit) partitions with Cursor and NextCursor; ISR, ELR and last-known ELR (KIP-966), offline replicas and topic authorized operations from the metadata image; DESCRIBE per topic (TOPIC_AUTHORIZATION_FAILED for named topics, left out of the full list); UNKNOWN_TOPIC_OR_PARTITION for named topics that do not exist, INVALID_REQUEST for a cursor outside the named topics or with a negative partition.",
	8:  "generation checks (classic, and classic members of consumer groups), member epoch fencing (KIP-848), simple commits (generation -1), offset.metadata.max.bytes; written to __consumer_offsets as OffsetCommitKey/Value; v10 topic ids; offsets of deleted topics are purged.",
	9:  "batched groups (v8+), member epoch checks (v9+), topic ids (v10); null topics list every committed offset; RequireStable (v7+) answers UNSTABLE_OFFSET_COMMIT for partitions with offsets in an open transaction.",
	10: "batched keys (v4+); the coordinator is the leader of the key's partition, abs(Java String.hashCode) % partitions, of __consumer_offsets (type 0), __transaction_state (type 1) or __share_group_state (type 2, \"group:topicId:partition\"), on the requester's listener; COORDINATOR_NOT_AVAILABLE while it has no leader. Each topic is created on first use with offsets.topic.replication.factor, transaction.state.log.replication.factor or share.coordinator.state.topic.replication.factor replicas (COORDINATOR_NOT_AVAILABLE until that many brokers are live; capped on a single-node cluster left at the default). The group and transaction APIs answer NOT_COORDINATOR on other brokers and COORDINATOR_LOAD_IN_PROGRESS while the new leader replays the partition.",
	11: "member id required (KIP-394), static membership (KIP-345), eager and cooperative (KIP-429) client protocols, group.initial.rebalance.delay.ms, group.max.size, session and rebalance timeouts. In a consumer (KIP-848) group a classic member is served by the server-side assignor (its subscription read from the ConsumerProtocolSubscription, revocation before reassignment).",
	12: "session timeout reset; REBALANCE_IN_PROGRESS while rejoining, and for classic members of a consumer group when the group epoch moved, partitions are to be revoked or were released for them.",
	13: "batched members by member id or group instance id (v3+).",
	14: "leader's assignment stored in GroupMetadataValue and handed to every member; protocol type/name checks (v5). Classic members of a consumer group get their server-side assignment as a ConsumerProtocolAssignment.",
	15: "classic groups; consumer (KIP-848) groups described as Kafka does for classic clients.",
	16: "state (v4) and type (v5) filters.",
	42: "empty groups only (NON_EMPTY_GROUP); tombstones for metadata and offsets.",
	47: "GROUP_SUBSCRIBED_TO_TOPIC for consumed topics.",
	68: "KIP-848: uniform and range server-side assignors, topic names and regex subscriptions, member epochs, revocation before reassignment with the rebalance timeout fencing a member that does not revoke, static members (epoch -2 keeps the assignment for the member's return, UNRELEASED_INSTANCE_ID). group.consumer.migration.policy: a live classic group is upgraded when a KIP-848 member joins and downgraded when the last one leaves; classic and KIP-848 members share one group. State persisted as Kafka's ConsumerGroup* records and replayed, so members survive a restart.",
	69: "members (classic members with member type 0), assignments and target assignments.",
	76: "KIP-932 share groups, served while share.version is 1 or more (UNSUPPORTED_VERSION for heartbeats, fetches and acknowledgements after a downgrade to 0) (one namespace with classic and consumer groups: GROUP_ID_NOT_FOUND for a consumer group's id, and JoinGroup/ConsumerGroupHeartbeat refuse a share group's): client-generated member ids, member epochs, the simple server-side assignor (every partition to one subscriber in turn; with more members than partitions, members share partitions), group.share.max.size, session timeout. Membership is kept in memory: after a restart members rejoin (UNKNOWN_MEMBER_ID), while share-partition state is durable.",
	77: "members, subscriptions and assignments; groups with only durable state are Empty.",
	78: "share sessions (epoch 0 opens, -1 closes and releases, otherwise the next epoch; SHARE_SESSION_NOT_FOUND, INVALID_SHARE_SESSION_EPOCH), piggybacked acknowledgements (accept, release, reject, gap), AcquiredRecords ranges with delivery counts, MaxRecords, long poll up to MaxWaitMillis; acquisition locks of share.record.lock.duration.ms, archiving at share.delivery.count.limit (group configs over group.share.* broker properties), group.share.partition.max.record.locks in flight. State written to __share_group_state (ShareSnapshot/ShareUpdate) before an acknowledgement is answered. read_committed (share.isolation.level) reads up to the last stable offset and archives the records of aborted transactions. v2: renew-only requests (IsRenewAck, KIP-1222: no fetch parameters, nothing fetched) and the record-limit acquire mode (KIP-1206; acquisition never exceeds MaxRecords in either mode).",
	79: "acknowledgements in the share session; epoch -1 closes the session and releases the member's remaining records. v2: renew acknowledgements (type 4, IsRenewAck) extend the member's locks (KIP-1222).",
	83: "the share coordinator API, served over the node's own __share_group_state store (the leader uses the store in process): FENCED_STATE_EPOCH for an older state epoch; what was in flight is forgotten.",
	84: "state epoch, start offset and state batches; raises the stored leader epoch (FENCED_LEADER_EPOCH for an older one); a key never initialized reads as start offset -1.",
	85: "merges batches over the stored ones (start offset -1 leaves it); FENCED_STATE_EPOCH and FENCED_LEADER_EPOCH; an uninitialized key is initialized by the write; every share.coordinator.snapshot.update.records.per.snapshot-th write is a ShareSnapshot; records before the oldest last snapshot of a partition's keys are pruned every share.coordinator.state.topic.prune.interval.ms (the topic is cleanup.policy=delete, as in Kafka).",
	86: "tombstones for the key's ShareSnapshot and ShareUpdate records.",
	87: "state and leader epochs, start offset; v1 DeliveryCompleteCount is the acknowledged and archived records in flight.",
	90: "start offsets of a share group's partitions (all with state when no topics are named), v1 lag: records from the start offset to the high watermark not acknowledged or archived.",
	91: "an empty share group only (GROUP_NOT_EMPTY); the start offset must lie within the log; what was in flight is forgotten.",
	92: "an empty share group only; the topic's share partitions start over by the auto offset reset.",
}

// ClientMatrix is the interop tests' result per client and scenario
// (test/interop/testdata/matrix.json, written by
// `go test ./test/interop -update-matrix`).
type ClientMatrix map[string]map[string]string

// CompatibilityDoc renders docs/compatibility.md from the API table and the
// client matrix.
func CompatibilityDoc(clients ClientMatrix) []byte {
	var b bytes.Buffer
	b.WriteString("# Kafka API compatibility\n\n")
	b.WriteString("Generated by `go run ./internal/broker/compatdoc > docs/compatibility.md` from the broker's API table,\n")
	b.WriteString("the same table ApiVersions answers from. It lists every API key of the Kafka protocol: each one with\n")
	b.WriteString("versions is served at every version listed; one marked \"not served\" is not advertised, and a request\n")
	b.WriteString("for it closes the connection, as Kafka does for an API it does not know.\n\n")
	b.WriteString("| key | API | versions | notes |\n|---:|---|---|---|\n")
	served := make(map[int16]kmsg.ApiVersionsResponseApiKey)
	for _, a := range APIs() {
		served[a.ApiKey] = a
	}
	for key := int16(0); key <= kmsg.MaxKey; key++ {
		name := kmsg.NameForKey(key)
		if name == "" || name == "Unknown" {
			continue
		}
		if a, ok := served[key]; ok {
			fmt.Fprintf(&b, "| %d | %s | %d-%d | %s |\n", key, name, a.MinVersion, a.MaxVersion, apiNotes[key])
		} else {
			fmt.Fprintf(&b, "| %d | %s | not served | |\n", key, name)
		}
	}
	writeClientMatrix(&b, clients)
	b.WriteString("\n## Not yet served\n\n")
	b.WriteString("Partitions are replicated between brokers (Fetch from followers, the ISR and high watermark,\n")
	b.WriteString("truncation by leader epoch): see operations.md. API keys marked \"not served\" above are not\n")
	b.WriteString("advertised. TLS, mutual TLS,\n")
	b.WriteString("SASL (PLAIN, SCRAM, OAUTHBEARER), delegation tokens and ACL authorization are served; GSSAPI (Kerberos) is not: see\n")
	b.WriteString("[security.md](security.md).\n\n")
	b.WriteString("Served on the controller listener only, as Kafka's controllers serve them: BrokerRegistration (62),\n")
	b.WriteString("BrokerHeartbeat (63), AllocateProducerIds (67), ControllerRegistration (70), AlterPartition (56,\n")
	b.WriteString("v2-3: ISR changes from partition leaders validated as Kafka's ReplicationControlManager, KIP-903\n")
	b.WriteString("broker epochs, KIP-966 ELR, completion of reassignments), Envelope (58, KIP-590: the requests\n")
	b.WriteString("brokers forward, with the client's principal and address, authorized as the client), and Gofka's\n")
	b.WriteString("own GofkaRaftMessage and GofkaMetadataFetch between nodes (see\n")
	b.WriteString("operations.md); with the authorizer on they need ClusterAction on the cluster. The controller\n")
	b.WriteString("listener is secured like any listener (security.md, \"Between nodes\"). Admin clients reach it as\n")
	b.WriteString("Kafka's do with --bootstrap-controller (KIP-919): DescribeCluster and DescribeConfigs (a node's own\n")
	b.WriteString("configs) on any controller; the other admin APIs its ApiVersions lists (CreateTopics, AlterConfigs,\n")
	b.WriteString("IncrementalAlterConfigs, ...) on the active controller, the others answer NOT_CONTROLLER.\n")
	return b.Bytes()
}

// writeClientMatrix renders the interop results: one row per client, one
// column per scenario.
func writeClientMatrix(b *bytes.Buffer, m ClientMatrix) {
	b.WriteString("\n## Clients\n\n")
	b.WriteString("Results of test/interop (the real clients, installed by the test, against a real broker; every\n")
	b.WriteString("scenario checks the data end to end with franz-go on the other side). \"not yet\" means the\n")
	b.WriteString("broker does not serve the APIs the scenario needs. Go clients (franz-go, sarama, kafka-go) are\n")
	b.WriteString("covered by test/integration. Regenerate with `go test ./test/interop -update-matrix`.\n\n")
	var clients []string
	cols := map[string]bool{}
	for c, row := range m {
		clients = append(clients, c)
		for s := range row {
			cols[s] = true
		}
	}
	sort.Strings(clients)
	scenarios := make([]string, 0, len(cols))
	for s := range cols {
		scenarios = append(scenarios, s)
	}
	sort.Strings(scenarios)
	b.WriteString("| client |")
	for _, s := range scenarios {
		fmt.Fprintf(b, " %s |", s)
	}
	b.WriteString("\n|---|" + repeat("---|", len(scenarios)) + "\n")
	for _, c := range clients {
		fmt.Fprintf(b, "| %s |", c)
		for _, s := range scenarios {
			v := m[c][s]
			if v == "" {
				v = "-"
			}
			fmt.Fprintf(b, " %s |", v)
		}
		b.WriteString("\n")
	}
}

func repeat(s string, n int) string {
	out := ""
	for i := 0; i < n; i++ {
		out += s
	}
	return out
}
