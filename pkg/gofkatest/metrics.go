package gofkatest

// MetricsAddr is the bound address of the node's metrics listener
// (/metrics, /healthz, /readyz), "" unless the cluster was started with
// WithConfig("gofka.metrics.listen", "127.0.0.1:0") or another address.
func (c *Cluster) MetricsAddr() string { return c.node.MetricsAddr() }
