package share

import (
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
)

// Share-session epochs of KIP-932: 0 opens a session, -1 closes it, and
// each other request carries the epoch the session expects next.
const (
	InitialEpoch = 0
	FinalEpoch   = -1
)

type sessionKey struct{ group, member string }

// session is one member's share session on this node: the partitions it
// fetches and the epoch its next request must carry.
type session struct {
	epoch    int32
	parts    map[TP]struct{}
	lastUsed time.Time
}

// SessionUpdate is what a ShareFetch or ShareAcknowledge does to its
// session: Add and Forget apply to fetches only.
type SessionUpdate struct {
	Group, Member string
	Epoch         int32
	Add, Forget   []TP
}

// Session checks a request's session epoch and applies it: it opens,
// advances or closes the member's session and returns the partitions
// the session fetches from. A closed session's records are released.
func (c *Coordinator) Session(u SessionUpdate) ([]TP, *kerr.Error) {
	k := sessionKey{u.Group, u.Member}
	c.mu.Lock()
	s, err := c.sessionLocked(k, u.Epoch)
	if err != nil {
		c.mu.Unlock()
		return nil, err
	}
	if u.Epoch == FinalEpoch { // the caller applies acks, then CloseSession
		c.mu.Unlock()
		return nil, nil
	}
	for _, tp := range u.Add {
		s.parts[tp] = struct{}{}
	}
	for _, tp := range u.Forget {
		delete(s.parts, tp)
	}
	out := make([]TP, 0, len(s.parts))
	for tp := range s.parts {
		out = append(out, tp)
	}
	c.mu.Unlock()
	sortTPs(out)
	return out, nil
}

// sessionLocked finds the session a request's epoch names, opening a new
// one at epoch 0 (which replaces and releases an old one).
func (c *Coordinator) sessionLocked(k sessionKey, epoch int32) (*session, *kerr.Error) {
	s := c.mu.sessions[k]
	switch {
	case epoch == InitialEpoch:
		if s == nil && len(c.mu.sessions) >= c.cfg.MaxSessions {
			return nil, kerr.ShareSessionLimitReached
		}
		if s != nil {
			c.mu.Unlock()
			c.releaseMember(k.group, k.member)
			c.mu.Lock()
		}
		s = &session{epoch: 1, parts: map[TP]struct{}{}, lastUsed: c.now()}
		c.mu.sessions[k] = s
		return s, nil
	case s == nil:
		return nil, kerr.ShareSessionNotFound
	case epoch == FinalEpoch:
		return s, nil
	case epoch != s.epoch:
		return nil, kerr.InvalidShareSessionEpoch
	}
	s.epoch++
	if s.epoch <= 0 {
		s.epoch = 1
	}
	s.lastUsed = c.now()
	return s, nil
}

// closeSessions drops a member's session (it left the group).
func (c *Coordinator) closeSessions(groupID, memberID string) {
	c.mu.Lock()
	delete(c.mu.sessions, sessionKey{groupID, memberID})
	c.mu.Unlock()
}

// CloseSession ends a session after a final-epoch request and releases
// what the member still holds.
func (c *Coordinator) CloseSession(groupID, memberID string) {
	c.closeSessions(groupID, memberID)
	c.releaseMember(groupID, memberID)
}

// dropIdleSessions closes the sessions not used for their group's
// session timeout (their member died or moved on), releasing what the
// member holds. Membership is not consulted: with several brokers, the
// member's group lives on the coordinator, not necessarily here.
func (c *Coordinator) dropIdleSessions(now time.Time) {
	var idle []sessionKey
	c.mu.Lock()
	last := make(map[sessionKey]time.Time, len(c.mu.sessions))
	for k, s := range c.mu.sessions {
		last[k] = s.lastUsed
	}
	c.mu.Unlock()
	timeouts := map[string]time.Duration{}
	for k, t := range last {
		to, ok := timeouts[k.group]
		if !ok {
			to = c.Settings(k.group).SessionTimeout
			timeouts[k.group] = to
		}
		if now.Sub(t) > to {
			idle = append(idle, k)
		}
	}
	for _, k := range idle {
		c.CloseSession(k.group, k.member)
	}
}

// Touch marks a member's session used (a long poll waiting on it).
func (c *Coordinator) Touch(groupID, memberID string) {
	c.mu.Lock()
	if s := c.mu.sessions[sessionKey{groupID, memberID}]; s != nil {
		s.lastUsed = c.now()
	}
	c.mu.Unlock()
}
