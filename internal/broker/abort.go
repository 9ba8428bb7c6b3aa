package broker

// Abort stops the node as kill -9 would, for crash tests that run nodes in
// one process (pkg/gofkatest's Kill): listeners and connections close and
// every goroutine stops, and files are closed so the node can start again
// on its dirs, but none of Close's clean-shutdown work is done: no
// controlled shutdown, no producer-state snapshots, no flush of the
// partition logs, no checkpoints and no clean-shutdown marker, so the next
// Start recovers as after a crash. (The metadata quorum closes its log as
// Close does: raft syncs every entry before it counts.) Bytes written but
// not synced survive in the page cache, as they do when only the process
// dies. Close after Abort does nothing.
func (n *Node) Abort() error { return n.shutdown(false) }
