package raft

import (
	"errors"
	"time"

	"go.etcd.io/raft/v3"
)

// Adding a voter as Kafka's AddRaftVoter does (KIP-853): the new voter
// counts toward the quorum only once it has caught up with the leader, so
// adding a node that is down, slow or far behind never costs the quorum its
// majority (one voter plus a dead one would commit nothing). A node that is
// neither a voter nor a learner is first added as a learner, which the
// leader replicates the log to (from a snapshot); once its log holds
// everything committed when its catch-up began, the leader proposes its
// promotion. One that has not caught up by the request's deadline stays a
// learner (Kafka's observer) and a later request promotes it.

// ErrNotCaughtUp fails a voter addition whose node did not catch up with
// the leader's log before the request's deadline.
var ErrNotCaughtUp = errors.New("raft: the new voter has not caught up with the leader")

// errVoterChangeBusy refuses a voter change while another is under way.
var errVoterChangeBusy = errors.New("raft: a voter change is already in progress")

// promotion is a voter addition waiting for its learner to catch up.
type promotion struct {
	v        Voter
	learner  bool   // v is a learner now (its addition as one is applied)
	target   uint64 // the commit index v's log must reach
	deadline time.Time
	d        done
}

// addVoter adds v as a voter once it has caught up; d gets the outcome.
func (c *core) addVoter(v Voter, deadline time.Time, d done) {
	if err := c.proposeErr(); err != nil {
		d(-1, err)
		return
	}
	if c.promoting != nil || c.confWaiter != nil {
		d(-1, errVoterChangeBusy)
		return
	}
	p := &promotion{v: v, deadline: deadline, d: d}
	c.promoting = p
	if c.isLearner(raftID(v.ID)) {
		c.catchUp(p)
		return
	}
	c.proposeConf(addLearner(v), func(_ int64, err error) {
		if err != nil {
			c.promoting = nil
			d(-1, err)
			return
		}
		c.catchUp(p)
	})
}

// catchUp starts p's wait: its learner must reach what is committed now.
func (c *core) catchUp(p *promotion) {
	p.learner, p.target = true, c.rn.BasicStatus().Commit
	c.cfg.Logger.Info("voter to add is a learner; waiting for it to catch up", "voter", p.v.ID, "commit", p.target)
}

// checkPromotion proposes the pending promotion once its learner caught
// up, or fails it past its deadline.
func (c *core) checkPromotion() {
	p := c.promoting
	if p == nil || !p.learner {
		return
	}
	if !c.cfg.Now().Before(p.deadline) {
		c.promoting = nil
		p.d(-1, ErrNotCaughtUp)
		return
	}
	if c.learnerMatch(p.v.ID) < p.target {
		return
	}
	c.promoting = nil
	c.proposeConf(addVoter(p.v), p.d)
}

// learnerMatch is the last index the leader knows id's log matches.
func (c *core) learnerMatch(id int32) uint64 {
	var match uint64
	c.rn.WithProgress(func(rid uint64, _ raft.ProgressType, pr trackerProgress) {
		if rid == raftID(id) {
			match = pr.Match
		}
	})
	return match
}

// failPromotion fails a pending promotion (the leader stepped down).
func (c *core) failPromotion(err error) {
	if p := c.promoting; p != nil {
		c.promoting = nil
		p.d(-1, err)
	}
}
