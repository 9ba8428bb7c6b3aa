package config

// Share groups (KIP-932): Kafka 4.x ShareGroupConfig and
// ShareCoordinatorConfig.

var shareDefs = []*Def{
	{Name: "group.share.heartbeat.interval.ms", Type: Int, Default: ptr("5000"), Validate: atLeast(1),
		Doc: "The heartbeat interval given to the members of a share group."},
	{Name: "group.share.session.timeout.ms", Type: Int, Default: ptr("45000"), Validate: atLeast(1),
		Doc: "The timeout to detect client failures when using the share group protocol."},
	{Name: "group.share.max.size", Type: Int, Default: ptr("200"), Validate: between(1, 1000),
		Doc: "The maximum number of members that a single share group can accommodate."},
	{Name: "group.share.record.lock.duration.ms", Type: Int, Default: ptr("30000"), Validate: between(1000, 3600000),
		Doc: "The record acquisition lock duration in milliseconds for share groups."},
	{Name: "group.share.delivery.count.limit", Type: Int, Default: ptr("5"), Validate: between(2, 10),
		Doc: "The maximum number of delivery attempts for a record delivered to a share group."},
	{Name: "group.share.partition.max.record.locks", Type: Int, Default: ptr("2000"), Validate: between(100, 10000),
		Doc: "Share-group record lock limit per share-partition."},
	{Name: "group.share.max.share.sessions", Type: Int, Default: ptr("2000"), Validate: atLeast(1),
		Doc: "The maximum number of share sessions per broker."},
	{Name: "gofka.share.auto.offset.reset", Type: String, Default: ptr("latest"), Validate: validShareReset,
		Doc: "Where a share partition without state starts, for groups without a share.auto.offset.reset group config: latest, earliest or by_duration:<ISO-8601 duration>."},
	{Name: "gofka.share.isolation.level", Type: String, Default: ptr("read_uncommitted"), Validate: oneOf("read_uncommitted", "read_committed"),
		Doc: "How share groups read transactional records: read_uncommitted, or read_committed (up to the last stable offset, records of aborted transactions archived). The default for groups without a share.isolation.level group config."},
	{Name: "share.coordinator.state.topic.num.partitions", Type: Int, Default: ptr("50"), Validate: atLeast(1),
		Doc: "The number of partitions for the share-group state topic (should not change after deployment)."},
	{Name: "share.coordinator.state.topic.replication.factor", Type: Short, Default: ptr("3"), Validate: atLeast(1),
		Doc: "Replication factor for the share-group state topic. Topic creation will fail until the cluster size meets this replication factor requirement. Gofka: on a node that is the whole cluster by its configuration (broker and controller, at most one quorum voter), a value left at the default is capped to the registered brokers, so that a single node works with no configuration; see operations.md."},
	{Name: "share.coordinator.state.topic.segment.bytes", Type: Int, Default: ptr("104857600"), Validate: atLeast(1),
		Doc: "The log segment size for the share-group state topic."},
	{Name: "share.coordinator.state.topic.prune.interval.ms", Type: Long, Default: ptr("300000"), Validate: atLeast(1),
		Doc: "The duration in milliseconds that the share coordinator will wait between pruning eligible records in share-group state topic."},
	{Name: "share.coordinator.snapshot.update.records.per.snapshot", Type: Int, Default: ptr("500"), Validate: between(0, 500),
		Doc: "The number of update records the share coordinator writes between snapshot records."},
}
