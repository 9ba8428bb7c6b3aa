package broker

// Producer ids expire as in Kafka's ProducerStateManager.
// removeExpiredProducers: every producer.id.expiration.check.interval.ms
// each partition drops the producers that have no ongoing transaction and
// whose last write is older than producer.id.expiration.ms. That bounds
// the state kept for short-lived idempotent producers. A producer that
// writes again after expiring is an unknown producer to the partition and
// may continue at any sequence, as in Kafka since KIP-360. A partition
// also expires what it loads when it opens (Kafka filters snapshots at
// load). producer.id.expiration.ms is a cluster-wide dynamic config: each
// check reads it from the metadata image.

import (
	"github.com/gofka/gofka/internal/config"
	"github.com/gofka/gofka/internal/metadata"
)

// startProducerExpiry starts the expiry loop.
func (n *Node) startProducerExpiry() {
	interval := ms(int64(n.cfg.ProducerIDExpirationCheckIntervalMs))
	n.goAsync(func(quit <-chan struct{}) { every(quit, interval, n.expireProducers) })
}

// expireProducers runs one check over every partition.
func (n *Node) expireProducers() {
	cutoff := n.producerExpiryCutoff()
	removed := 0
	for _, p := range n.parts.all() {
		if p.prod == nil {
			continue
		}
		p.prod.mu.Lock()
		removed += p.prod.st.Expire(cutoff)
		p.prod.mu.Unlock()
	}
	if removed > 0 {
		n.log.Debug("expired producer ids", "count", removed)
	}
}

// producerExpiryCutoff is the last-write time (ms) below which producers
// without an open transaction expire now.
func (n *Node) producerExpiryCutoff() int64 {
	return n.now().UnixMilli() - int64(n.producerIDExpirationMs())
}

// expirationFor is producer.id.expiration.ms resolved for one metadata
// image: every partition opened at start asks, and the image rarely
// changes in between.
type expirationFor struct {
	img *metadata.Image
	ms  int32
}

// producerIDExpirationMs is producer.id.expiration.ms in force: the static
// value overlaid by dynamic cluster-wide and per-broker values.
func (n *Node) producerIDExpirationMs() int32 {
	img := n.meta.Current()
	if c := n.pidExpiration.Load(); c != nil && c.img == img {
		return c.ms
	}
	v := n.cfg.ProducerIDExpirationMs
	eff, err := config.EffectiveBroker(n.brokerLayers(img))
	if err != nil {
		n.log.Warn("broker config: keeping the static producer.id.expiration.ms", "err", err)
	} else {
		v = eff.ProducerIDExpirationMs
	}
	n.pidExpiration.Store(&expirationFor{img: img, ms: v})
	return v
}
