package quota

import (
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofka/gofka/internal/metadata"
)

// Type is a client quota type, each with its own key and sensors.
type Type uint8

// Quota types, named as Kafka's QuotaType (the metric group).
const (
	Produce Type = iota
	Fetch
	Request
	ControllerMutation
	numTypes
)

var typeKeys = [numTypes]string{ProducerByteRate, ConsumerByteRate, RequestPercentage, ControllerMutationRate}
var typeNames = [numTypes]string{"Produce", "Fetch", "Request", "ControllerMutation"}

// Key returns the quota key of t.
func (t Type) Key() string { return typeKeys[t] }

func (t Type) String() string { return typeNames[t] }

// sensorIdle is how long an unused sensor lives, as Kafka's inactive
// sensor expiration (1 hour).
const sensorIdle = time.Hour

// Config configures a Manager.
type Config struct {
	// Window samples the byte and request rates (quota.window.num,
	// quota.window.size.seconds).
	Window Window
	// MutationWindow samples controller mutations
	// (controller.quota.window.num, controller.quota.window.size.seconds).
	MutationWindow Window
}

// Manager measures clients against their quotas. Its methods are safe for
// concurrent use; with no quota of a type set, recording it costs one
// atomic load.
type Manager struct {
	cfg    Config
	quotas atomic.Pointer[metadata.Quotas]
	active [numTypes]atomic.Bool // some entity sets the type's key

	mu struct {
		sync.Mutex
		resolved map[resolveKey]Resolved // cleared by Update
		sensors  map[sensorKey]*sensor
	}
}

type resolveKey struct {
	t Type
	c Client
}

type sensorKey struct {
	t Type
	c Client
}

// sensor is the measurement of one quota (type and sensor client).
type sensor struct {
	rate      *Rate
	bucket    *TokenBucket // controller mutations only
	throttle  *Rate        // throttle ms given, for the throttle-time average
	throttleN *Rate        // responses counted in throttle
	bound     float64
	used      time.Time
}

// NewManager returns a manager with no quotas.
func NewManager(cfg Config) *Manager {
	cfg.Window, cfg.MutationWindow = cfg.Window.valid(), cfg.MutationWindow.valid()
	m := &Manager{cfg: cfg}
	m.mu.resolved = map[resolveKey]Resolved{}
	m.mu.sensors = map[sensorKey]*sensor{}
	return m
}

// Update installs the quotas of a new metadata image; the same set again is
// a no-op.
func (m *Manager) Update(q *metadata.Quotas) {
	if m.quotas.Load() == q {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.quotas.Store(q)
	clear(m.mu.resolved)
	for t := range numTypes {
		m.active[t].Store(hasKey(q, t.Key()))
	}
}

func hasKey(q *metadata.Quotas, key string) bool {
	for _, kv := range q.Entities() {
		if _, ok := kv[key]; ok {
			return true
		}
	}
	return false
}

// Active reports whether any entity has a quota of type t.
func (m *Manager) Active(t Type) bool { return m.active[t].Load() }

// sensorLocked returns the sensor of c's quota of type t, nil when c has
// none.
func (m *Manager) sensorLocked(t Type, c Client, now time.Time) *sensor {
	rk := resolveKey{t, c}
	r, ok := m.mu.resolved[rk]
	if !ok {
		r = Resolve(m.quotas.Load(), c, t.Key())
		m.mu.resolved[rk] = r
	}
	if !r.OK {
		return nil
	}
	sk := sensorKey{t, r.Sensor}
	s := m.mu.sensors[sk]
	if s == nil {
		s = m.newSensor(t)
		m.mu.sensors[sk] = s
	}
	s.bound, s.used = r.Bound, now
	return s
}

func (m *Manager) newSensor(t Type) *sensor {
	w := m.cfg.Window
	s := &sensor{rate: NewRate(w), throttle: NewRate(w), throttleN: NewRate(w)}
	if t == ControllerMutation {
		s.bucket = NewTokenBucket(m.cfg.MutationWindow)
	}
	return s
}

// Record adds value (bytes, or request time) to c's quota of type t at now
// and returns how long c must be throttled. Request time throttles are
// bounded by one window, as Kafka's RequestQuotaManager bounds them; byte
// rate throttles are not, as in Kafka's ClientQuotaManager.
func (m *Manager) Record(t Type, c Client, value float64, now time.Time) time.Duration {
	if !m.active[t].Load() {
		return 0
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.sensorLocked(t, c, now)
	if s == nil {
		return 0
	}
	s.rate.Record(value, now)
	d := m.throttleOf(t, s, now)
	s.noteThrottle(d, now)
	return d
}

// throttleOf is a sensor's throttle time at now; request time throttles
// are bounded by one window.
func (m *Manager) throttleOf(t Type, s *sensor, now time.Time) time.Duration {
	d := s.rate.ThrottleTime(s.bound, now)
	if t == Request {
		d = min(d, m.cfg.Window.Size)
	}
	return d
}

// RecordRequestTime records handler time against request_percentage: a
// percentage of one thread's time over the window.
func (m *Manager) RecordRequestTime(c Client, d time.Duration, now time.Time) time.Duration {
	return m.Record(Request, c, float64(d)/float64(10*time.Millisecond), now)
}

// Unrecord takes back a recorded value (a fetch answered empty because it
// was throttled).
func (m *Manager) Unrecord(t Type, c Client, value float64, now time.Time) {
	if !m.active[t].Load() {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if s := m.sensorLocked(t, c, now); s != nil {
		s.rate.Unrecord(value, now)
	}
}

// MaxValueInWindow is the most c may take of type t in one window span,
// math.MaxInt64 without a quota: fetch responses are capped by it.
func (m *Manager) MaxValueInWindow(t Type, c Client, now time.Time) int64 {
	if !m.active[t].Load() {
		return math.MaxInt64
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.sensorLocked(t, c, now)
	if s == nil {
		return math.MaxInt64
	}
	return int64(min(s.rate.MaxValueInWindow(s.bound), math.MaxInt64/2))
}

// noteThrottle adds one response's throttle to the throttle-time average.
func (s *sensor) noteThrottle(d time.Duration, now time.Time) {
	s.throttle.Record(float64(d.Milliseconds()), now)
	s.throttleN.Record(1, now)
}

// Throttle returns c's throttle for type t at now without recording:
// how long until the measured rate is back within the quota (bounded by
// one window for request time).
func (m *Manager) Throttle(t Type, c Client, now time.Time) time.Duration {
	if !m.active[t].Load() {
		return 0
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if s := m.sensorLocked(t, c, now); s != nil {
		return m.throttleOf(t, s, now)
	}
	return 0
}
