package txn

// Describe returns copies of the named transactions' states; unknown ids
// are nil.
func (c *Coordinator) Describe(ids []string) []*Metadata {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]*Metadata, len(ids))
	for i, id := range ids {
		if m := c.txns[id]; m != nil {
			out[i] = m.clone()
		}
	}
	return out
}

// ListFilter selects transactions for ListTransactions.
type ListFilter struct {
	States      []string // state names; empty means all
	ProducerIDs []int64  // empty means all
	MinDuration int64    // ms a transaction has been running; -1 means any
	Pattern     func(id string) bool
}

// List returns the transactions matching f, ordered by id.
func (c *Coordinator) List(f ListFilter) []*Metadata {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.nowMs()
	var out []*Metadata
	for _, id := range c.idsLocked() {
		m := c.txns[id]
		if c.ownerLocked(id) == nil && f.match(m, now) {
			out = append(out, m.clone())
		}
	}
	return out
}

func (f ListFilter) match(m *Metadata, now int64) bool {
	if len(f.States) > 0 && !containsString(f.States, StateName(m.State)) {
		return false
	}
	if len(f.ProducerIDs) > 0 && !containsInt64(f.ProducerIDs, m.ProducerID) {
		return false
	}
	if f.MinDuration >= 0 && now-m.StartMs < f.MinDuration {
		return false
	}
	return f.Pattern == nil || f.Pattern(m.TransactionalID)
}

func containsString(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func containsInt64(xs []int64, x int64) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}
