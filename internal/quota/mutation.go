package quota

import "time"

// MutationCheck is the strict controller mutation check of KIP-599 for
// CreateTopics v6+, CreatePartitions v3+ and DeleteTopics v5+: while c's
// token bucket is in debt, mutations are refused with
// THROTTLING_QUOTA_EXCEEDED and the returned throttle time.
func (m *Manager) MutationCheck(c Client, now time.Time) (exceeded bool, throttle time.Duration) {
	if !m.active[ControllerMutation].Load() {
		return false, 0
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.sensorLocked(ControllerMutation, c, now)
	if s == nil || !s.bucket.Exceeded(s.bound, now) {
		return false, 0
	}
	return true, s.bucket.ThrottleTime(s.bound, now)
}

// RecordMutation takes n partition mutations from c's bucket, which may go
// into debt, and returns the throttle time to answer with.
func (m *Manager) RecordMutation(c Client, n int, now time.Time) time.Duration {
	if !m.active[ControllerMutation].Load() {
		return 0
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.sensorLocked(ControllerMutation, c, now)
	if s == nil {
		return 0
	}
	s.bucket.Take(float64(n), s.bound, now)
	s.rate.Record(float64(n), now)
	d := s.bucket.ThrottleTime(s.bound, now)
	s.noteThrottle(d, now)
	return d
}
