package group

// tombstones deletes the consumer group's records.
func (cg *consumerGroup) tombstones(string) []kv { return nil }

func (c *Coordinator) consumerTombstones(*group) []kv { return nil }

func (c *Coordinator) persistConsumer(*group) {}

func (c *Coordinator) armConsumerLoaded(*group) {}

func (c *Coordinator) replayConsumer(int16, []byte, []byte) error { return nil }

// resolveKey recomputes the subscription key without bumping the epoch.
func (c *Coordinator) resolveKey(cg *consumerGroup) {
	cg.subsKey, _ = c.resolve(cg, c.meta())
}
