// Package faults runs a cluster of real `gofka server` processes on
// loopback behind the fault proxies of internal/faultnet, and injects the
// faults of process tests: SIGKILL (Kill), SIGSTOP/SIGCONT (Pause,
// Resume), a network blackhole of one node (Blackhole) and partitions
// (Cut, Partition, Heal). Each node is broker and controller, formatted
// with one cluster id by `gofka format`; it binds its own listeners and
// advertises, and names in controller.quorum.voters, only its proxies, so
// every byte between nodes and from clients crosses a proxy.
//
// On it, the acceptance harness of replication: a Workload (idempotent
// acks=all writers, read_committed readers, a full read once healed), a
// checker (Check, Report.CheckCommits) of the histories they record, and
// fault rounds (RunRound, RunPipelineRound, RunCommitRound) that load,
// break, heal and check; Tally sums their reports into a counts table.
// docs/testing.md says what each anomaly means.
//
// It is the one fault harness for processes: test/process and later
// fault tests build on it rather than starting processes of their own.
// (pkg/gofkatest offers the same faults for nodes inside one test
// process.)
package faults
