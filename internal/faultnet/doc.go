// Package faultnet is the network half of Gofka's fault-injection harness:
// TCP proxies in front of each node's listeners, and the rules that decide
// what each proxied connection may carry.
//
// Nodes and clients reach each other only through the proxies (the nodes
// advertise the proxies' addresses and name them in
// controller.quorum.voters), so a test changes what the network does by
// changing the rules of one Net:
//
//   - Pass forwards bytes both ways.
//   - Blackhole accepts connections but forwards nothing, in either
//     direction, and stops reading, so the kernel's buffers fill as with a
//     paused (SIGSTOPped) process. Bytes held back flow again on Pass.
//   - Cut refuses new connections (accepted, then closed) and drops the
//     existing ones.
//
// A rule applies to a whole node (everything to and from it: Net.Node) or
// to the link from one node to another (Net.Link). A proxy belongs to its
// destination node; it learns a connection's source node from the first
// bytes the source sends (Identify; GofkaNode reads the Kafka client id
// that Gofka's inter-node clients set, "gofka-<role>-<node.id>"), so one
// proxy per listener serves every source. Connections whose source is not
// identified (test clients) obey only the rules of whole nodes.
//
// faultnet owns every goroutine it starts: one accept loop per proxy and,
// per connection, one that connects it and two that pump bytes; Close
// stops and waits for them all. A proxy holds at most MaxConns
// connections and refuses more.
//
// It is test infrastructure: it must never be imported by the broker.
package faultnet
