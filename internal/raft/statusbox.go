package raft

import "sync/atomic"

// statusBox holds the latest published Status and lets waiters sleep
// until the next one instead of polling.
type statusBox struct {
	cur    atomic.Pointer[Status]
	notify atomic.Pointer[chan struct{}] // closed at the next store; nil until someone waits
}

func (b *statusBox) load() *Status { return b.cur.Load() }

// store publishes s and wakes everyone waiting on changed.
func (b *statusBox) store(s *Status) {
	b.cur.Store(s)
	if p := b.notify.Swap(nil); p != nil {
		close(*p)
	}
}

// changed returns a channel closed at the next store. Take it before
// reading the status it is to follow, so no store falls in between.
func (b *statusBox) changed() <-chan struct{} {
	for {
		if p := b.notify.Load(); p != nil {
			return *p
		}
		ch := make(chan struct{})
		if b.notify.CompareAndSwap(nil, &ch) {
			return ch
		}
	}
}
