package broker

// Consumer groups and offsets: the group coordinator (issue: consumer
// groups). Placeholder until that work lands; it serves no API.

// groupState is the node's consumer groups and offsets state.
type groupState struct{}

// groupAPIs lists the consumer groups and offsets APIs served.
func groupAPIs() []api { return nil }

func (n *Node) startGroups() error { return nil }

func (n *Node) closeGroups() error { return nil }
