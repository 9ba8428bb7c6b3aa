package broker

// A Fetch with fewer than MinBytes ready parks until it can be answered,
// as Kafka's DelayedFetch in its purgatory: no goroutine waits for it.
// Whoever makes it answerable checks it (Kafka's checkAndComplete): an
// append as leader on the appending goroutine, which holds no lock then;
// a high watermark move, a follower's append, a coordinator's append or a
// partition's deletion on a short-lived goroutine, since those come with
// locks held. One timer per fetch expires it at MaxWaitMillis, and
// closing the node answers every parked fetch. A fetch is checked by one
// goroutine at a time (its turn); a wake while it is checked makes the
// checker read once more, so an append is never missed, and only the
// holder of the turn answers, so a fetch is answered exactly once.

import (
	"sync"
	"sync/atomic"
	"time"
)

// parkedFetch is a parked Fetch (a partition waiter).
type parkedFetch struct {
	op      *fetchOp
	parts   []*partition
	timer   *time.Timer
	state   atomic.Int32
	expired atomic.Bool // MaxWaitMillis passed: answer what is there
	closing atomic.Bool // the node shuts down: close the reply
}

// The states of a parked fetch.
const (
	parkIdle     int32 = iota // parked, no one checks it
	parkChecking              // a goroutine holds the turn
	parkAgain                 // checking, and woken meanwhile: read again
	parkDone                  // answered
)

// park registers op on its partitions and arms its timer; gen is the sum
// of the partitions' wake generations its last read saw, so an append
// between that read and the registration is not missed.
func (op *fetchOp) park(gen uint64) {
	pf := &parkedFetch{op: op, parts: op.partitions()}
	pf.state.Store(parkChecking) // this goroutine holds the turn until parked
	if !op.n.parked.add(pf) {
		op.reply.Close(errShuttingDown)
		return
	}
	var now uint64
	for _, p := range pf.parts {
		p.addWaiter(pf)
		now += p.gen.Load()
	}
	n := op.n
	pf.timer = time.AfterFunc(time.Until(op.deadline), func() { n.parked.run(n, pf.expire) })
	if now != gen || !pf.state.CompareAndSwap(parkChecking, parkIdle) {
		pf.check()
	}
}

// wake tells the fetch that one of its partitions changed. With inline
// the caller holds no lock and checks it on its own goroutine; otherwise
// a node-owned goroutine does.
func (pf *parkedFetch) wake(inline bool) {
	for {
		switch pf.state.Load() {
		case parkIdle:
			if !pf.state.CompareAndSwap(parkIdle, parkChecking) {
				continue
			}
			if inline {
				pf.check()
			} else if !pf.op.n.parked.goCheck(pf.op.n, pf.check) {
				pf.finish() // the node closes: this holder answers
				pf.op.reply.Close(errShuttingDown)
			}
			return
		case parkChecking:
			if pf.state.CompareAndSwap(parkChecking, parkAgain) {
				return
			}
		default: // parkAgain, parkDone
			return
		}
	}
}

// expire answers the fetch with what is ready once MaxWaitMillis passed.
func (pf *parkedFetch) expire() {
	pf.expired.Store(true)
	pf.wake(true)
}

// check reads the fetch's partitions and answers if MinBytes are ready,
// an error is found, the wait is over or the node closes; the caller
// holds the turn, which check gives back.
func (pf *parkedFetch) check() {
	op := pf.op
	for {
		if pf.closing.Load() {
			pf.finish()
			op.reply.Close(errShuttingDown)
			return
		}
		topics, bytes, hasErr := op.read()
		if hasErr || bytes >= int(op.req.MinBytes) || pf.expired.Load() {
			pf.finish()
			op.respond(topics)
			return
		}
		if pf.state.CompareAndSwap(parkChecking, parkIdle) {
			return
		}
		pf.state.Store(parkChecking) // woken while reading: read again
	}
}

// finish takes the fetch out of its partitions, its timer and the node's
// parked set; only the holder of the turn calls it.
func (pf *parkedFetch) finish() {
	pf.state.Store(parkDone)
	pf.timer.Stop()
	for _, p := range pf.parts {
		p.removeWaiter(pf)
	}
	pf.op.n.parked.remove(pf)
}

// parkedSet is the node's parked fetches, so closing the node answers
// them, and the gate of the goroutines that check them.
type parkedSet struct {
	mu struct {
		sync.Mutex
		closed bool
		ops    map[*parkedFetch]struct{}
	}
}

func (s *parkedSet) add(pf *parkedFetch) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.mu.closed {
		return false
	}
	if s.mu.ops == nil {
		s.mu.ops = make(map[*parkedFetch]struct{})
	}
	s.mu.ops[pf] = struct{}{}
	return true
}

func (s *parkedSet) remove(pf *parkedFetch) {
	s.mu.Lock()
	delete(s.mu.ops, pf)
	s.mu.Unlock()
}

// size is the number of parked fetches.
func (s *parkedSet) size() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.mu.ops)
}

// goCheck runs f on a goroutine the node waits for, unless the node
// closes (false).
func (s *parkedSet) goCheck(n *Node, f func()) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.mu.closed {
		return false
	}
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		f()
	}()
	return true
}

// run runs f (a timer's callback) as a task the node waits for, unless
// the node closes (then close answers the fetch).
func (s *parkedSet) run(n *Node, f func()) {
	s.mu.Lock()
	if s.mu.closed {
		s.mu.Unlock()
		return
	}
	n.wg.Add(1)
	s.mu.Unlock()
	defer n.wg.Done()
	f()
}

// close stops new parking and checks, and answers every parked fetch
// (closing its connection); a fetch being checked is answered by its
// checker, which the node waits for.
func (s *parkedSet) close() {
	s.mu.Lock()
	s.mu.closed = true
	ops := make([]*parkedFetch, 0, len(s.mu.ops))
	for pf := range s.mu.ops {
		ops = append(ops, pf)
	}
	s.mu.Unlock()
	for _, pf := range ops {
		pf.closing.Store(true)
		pf.wake(true)
	}
}
