package group

// armExpiry schedules the periodic offset expiry check
// (offsets.retention.check.interval.ms). Requires c.mu.
func (c *Coordinator) armExpiry() {
	if c.cfg.RetentionCheckInterval <= 0 {
		return
	}
	c.mu.expiry = c.after(c.cfg.RetentionCheckInterval, func() {
		c.expireOffsets()
		c.armExpiry()
	})
}

// expireOffsets deletes offsets older than offsets.retention.minutes
// (KIP-211): for an empty group, counted from when it became empty; for a
// group with members, only offsets of topics it no longer consumes,
// counted from their commit. Offsets an open transaction is about to
// replace are kept, as Kafka keeps them. An empty group left with no
// offsets is deleted.
func (c *Coordinator) expireOffsets() {
	nowMs := c.now().UnixMilli()
	ret := c.cfg.OffsetsRetention.Milliseconds()
	for _, g := range c.sortedGroupsLocked() {
		if c.ownerLocked(g.id) != nil {
			continue
		}
		var recs []kv
		var dead []topicPartition
		empty := g.isEmpty()
		for tp, e := range g.offsets {
			base := e.commitMs
			if empty && g.protocolType() != "" {
				base = max(g.stateMs, e.commitMs)
			}
			if (empty || !g.subscribed(tp.topic)) && base+ret <= nowMs && !c.hasPendingLocked(g.id, tp) {
				recs = append(recs, kv{key: offsetCommitKey(g.id, tp.topic, tp.partition)})
				dead = append(dead, tp)
			}
		}
		if empty && len(dead) == len(g.offsets) {
			recs = tombstones(g)
		}
		if len(recs) == 0 || c.write(g.id, recs) != nil {
			continue
		}
		for _, tp := range dead {
			delete(g.offsets, tp)
		}
		if empty && len(g.offsets) == 0 {
			g.stopTimers()
			delete(c.mu.groups, g.id)
		}
	}
}

// TopicsDeleted deletes every group's committed offsets of topics that
// were deleted, as Kafka's coordinator does on partition deletion. The
// broker calls it from the metadata publish path: it answers no one, so
// it does not wait for the ISR (later requests for these groups do).
func (c *Coordinator) TopicsDeleted(names []string) {
	c.doNoWait(func() {
		if c.mu.closed {
			return
		}
		for _, g := range c.sortedGroupsLocked() {
			if c.ownerLocked(g.id) != nil {
				continue
			}
			var recs []kv
			var dead []topicPartition
			for tp := range g.offsets {
				if contains(names, tp.topic) {
					recs = append(recs, kv{key: offsetCommitKey(g.id, tp.topic, tp.partition)})
					dead = append(dead, tp)
				}
			}
			if len(recs) == 0 {
				continue
			}
			if err := c.write(g.id, recs); err != nil {
				c.logWriteError(g, err)
				continue
			}
			for _, tp := range dead {
				delete(g.offsets, tp)
			}
		}
	})
}
