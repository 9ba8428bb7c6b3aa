// Package quota measures and enforces client quotas as Kafka does.
//
// It owns the rate measurement (Rate: Kafka's sampled windows of
// quota.window.num x quota.window.size.seconds, and TokenBucket for
// controller mutations, KIP-599), the quota keys and the validation of
// quota entities (entity.go), Kafka's precedence order from an entity to
// the quota that applies (resolve.go), the per-client byte-rate and
// request-time managers that turn a recorded value into a throttle time
// (KIP-219), the connection quotas of the acceptor (max.connections,
// max.connections.per.ip and its overrides, max.connection.creation.rate
// and connection_creation_rate per IP, KIP-612) and the controller
// mutation quota.
//
// The broker records and asks; this package never touches a socket, never
// sleeps and starts no goroutine: time is always passed in, so every rule
// is tested without clocks. Quotas come from metadata.Image (ClientQuotaRecord)
// through Update; replication throttles use the same Rate.
package quota
