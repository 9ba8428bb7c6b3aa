// Package faults runs a cluster of real `gofka server` processes on
// loopback behind the fault proxies of internal/faultnet, and injects the
// faults of process tests: SIGKILL (Kill), SIGSTOP/SIGCONT (Pause,
// Resume), a network blackhole of one node (Blackhole) and partitions
// (Cut, Partition, Heal). Each node is broker and controller, formatted
// with one cluster id by `gofka format`; it binds its own listeners and
// advertises, and names in controller.quorum.voters, only its proxies, so
// every byte between nodes and from clients crosses a proxy.
//
// It is the one fault harness for processes: test/process and later
// fault tests build on it rather than starting processes of their own.
// (pkg/gofkatest offers the same faults for nodes inside one test
// process.)
package faults
