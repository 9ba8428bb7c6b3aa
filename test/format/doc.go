// Package format proves Gofka's files byte-compatible with Kafka's: its
// tests decode every file a real Gofka node writes with a reader written
// from Kafka's format documentation (kafka.apache.org/documentation/
// #recordbatch, #log and the file layouts of the log, index, checkpoint and
// producer snapshot files), not from Gofka's writers, and pin the exact
// bytes of each file kind from fixed inputs in testdata/.
package format
