package quota

import (
	"sort"
	"time"
)

// Stat is the measurement of one client quota, for metrics: Kafka's
// kafka.server:type=<Type>,user=<User>,client-id=<ClientID> group with
// its byte-rate (request-time, mutation-rate) and throttle-time.
type Stat struct {
	Type   Type
	Client Client
	// Rate is the measured rate: bytes/s, percent of a thread, or
	// partition mutations/s.
	Rate float64
	// Bound is the quota.
	Bound float64
	// ThrottleMs is the average throttle time of the responses in the
	// window, in milliseconds.
	ThrottleMs float64
}

// Stats measures every live sensor at now, sorted by type and client, and
// forgets sensors unused for an hour.
func (m *Manager) Stats(now time.Time) []Stat {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Stat
	for k, s := range m.mu.sensors {
		if now.Sub(s.used) > sensorIdle {
			delete(m.mu.sensors, k)
			continue
		}
		st := Stat{Type: k.t, Client: k.c, Rate: s.rate.Measure(now), Bound: s.bound}
		if n := s.throttleN.Measure(now); n > 0 {
			st.ThrottleMs = s.throttle.Measure(now) / n
		}
		out = append(out, st)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Type != b.Type {
			return a.Type < b.Type
		}
		if a.Client.User != b.Client.User {
			return a.Client.User < b.Client.User
		}
		return a.Client.ClientID < b.Client.ClientID
	})
	return out
}
