package storage

import (
	"sync"
	"time"
)

// deleter closes and removes deleted segments after file.delete.delay.ms,
// so that readers holding a Slice of them keep working meanwhile. Its
// timers are owned by the Log: Close runs whatever is still pending.
type deleter struct {
	mu      sync.Mutex
	pending map[*segment]*time.Timer
	wg      sync.WaitGroup
}

func (d *deleter) init() { d.pending = map[*segment]*time.Timer{} }

// schedule removes s after delay (at once when delay <= 0).
func (d *deleter) schedule(s *segment, delay time.Duration) {
	if delay <= 0 {
		s.removeDeleted()
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.wg.Add(1)
	d.pending[s] = time.AfterFunc(delay, func() { d.fire(s) })
}

func (d *deleter) fire(s *segment) {
	defer d.wg.Done()
	d.mu.Lock()
	_, ok := d.pending[s]
	delete(d.pending, s)
	d.mu.Unlock()
	if ok {
		s.removeDeleted()
	}
}

// flush removes every pending segment now and waits for running timers.
func (d *deleter) flush() {
	d.mu.Lock()
	now := d.pending
	d.pending = map[*segment]*time.Timer{}
	d.mu.Unlock()
	for s, t := range now {
		if t.Stop() {
			d.wg.Done()
		}
		s.removeDeleted()
	}
	d.wg.Wait()
}
