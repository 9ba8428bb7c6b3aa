// Command bench drives Gofka and one or more peer brokers (franz-go's
// kfake, run as a separate process by bench/kfakepeer, plus any binary
// named with -peer) with the same franz-go load driver, one after the
// other, and writes a side-by-side report with PNG charts:
//
//	go run ./bench -out docs/benchmarks.md
//
// It first measures the machine's raw append bandwidth (a plain file
// append probe in the same temp dir) and each target's cold start (exec
// to first acknowledged produce) and idle RSS. Then, for each of 8
// configs (100 B and 1 KiB values, acks=1 and acks=all, 1 and 6
// partitions) and each target, it starts the binary on a free loopback
// port with a fresh data dir, creates the topic, warms up and runs three
// timed phases: produce only, consume only (everything, from the page
// cache) and produce and consume together (end-to-end latency), then two
// raw-driver phases that take the client's per-record work out: raw Fetch
// requests that count batch headers, and raw ProduceRequests (pre-built
// batches, encoded once, pipelined over several connections) to a second
// topic whose end offsets must then sum to the records acknowledged. It
// samples the server's RSS and CPU from /proc, reads Gofka's heap
// allocation count from its metrics listener, and stops the server with
// SIGTERM. The report gives medians over -runs and evaluates the issue's
// targets, each as measured/target with pass or fail.
//
// Then the metadata phase (metaphase.go) runs quorums of 1 and 3 `gofka
// server` processes, each broker and controller, formatted with `gofka
// format`: CreateTopics of 1-partition topics per second with one request
// in flight and with -meta-clients clients, and the time from SIGKILL of
// the active controller to the next committed CreateTopics. With
// -metadata it runs alone and rewrites only its section of the report.
//
// Then the replication phase (replphase.go) produces with acks=all, with
// the same kgo producer, to one `gofka server` (RF=1) and to three (RF=3,
// min.insync.replicas=2), for each value size: records/s, MB/s, p50/p99
// produce latency and server CPU, and checks afterwards that the ISR is
// still full and every acknowledged record landed. With -replication it
// runs alone and rewrites only its section of the report.
//
// With -profile DIR it also saves Gofka's CPU profile of every phase and
// its allocation profile of every config, for `go tool pprof`.
//
// It owns only measurement: it never asserts on timings, and it never
// tunes the brokers (data dir, listeners, the metrics listener, and the
// roles, node ids and voters a quorum needs only).
package main
