package group

import (
	"fmt"
	"sort"
	"sync"
	"time"
)

// fakeClock runs timers only when a test advances it.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer
}

type fakeTimer struct {
	c       *fakeClock
	at      time.Time
	f       func()
	stopped bool
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.UnixMilli(1_700_000_000_000)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) AfterFunc(d time.Duration, f func()) Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{c: c, at: c.now.Add(d), f: f}
	c.timers = append(c.timers, t)
	return t
}

func (t *fakeTimer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	was := !t.stopped
	t.stopped = true
	return was
}

// Advance moves time forward, firing due timers in time order.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	end := c.now.Add(d)
	c.mu.Unlock()
	for {
		c.mu.Lock()
		sort.SliceStable(c.timers, func(i, j int) bool { return c.timers[i].at.Before(c.timers[j].at) })
		var next *fakeTimer
		for i, t := range c.timers {
			if !t.stopped && !t.at.After(end) {
				next = t
				c.timers = append(c.timers[:i], c.timers[i+1:]...)
				break
			}
		}
		if next == nil {
			c.now = end
			c.mu.Unlock()
			return
		}
		next.stopped = true
		c.now = next.at
		c.mu.Unlock()
		next.f()
	}
}

// fakeStore is an in-memory __consumer_offsets. A wait for a held
// partition (hold) blocks until release ends it, with an error or not.
type fakeStore struct {
	mu     sync.Mutex
	parts  map[int32][][]byte
	fail   error
	fenced bool
	held   map[int32]*heldWaits
}

// heldWaits is a held partition: waiting counts the blocked waits, done
// is closed by release with err.
type heldWaits struct {
	waiting int
	done    chan struct{}
	err     error
}

func newFakeStore() *fakeStore {
	return &fakeStore{parts: map[int32][][]byte{}, held: map[int32]*heldWaits{}}
}

func (s *fakeStore) Write(p int32, b []byte) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return -1, s.fail
	}
	s.parts[p] = append(s.parts[p], append([]byte(nil), b...))
	return int64(len(s.parts[p])), nil
}

// WriteTransactional appends like Write; fenced makes it fail.
func (s *fakeStore) WriteTransactional(p int32, b []byte) (int64, error) {
	if s.fenced {
		return -1, ErrProducerFenced
	}
	return s.Write(p, b)
}

func (s *fakeStore) Await(p int32, end int64) error {
	s.mu.Lock()
	h := s.held[p]
	if h == nil {
		s.mu.Unlock()
		return nil
	}
	h.waiting++
	s.mu.Unlock()
	<-h.done
	return h.err
}

// hold makes the waits for partition p block until release.
func (s *fakeStore) hold(p int32) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.held[p] = &heldWaits{done: make(chan struct{})}
}

// waiting is the number of waits blocked on partition p.
func (s *fakeStore) waiting(p int32) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if h := s.held[p]; h != nil {
		return h.waiting
	}
	return 0
}

// release ends the waits of partition p with err (wrapped in
// ErrNotCoordinator, as the broker's store does) or nil, and stops
// holding it.
func (s *fakeStore) release(p int32, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.held[p]
	if err != nil {
		h.err = fmt.Errorf("%w: %w", ErrNotCoordinator, err)
	}
	close(h.done)
	delete(s.held, p)
}

func (s *fakeStore) Replay(p int32, fn func([]byte) error) error {
	s.mu.Lock()
	bs := append([][]byte(nil), s.parts[p]...)
	s.mu.Unlock()
	for _, b := range bs {
		if err := fn(b); err != nil {
			return err
		}
	}
	return nil
}

// fakeMeta is a fixed set of topics.
type fakeMeta map[string]int32

func (m fakeMeta) Topic(name string) ([16]byte, int32, bool) {
	n, ok := m[name]
	return idOf(name), n, ok
}

func (m fakeMeta) TopicByID(id [16]byte) (string, int32, bool) {
	for name, n := range m {
		if idOf(name) == id {
			return name, n, true
		}
	}
	return "", 0, false
}

func (m fakeMeta) TopicNames() []string {
	var out []string
	for name := range m {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

func idOf(name string) [16]byte {
	var id [16]byte
	copy(id[:], name)
	id[15] = 1
	return id
}

// harness is a coordinator over fakes.
type harness struct {
	c     *Coordinator
	clock *fakeClock
	store *fakeStore
	meta  fakeMeta
}

func newHarness(mod func(*Config)) *harness {
	h := &harness{clock: newFakeClock(), store: newFakeStore(), meta: fakeMeta{"t": 4, "u": 2}}
	cfg := DefaultConfig()
	cfg.NumPartitions = 3
	cfg.InitialRebalanceDelay = 0
	cfg.MinSessionTimeout = 100 * time.Millisecond
	if mod != nil {
		mod(&cfg)
	}
	h.c = New(cfg, h.clock, h.store, func() Metadata { return h.meta })
	if err := h.c.Load(); err != nil {
		panic(err)
	}
	return h
}
