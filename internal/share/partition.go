package share

import (
	"fmt"
)

// State is the delivery state of one record of a share partition, with
// Kafka's numbering (the DeliveryState of __share_group_state batches).
type State int8

// Delivery states. Acquired is never written to disk: a record acquired
// when the state is written is written as Available.
const (
	Available    State = 0
	Acquired     State = 1
	Acknowledged State = 2
	Archived     State = 4
)

// AckType is an acknowledgement type of ShareFetch and ShareAcknowledge.
type AckType int8

// Acknowledgement types (KIP-932).
const (
	AckGap     AckType = 0
	AckAccept  AckType = 1
	AckRelease AckType = 2
	AckReject  AckType = 3
	// AckRenew extends the member's lock on an acquired record (KIP-1222).
	AckRenew AckType = 4
)

// Limits are a share partition's settings (group.share.* properties).
type Limits struct {
	// LockMs is group.share.record.lock.duration.ms.
	LockMs int64
	// MaxDeliveries is group.share.delivery.count.limit.
	MaxDeliveries int16
	// MaxLocks is group.share.partition.max.record.locks: the most
	// in-flight records (between start and end) at once.
	MaxLocks int
}

// rec is one in-flight record.
type rec struct {
	state    State
	count    int16  // delivery count
	member   string // holder while Acquired
	deadline int64  // lock expiry (ms) while Acquired
}

// Range is a run of acquired records with one delivery count.
type Range struct {
	First, Last int64
	Count       int16
}

// Batch is a run of records with one state and delivery count, as in a
// __share_group_state StateBatch.
type Batch struct {
	First, Last int64
	State       State
	Count       int16
}

// Partition is the state machine of one share group on one partition:
// records in [start, end) are in flight, each Available, Acquired,
// Acknowledged or Archived; records before start are done, records from
// end on were never acquired. It is deterministic and does no I/O: the
// caller passes the time, reads the log and persists State.
type Partition struct {
	lim   Limits
	start int64
	recs  []rec // recs[i] is offset start+i; len is end-start
}

// NewPartition returns a partition starting at start with nothing in flight.
func NewPartition(lim Limits, start int64) *Partition {
	return &Partition{lim: lim, start: start}
}

// restoreSlack bounds a restored window beyond MaxLocks.
const restoreSlack = 1 << 16

// Restore rebuilds a partition from its persisted start offset and batches.
// Batches below start are dropped; holes between batches are Available.
// States further than restoreSlack past MaxLocks from start are dropped
// (records there are delivered again), so no stored state, however
// large or corrupt, makes an unbounded window.
func Restore(lim Limits, start int64, batches []Batch) *Partition {
	p := NewPartition(lim, start)
	limit := start + int64(max(lim.MaxLocks, 0)) + restoreSlack
	for _, b := range batches {
		for o := max(b.First, start); o <= b.Last && o < limit; o++ {
			p.grow(o + 1)
			st := b.State
			if st == Acquired {
				st = Available
			}
			p.recs[o-start] = rec{state: st, count: b.Count}
		}
	}
	p.advance()
	return p
}

// SetLimits changes the settings for what happens from now on.
func (p *Partition) SetLimits(lim Limits) { p.lim = lim }

// Start is the share-partition start offset.
func (p *Partition) Start() int64 { return p.start }

// End is the first offset never acquired.
func (p *Partition) End() int64 { return p.start + int64(len(p.recs)) }

// grow extends the in-flight window to end as never-delivered records.
func (p *Partition) grow(end int64) {
	for p.End() < end {
		p.recs = append(p.recs, rec{})
	}
}

// NextFetch is the first offset a fetch should read from: the first
// Available in-flight record, else End.
func (p *Partition) NextFetch() int64 {
	for i := range p.recs {
		if p.recs[i].state == Available {
			return p.start + int64(i)
		}
	}
	return p.End()
}

// Acquire locks for member up to maxRecords Available records below
// upTo (the end of what the caller read from the log), first those in
// flight, then new ones from End while fewer than MaxLocks are in
// flight. It returns the acquired offsets as ranges.
func (p *Partition) Acquire(member string, nowMs int64, maxRecords int, upTo int64) []Range {
	var out []Range
	take := func(o int64) {
		r := &p.recs[o-p.start]
		r.state, r.member, r.deadline = Acquired, member, nowMs+p.lim.LockMs
		if r.count < 1<<15-1 {
			r.count++
		}
		if n := len(out); n > 0 && out[n-1].Last == o-1 && out[n-1].Count == r.count {
			out[n-1].Last = o
			return
		}
		out = append(out, Range{First: o, Last: o, Count: r.count})
	}
	n := 0
	for o := p.start; o < p.End() && o < upTo && n < maxRecords; o++ {
		if p.recs[o-p.start].state == Available {
			take(o)
			n++
		}
	}
	for o := p.End(); o < upTo && n < maxRecords && len(p.recs) < p.maxLocks(); o++ {
		p.grow(o + 1)
		take(o)
		n++
	}
	return out
}

func (p *Partition) maxLocks() int {
	if p.lim.MaxLocks <= 0 {
		return 1 << 30
	}
	return p.lim.MaxLocks
}

// Acknowledge applies acknowledgement types to [first, last] for member
// at time nowMs: one type for the whole range, or one per offset. Every
// offset must be Acquired by member; otherwise nothing changes and the
// error wraps ErrInvalidRecordState.
func (p *Partition) Acknowledge(member string, first, last int64, types []AckType, nowMs int64) error {
	if err := p.checkAck(member, first, last, types); err != nil {
		return err
	}
	for o := first; o <= last; o++ {
		t := types[0]
		if len(types) > 1 {
			t = types[o-first]
		}
		if r := &p.recs[o-p.start]; t == AckRenew {
			r.deadline = nowMs + p.lim.LockMs
		} else {
			p.settle(r, t)
		}
	}
	p.advance()
	return nil
}

func (p *Partition) checkAck(member string, first, last int64, types []AckType) error {
	switch {
	case first > last || len(types) == 0:
		return fmt.Errorf("%w: range %d-%d with %d types", ErrInvalidRequest, first, last, len(types))
	case len(types) > 1 && int64(len(types)) != last-first+1:
		return fmt.Errorf("%w: range %d-%d with %d types", ErrInvalidRequest, first, last, len(types))
	}
	for _, t := range types {
		if t < AckGap || t > AckRenew {
			return fmt.Errorf("%w: acknowledge type %d", ErrInvalidRequest, t)
		}
	}
	if first < p.start || last >= p.End() {
		return fmt.Errorf("%w: offsets %d-%d outside %d-%d", ErrInvalidRecordState, first, last, p.start, p.End())
	}
	for o := first; o <= last; o++ {
		if r := p.recs[o-p.start]; r.state != Acquired || r.member != member {
			return fmt.Errorf("%w: offset %d not acquired by this member", ErrInvalidRecordState, o)
		}
	}
	return nil
}

// settle moves an acquired record on by an acknowledgement type.
func (p *Partition) settle(r *rec, t AckType) {
	r.member, r.deadline = "", 0
	switch t {
	case AckAccept:
		r.state = Acknowledged
	case AckRelease:
		p.release(r)
	default: // reject, gap
		r.state = Archived
	}
}

// release makes an acquired record Available, or Archived once it has
// been delivered MaxDeliveries times.
func (p *Partition) release(r *rec) {
	r.member, r.deadline = "", 0
	r.state = Available
	if p.lim.MaxDeliveries > 0 && r.count >= p.lim.MaxDeliveries {
		r.state = Archived
	}
}

// Expire releases every lock past its deadline and reports whether any
// record changed.
func (p *Partition) Expire(nowMs int64) bool {
	changed := false
	for i := range p.recs {
		if r := &p.recs[i]; r.state == Acquired && r.deadline <= nowMs {
			p.release(r)
			changed = true
		}
	}
	p.advance()
	return changed
}

// ReleaseMember releases every record member holds (its session closed
// or it left the group) and reports whether any did.
func (p *Partition) ReleaseMember(member string) bool {
	changed := false
	for i := range p.recs {
		if r := &p.recs[i]; r.state == Acquired && r.member == member {
			p.release(r)
			changed = true
		}
	}
	p.advance()
	return changed
}

// NextDeadline is the earliest lock deadline, or 0 with no lock.
func (p *Partition) NextDeadline() int64 {
	var d int64
	for _, r := range p.recs {
		if r.state == Acquired && (d == 0 || r.deadline < d) {
			d = r.deadline
		}
	}
	return d
}

// advance moves start past Acknowledged and Archived records.
func (p *Partition) advance() {
	i := 0
	for i < len(p.recs) && (p.recs[i].state == Acknowledged || p.recs[i].state == Archived) {
		i++
	}
	if i > 0 {
		p.start += int64(i)
		p.recs = append(p.recs[:0:0], p.recs[i:]...)
	}
}

// SkipTo moves start up to offset (the log start moved past it, or
// records there are not to be delivered), dropping what is in flight
// before it. It never moves start back.
func (p *Partition) SkipTo(offset int64) {
	if offset <= p.start {
		return
	}
	if offset >= p.End() {
		p.start, p.recs = offset, nil
		return
	}
	p.recs = append(p.recs[:0:0], p.recs[offset-p.start:]...)
	p.start = offset
}

// Reset moves start to offset, back or forward, forgetting everything in
// flight (AlterShareGroupOffsets on an empty group).
func (p *Partition) Reset(offset int64) {
	p.start, p.recs = offset, nil
}

// Acquired counts the records currently locked.
func (p *Partition) Acquired() int {
	n := 0
	for _, r := range p.recs {
		if r.state == Acquired {
			n++
		}
	}
	return n
}

// RecordState reports an offset's state and delivery count; offsets
// before start are Acknowledged (done), offsets from End on Available.
func (p *Partition) RecordState(offset int64) (State, int16) {
	switch {
	case offset < p.start:
		return Acknowledged, 0
	case offset >= p.End():
		return Available, 0
	}
	r := p.recs[offset-p.start]
	return r.state, r.count
}

// Batches is the in-flight window as runs of equal state and delivery
// count, Acquired written as Available: what is persisted.
func (p *Partition) Batches() []Batch {
	var out []Batch
	for i, r := range p.recs {
		st := r.state
		if st == Acquired {
			st = Available
		}
		o := p.start + int64(i)
		if n := len(out); n > 0 && out[n-1].State == st && out[n-1].Count == r.count {
			out[n-1].Last = o
			continue
		}
		out = append(out, Batch{First: o, Last: o, State: st, Count: r.count})
	}
	return out
}
