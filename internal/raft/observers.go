package raft

import (
	"maps"
	"slices"
	"time"

	"go.etcd.io/raft/v3"
	"go.etcd.io/raft/v3/raftpb"
)

// The leader's view of the replicas that follow the log without voting,
// as Kafka's LeaderState keeps it (KIP-595, KIP-853):
//
//   - an observer is a broker-only node fetching committed entries with
//     GofkaMetadataFetch; the leader notes its fetch position and times and
//     forgets it once it has not fetched for the observer session timeout
//     (Kafka's OBSERVER_SESSION_TIMEOUT_MS, five minutes); a new leader
//     starts with none, as Kafka's new LeaderState does;
//   - a learner is a voter RemoveRaftVoter removed, which the leader goes
//     on replicating to (Kafka's removed voter goes on fetching). One that
//     has not answered this leader for the observer session timeout is
//     quiet: nothing is sent to it but a heartbeat now and then, so a
//     decommissioned controller costs the leader nothing; its answer to
//     one makes it an ordinary learner again, which catches up, and
//     AddRaftVoter can still promote it.

// DefaultObserverTimeout is Kafka's observer session timeout.
const DefaultObserverTimeout = 5 * time.Minute

// maxQuietProbe bounds the time between heartbeats to a quiet learner.
const maxQuietProbe = 5 * time.Second

// ObserverState is what the leader knows of one observer.
type ObserverState struct {
	ID          int32
	DirectoryID [16]byte // from the observer's meta.properties; zero when it sent none
	// LogEndOffset is the Kafka end offset of the log the observer holds,
	// from where its last fetch asked (-1 when below the leader's snapshot
	// and so unknown in offsets).
	LogEndOffset int64
	LastFetch    time.Time
	// LastCaughtUp is the last time its log held everything committed:
	// the time of a fetch from the committed end, or of the previous fetch
	// when this one asks from the committed end as of that one (Kafka's
	// rule); zero when never.
	LastCaughtUp time.Time
	leaderEnd    int64 // the committed end at the last fetch
}

// observed notes an observer's fetch from next on; only a leader tracks.
func (c *core) observed(id int32, dir [16]byte, next uint64) {
	if !c.isLeader() {
		return
	}
	now, end := c.cfg.Now(), c.disk.endOffsetAt(c.applied)
	fetched := int64(-1)
	switch first, _ := c.mem.FirstIndex(); {
	case next == 0:
		fetched = 0
	case next >= first:
		fetched = c.disk.endOffsetAt(next - 1)
	}
	o := c.observers[id]
	if o == nil {
		o = &ObserverState{ID: id}
		c.observers[id] = o
	}
	switch {
	case fetched >= end:
		o.LastCaughtUp = now
	case o.leaderEnd > 0 && fetched >= o.leaderEnd:
		o.LastCaughtUp = o.LastFetch
	}
	o.DirectoryID, o.LogEndOffset, o.LastFetch, o.leaderEnd = dir, fetched, now, end
}

// expireObservers forgets the observers that stopped fetching.
func (c *core) expireObservers() {
	now := c.cfg.Now()
	maps.DeleteFunc(c.observers, func(_ int32, o *ObserverState) bool {
		return now.Sub(o.LastFetch) >= c.cfg.ObserverTimeout
	})
}

// observerList is the observers by id, copied for publishing.
func (c *core) observerList() []ObserverState {
	var out []ObserverState
	for _, id := range slices.Sorted(maps.Keys(c.observers)) {
		out = append(out, *c.observers[id])
	}
	return out
}

// becameLeader or stepped down: a leader's observers and learners' quiet
// spells start afresh.
func (c *core) resetFollowers() {
	clear(c.observers)
	clear(c.probed)
	clear(c.quiet)
	c.leaderSince = c.cfg.Now()
}

// quietLearner reports whether id is a learner that has not answered this
// leader for the observer session timeout.
func (c *core) quietLearner(id uint64) bool {
	if !c.isLearner(id) {
		return false
	}
	last := c.leaderSince
	if t, ok := c.contact[id]; ok && t.After(last) {
		last = t
	}
	return c.cfg.Now().Sub(last) >= c.cfg.ObserverTimeout
}

func (c *core) isLearner(id uint64) bool {
	return slices.ContainsFunc(c.learners, func(v Voter) bool { return raftID(v.ID) == id })
}

// keep filters the messages to send: those to a quiet learner are dropped
// but for a heartbeat now and then. A dropped snapshot is reported failed,
// so raft sends it again once the learner answers.
func (c *core) keep(m raftpb.Message) bool {
	if !c.quietLearner(m.To) {
		if c.quiet[m.To] {
			delete(c.quiet, m.To)
			if c.isLearner(m.To) {
				c.cfg.Logger.Info("removed voter answers again; replicating to it", "voter", nodeID(m.To))
			}
		}
		return true
	}
	if !c.quiet[m.To] {
		c.quiet[m.To] = true
		c.cfg.Logger.Info("removed voter has not answered for the observer session timeout; "+
			"only heartbeats go to it now", "voter", nodeID(m.To), "timeout", c.cfg.ObserverTimeout)
	}
	now := c.cfg.Now()
	if m.Type == raftpb.MsgHeartbeat && now.Sub(c.probed[m.To]) >= min(c.cfg.ObserverTimeout, maxQuietProbe) {
		c.probed[m.To] = now
		return true
	}
	if m.Type == raftpb.MsgSnap {
		c.rn.ReportSnapshot(m.To, raft.SnapshotFailure)
	}
	return false
}
