package wire

// queue is a fixed-capacity ring of slots in request order.
type queue struct {
	ring []*slot
	head int
	n    int
}

func newQueue(capacity int) queue { return queue{ring: make([]*slot, capacity)} }

// full reports whether no more slots fit.
func (q *queue) full() bool { return q.n == len(q.ring) }

// push appends s; the caller checked full.
func (q *queue) push(s *slot) {
	q.ring[(q.head+q.n)%len(q.ring)] = s
	q.n++
}

// peek returns the oldest slot, or nil.
func (q *queue) peek() *slot {
	if q.n == 0 {
		return nil
	}
	return q.ring[q.head]
}

// pop removes the oldest slot.
func (q *queue) pop() {
	q.ring[q.head] = nil
	q.head = (q.head + 1) % len(q.ring)
	q.n--
}
