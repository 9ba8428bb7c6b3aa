package group

// Writes wait for the ISR outside the coordinator's lock, as Kafka's
// CoordinatorRuntime defers a response until the high watermark passes
// its write. An operation runs under c.mu: it validates, appends its
// records (Store.Write, so the log order is the order of the state
// changes) and changes the in-memory state at once. Then do releases the
// lock and waits (Store.Await) until the ISR holds every record appended
// to the partitions the operation touched, its own and those appended
// before it by others, and only then answers. So a read or a decision
// that saw a change not yet replicated (an OffsetFetch right after a
// commit, a JoinGroup answered from a pending member) is not answered
// before that change is committed: the rule of Kafka's deferred event
// queue, which makes an operation without records wait for the highest
// pending offset of its partition. A slow follower delays only the
// answers about the partitions it delays; heartbeats and commits of
// groups on other partitions go on.
//
// A failed wait (leadership lost, or the ISR did not take the records
// within offsets.commit.timeout.ms) has already made the broker stop
// serving the partition and queue its reload from the log (the Store's
// contract), so the in-memory changes made at append time are dropped
// with the partition, as Kafka reverts its timeline state. The operations
// that waited answer NOT_COORDINATOR for the groups of that partition,
// as a failed write did when the wait ran under the lock.

import (
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// partWrites is what the coordinator appended to one partition since it
// was loaded. A new value replaces it at every load and unload, so a
// wait begun before does not count after.
type partWrites struct {
	written int64 // log end offset after the last record appended
	durable int64 // how far the ISR is known to hold them
}

// pendingWait is one partition an operation waits for.
type pendingWait struct {
	part int32
	pw   *partWrites
	end  int64
}

// reply is a response to deliver once the waits are over: run learns
// whether the wait for part (-1: none) failed.
type reply struct {
	part int32
	run  func(failed bool)
}

// touchLocked makes the running operation wait for partition p's pending
// writes before it answers. Requires c.mu.
func (c *Coordinator) touchLocked(p int32) {
	if c.mu.touched == nil {
		c.mu.touched = map[int32]struct{}{}
	}
	c.mu.touched[p] = struct{}{}
}

// wroteLocked records an append to partition p ending at end. Requires c.mu.
func (c *Coordinator) wroteLocked(p int32, end int64) {
	pw := c.mu.writes[p]
	if pw == nil {
		pw = &partWrites{}
		c.mu.writes[p] = pw
	}
	pw.written = max(pw.written, end)
	c.touchLocked(p)
}

// resetWritesLocked forgets partition p's writes (a load or an unload):
// waits still running for them no longer count. Requires c.mu.
func (c *Coordinator) resetWritesLocked(p int32) { delete(c.mu.writes, p) }

// takeWaitsLocked lists the waits of the operation that just ran and
// clears its touched partitions. Requires c.mu.
func (c *Coordinator) takeWaitsLocked() []pendingWait {
	var out []pendingWait
	for p := range c.mu.touched {
		if pw := c.mu.writes[p]; pw != nil && pw.written > pw.durable {
			out = append(out, pendingWait{part: p, pw: pw, end: pw.written})
		}
	}
	clear(c.mu.touched)
	return out
}

// await waits, without c.mu, until the ISR holds every write listed, and
// returns the partitions whose wait failed (nil when none did). A wait
// across an unload fails too: the state it would confirm was dropped.
func (c *Coordinator) await(waits []pendingWait) map[int32]bool {
	if len(waits) == 0 {
		return nil
	}
	failed := map[int32]bool{}
	for _, w := range waits {
		if err := c.store.Await(w.part, w.end); err != nil {
			failed[w.part] = true
		}
	}
	c.mu.Lock()
	for _, w := range waits {
		switch {
		case c.mu.writes[w.part] != w.pw:
			failed[w.part] = true
		case !failed[w.part]:
			w.pw.durable = max(w.pw.durable, w.end)
		}
	}
	c.mu.Unlock()
	return failed
}

// replyJoin delivers a JoinGroup response of group g after the waits:
// NOT_COORDINATOR if the group's partition failed. Requires c.mu.
func (c *Coordinator) replyJoin(g *group, cb func(*kmsg.JoinGroupResponse), resp *kmsg.JoinGroupResponse) {
	p := c.PartitionFor(g.id)
	c.touchLocked(p)
	c.mu.out = append(c.mu.out, reply{part: p, run: func(failed bool) {
		if failed {
			resp = joinError(resp.MemberID, kerr.NotCoordinator)
		}
		cb(resp)
	}})
}

// replySync delivers a SyncGroup response of group g after the waits:
// NOT_COORDINATOR if the group's partition failed. Requires c.mu.
func (c *Coordinator) replySync(g *group, cb func(*kmsg.SyncGroupResponse), resp *kmsg.SyncGroupResponse) {
	p := c.PartitionFor(g.id)
	c.touchLocked(p)
	c.mu.out = append(c.mu.out, reply{part: p, run: func(failed bool) {
		if failed {
			resp = syncError(kerr.NotCoordinator)
		}
		cb(resp)
	}})
}

// failedGroups reports whether a group's partition is in failed.
func (c *Coordinator) failedGroups(failed map[int32]bool) func(groupID string) bool {
	return func(id string) bool { return failed[c.PartitionFor(id)] }
}

// failCodes sets code on every error-free partition of a response, through
// visit, which calls set for each partition's error code.
func failCodes(code int16, visit func(set func(*int16))) {
	visit(func(ec *int16) {
		if *ec == 0 {
			*ec = code
		}
	})
}
