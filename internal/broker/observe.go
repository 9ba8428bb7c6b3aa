package broker

// Observability: metrics, health and pprof (issue: operating Gofka).
// Placeholder until that work lands: the hooks below are called from the
// data path and do nothing yet.

import "github.com/gofka/gofka/internal/storage"

// observeState is the node's metrics state.
type observeState struct{}

func (n *Node) startObserve() error { return nil }

func (n *Node) closeObserve() error { return nil }

// observeProduce is called after a successful append.
func (n *Node) observeProduce(p *partition, res storage.AppendResult) {}
