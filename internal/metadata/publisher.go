package metadata

import (
	"sync"
	"sync/atomic"
)

// Publisher holds the current image and hands every new one to its subscribers.
// Current is lock-free; Publish and Subscribe are serialized.
type Publisher struct {
	cur atomic.Pointer[Image]
	mu  struct {
		sync.Mutex
		subs []func(old, next *Image, d Delta)
	}
}

// NewPublisher returns a publisher whose current image is initial (Empty() if nil).
func NewPublisher(initial *Image) *Publisher {
	if initial == nil {
		initial = Empty()
	}
	p := &Publisher{}
	p.cur.Store(initial)
	return p
}

// Current returns the latest published image.
func (p *Publisher) Current() *Image { return p.cur.Load() }

// Publish makes next the current image, then calls every subscriber synchronously, in
// subscription order, with the previous image, next and Diff(previous, next). Concurrent
// Publish calls are serialized so subscribers see images in publication order.
// Subscribers must not call Publish or Subscribe.
func (p *Publisher) Publish(next *Image) {
	p.mu.Lock()
	defer p.mu.Unlock()
	old := p.cur.Swap(next)
	if len(p.mu.subs) == 0 {
		return
	}
	d := Diff(old, next)
	for _, fn := range p.mu.subs {
		fn(old, next, d)
	}
}

// Subscribe adds fn to the subscribers called by every later Publish.
func (p *Publisher) Subscribe(fn func(old, next *Image, d Delta)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.mu.subs = append(p.mu.subs, fn)
}
