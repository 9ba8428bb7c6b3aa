// Package broker is one Gofka node: it wires storage, metadata, the
// controller and the wire server together and serves the Kafka APIs, one
// file per API or API area. Handlers read the current metadata image and
// never mutate cluster state directly: every change goes through the
// controller as metadata records.
package broker
