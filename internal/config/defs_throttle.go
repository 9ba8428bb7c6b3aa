package config

// Replication throttles (KIP-73): broker rates, set only dynamically (per
// broker or as the cluster default), applied to the replicas the topics'
// leader/follower.replication.throttled.replicas name.

var throttleDefs = []*Def{
	{Name: "leader.replication.throttled.rate", Type: Long, Default: ptr("9223372036854775807"), Validate: atLeast(0), Dynamic: PerBroker,
		Doc: "A long representing the upper bound (bytes/sec) on replication traffic for leaders enumerated in the property leader.replication.throttled.replicas (for each topic). This property can be only set dynamically. It is suggested that the limit be kept above 1MB/s for accurate behaviour."},
	{Name: "follower.replication.throttled.rate", Type: Long, Default: ptr("9223372036854775807"), Validate: atLeast(0), Dynamic: PerBroker,
		Doc: "A long representing the upper bound (bytes/sec) on replication traffic for followers enumerated in the property follower.replication.throttled.replicas (for each topic). This property can be only set dynamically. It is suggested that the limit be kept above 1MB/s for accurate behaviour."},
}
