package broker

// Transactions: producer ids and the transaction coordinator (issue:
// exactly-once). Placeholder until that work lands; it serves no API.

// txnState is the node's transactions state.
type txnState struct{}

// txnAPIs lists the transactions APIs served.
func txnAPIs() []api { return nil }

func (n *Node) startTxns() error { return nil }

func (n *Node) closeTxns() error { return nil }
