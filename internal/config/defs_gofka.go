package config

// Gofka's own properties; they have no Kafka equivalent.

var gofkaDefs = []*Def{
	{Name: "gofka.metrics.listen", Type: String, Default: ptr(""), Validate: optionalHostPort,
		Doc: "Gofka: host:port of the HTTP listener serving Prometheus metrics at /metrics. Empty (the default) disables it."},
	{Name: "gofka.log.format", Type: String, Default: ptr("text"), Validate: oneOf("text", "json"),
		Doc: "Gofka: format of the server's log lines: text or json."},
	{Name: "gofka.log.level", Type: String, Default: ptr("info"), Validate: oneOf("debug", "info", "warn", "error"), Dynamic: ClusterWide,
		Doc: "Gofka: minimum level of the server's log lines: debug, info, warn or error."},
	{Name: "gofka.sasl.plain.users.file", Type: String, Default: ptr(""),
		Doc: "Gofka: a Java properties file of user_<name>=<password> lines that SASL/PLAIN authenticates against, in addition to the user_ options of the PlainLoginModule (the file wins), read again within a second of a change; Gofka's stand-in for Kafka's file-backed PLAIN server callback handlers. Like sasl.jaas.config it may be set per listener and mechanism: listener.name.<listener>.plain.gofka.sasl.plain.users.file."},
	{Name: "gofka.controller.quorum.observer.session.timeout.ms", Type: Int, Default: ptr("300000"), Validate: atLeast(1),
		Doc: "Gofka: how long the active controller lists an observer of the metadata quorum (a broker-only node, or a voter RemoveRaftVoter removed) in DescribeQuorum after it last fetched or answered, and goes on replicating to a removed voter that stopped answering (after it, only a heartbeat now and then, until it answers again). Kafka's fixed observer session timeout, five minutes, is the default; lower it to see stopped observers leave sooner."},
	{Name: "gofka.pprof.enable", Type: Boolean, Default: ptr("false"),
		Doc: "Gofka: serve Go's net/http/pprof handlers under /debug/pprof/ on the metrics listener (gofka.metrics.listen)."},
}
